"""What the inbox's own routing actions do: assign a team (and a person in it, by a strategy),
assign a person, set the priority, tag, notify. Registered in `wiring.py`; the registry
(`registry.py`) says what each part of a type is for.
"""

from collections.abc import Mapping
from typing import Any

from rapport.core.models import Membership
from rapport.core.priority import PRIORITY_NAMES, priority_name
from rapport.core.roles import Role
from rapport.inbox.cleaning import TAG, an_id, invalid, text, unknown
from rapport.inbox.models import Activity
from rapport.inbox.registry import ActionType, Names, Scope, Step
from rapport.inbox.routing import Plan, Router

STRATEGIES = ("none", "round_robin", "least_loaded", "by_skill", "manager")
NOTIFY_ROLES = ("manager", "team")


def _team_of(params: Mapping[str, Any], scope: Scope, where: str) -> int:
    team = an_id(params.get("team"), where, "team")
    if team not in scope.teams:
        raise invalid(where, f"there is no team {team} in this workspace")
    return team


def _member_of(params: Mapping[str, Any], scope: Scope, where: str) -> int:
    member = an_id(params.get("member"), where, "member")
    if member not in scope.members:
        raise invalid(where, f"there is no member {member} in this workspace")
    return member


# Assign a team ------------------------------------------------------------------------------


def _clean_assign_team(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"team": _team_of(params, scope, where)}
    strategy = params.get("strategy", "none")
    if strategy not in STRATEGIES:
        raise invalid(where, unknown("strategy", strategy, STRATEGIES))
    out["strategy"] = strategy
    if strategy == "by_skill":
        out["skill"] = text(params.get("skill"), where, "skill")
    return out


def _describe_assign_team(step: Mapping[str, Any], names: Names) -> str:
    how = {
        "none": "",
        "round_robin": ", to its members in turn",
        "least_loaded": ", to the least busy member",
        "by_skill": f", to the least busy member skilled in {step.get('skill', '')}",
        "manager": ", to its least busy manager",
    }[step.get("strategy", "none")]
    return f"assign to {names.teams.get(step['team'], 'a deleted team')}{how}"


def _assign_team(router: Router, plan: Plan, step: Step) -> None:
    team = router.team(step.params["team"])
    if team is None:
        router.record(plan, step, Activity.Kind.RULE, "its team is gone")
        return
    strategy = step.params.get("strategy", "none")
    who = router.pick(step.rule, team, strategy, step.params.get("skill", ""))
    router.assign(plan, step, team, who)
    message = f"assigned to {team.name}"
    if who is not None:
        message += f", {who.user.display_name}"
    elif strategy != "none":
        message += " (nobody in the team fits; left for the team)"
    router.record(plan, step, Activity.Kind.ASSIGNED, message, team=team.pk)


ASSIGN_TEAM = ActionType(
    name="assign_team",
    label="assign to a team",
    params=("team", "strategy", "skill"),
    example='{"type": "assign_team", "team": ID, "strategy": "'
    + "|".join(STRATEGIES)
    + '", "skill": "mortgages"}',
    clean=_clean_assign_team,
    describe=_describe_assign_team,
    apply=_assign_team,
)


# Assign a person ----------------------------------------------------------------------------


def _clean_assign_person(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    return {"member": _member_of(params, scope, where)}


def _describe_assign_person(step: Mapping[str, Any], names: Names) -> str:
    return f"assign to {names.people.get(step['member'], 'a former member')}"


def _assign_person(router: Router, plan: Plan, step: Step) -> None:
    who = router.person(step.params["member"])
    if who is None:
        router.record(plan, step, Activity.Kind.RULE, "its person is gone")
        return
    router.assign(plan, step, None, who)
    router.record(
        plan,
        step,
        Activity.Kind.ASSIGNED,
        f"assigned to {who.user.display_name}",
        member=who.pk,
    )


ASSIGN_PERSON = ActionType(
    name="assign_person",
    label="assign to a person",
    params=("member",),
    example='{"type": "assign_person", "member": ID}',
    clean=_clean_assign_person,
    describe=_describe_assign_person,
    apply=_assign_person,
)


# Set the priority ---------------------------------------------------------------------------


def _clean_priority(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    priority = str(params.get("priority", "")).lower()
    if priority not in PRIORITY_NAMES:
        raise invalid(where, unknown("priority", params.get("priority"), PRIORITY_NAMES))
    return {"priority": priority}


def _set_priority(router: Router, plan: Plan, step: Step) -> None:
    conv = step.conversation
    conv.priority = PRIORITY_NAMES[step.params["priority"]]
    plan.changed[conv.pk] = conv
    router.record(
        plan,
        step,
        Activity.Kind.PRIORITY,
        f"priority set to {priority_name(conv.priority)}",
    )


SET_PRIORITY = ActionType(
    name="set_priority",
    label="set the priority",
    params=("priority",),
    example='{"type": "set_priority", "priority": "' + "|".join(PRIORITY_NAMES) + '"}',
    clean=_clean_priority,
    describe=lambda step, names: f"set the priority to {step['priority']}",
    apply=_set_priority,
)


# Tag ----------------------------------------------------------------------------------------


def _clean_tag(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    tag = params.get("tag")
    if not isinstance(tag, str) or not TAG.match(tag.strip()):
        raise invalid(where, "a tag is 1-50 letters, digits, spaces or .&:/+-")
    return {"tag": tag.strip().lower()}


def _add_tag(router: Router, plan: Plan, step: Step) -> None:
    plan.tags.append((step.conversation, step.params["tag"]))
    router.record(plan, step, Activity.Kind.TAGGED, f"tagged {step.params['tag']}")


ADD_TAG = ActionType(
    name="add_tag",
    label="tag",
    params=("tag",),
    example='{"type": "add_tag", "tag": "vip"}',
    clean=_clean_tag,
    describe=lambda step, names: f"tag {step['tag']}",
    apply=_add_tag,
)


# Notify -------------------------------------------------------------------------------------


def _clean_notify(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    if ("member" in params) == ("role" in params):
        raise invalid(where, "notify needs either a member or a role (manager or team)")
    out: dict[str, Any] = {}
    if "member" in params:
        out["member"] = _member_of(params, scope, where)
    else:
        if params["role"] not in NOTIFY_ROLES:
            raise invalid(where, unknown("role", params["role"], NOTIFY_ROLES))
        out["role"] = params["role"]
    if "message" in params:
        out["message"] = text(params["message"], where, "message")
    return out


def _describe_notify(step: Mapping[str, Any], names: Names) -> str:
    if "member" in step:
        return f"notify {names.people.get(step['member'], 'a former member')}"
    return "notify " + {"manager": "the team's managers", "team": "the team"}[step["role"]]


def _recipients(router: Router, step: Step) -> list[Membership]:
    conv = step.conversation
    if "member" in step.params:
        person = router.person(step.params["member"])
        return [person] if person else []
    if step.params["role"] == "manager":
        pool = router.members(conv.team) if conv.team else []
        managers = [m for m in pool if m.has_role(Role.MANAGER)]
        return managers or list(
            Membership.objects.select_related("user").filter(
                workspace=router.workspace, role=Role.MANAGER
            )
        )
    return router.members(conv.team) if conv.team else []


def _notify(router: Router, plan: Plan, step: Step) -> None:
    conv, post = step.conversation, step.post
    people = _recipients(router, step)
    names = ", ".join(p.user.display_name for p in people) or "nobody (no one fits)"
    text = step.params.get("message") or (
        f"{step.rule.name}: @{post.author_handle or 'someone'} on {post.network} — {conv.subject}"
    )
    plan.notices.append((people, "escalated", text, conv))
    router.record(
        plan, step, Activity.Kind.NOTIFIED, f"notified {names}", members=[p.pk for p in people]
    )


NOTIFY = ActionType(
    name="notify",
    label="notify",
    params=("member", "role", "message"),
    example='{"type": "notify", "role": "manager|team"} or {"type": "notify", "member": ID}',
    clean=_clean_notify,
    describe=_describe_notify,
    apply=_notify,
)

#: In the order the rules page lists them.
INBOX_ACTIONS = (ASSIGN_TEAM, ASSIGN_PERSON, SET_PRIORITY, ADD_TAG, NOTIFY)
