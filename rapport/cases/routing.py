"""The routing action "open a case", which cases registers with the inbox's rules (`wiring.py`).

`{"type": "open_case"}` opens a case for the conversation with its team, owner (the assignee)
and priority, unless one is already open for it. `case_type` makes it a case of that type, so
the type's active playbook starts as for any typed case; `team` gives it to another team than
the conversation's. Both are ids of the rule's workspace. The rule's author opens it (the
workspace's owner when they are gone); the conversation's history says which case was opened,
or why none was.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from rapport.cases.actions import open_case_from_conversation
from rapport.cases.models import Case, CaseType, Status
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.inbox.cleaning import an_id, invalid
from rapport.inbox.models import Activity
from rapport.inbox.registry import ActionType, Names, Scope, Step
from rapport.inbox.routing import Plan, Router


def _clean(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if params.get("case_type") is not None:
        case_type = an_id(params["case_type"], where, "case_type")
        ours = CaseType.objects.filter(workspace_id=scope.workspace_id or 0, pk=case_type)
        if not ours.exists():
            raise invalid(where, f"there is no case type {case_type} in this workspace")
        out["case_type"] = case_type
    if params.get("team") is not None:
        team = an_id(params["team"], where, "team")
        if team not in scope.teams:
            raise invalid(where, f"there is no team {team} in this workspace")
        out["team"] = team
    return out


def _describe(step: Mapping[str, Any], names: Names) -> str:
    what = "a case"
    if "case_type" in step:
        name = (
            CaseType.objects.filter(workspace_id=names.workspace_id, pk=step["case_type"])
            .values_list("name", flat=True)
            .first()
        )
        what = f"a {name} case" if name else "a case (its case type is gone)"
    if "team" in step:
        what += f" for {names.teams.get(step['team'], 'a deleted team')}"
    return f"open {what}"


def _open_cases(router: Router, plan: Plan, steps: list[Step]) -> None:
    """A case for each conversation a rule said to open one for, unless one is already open."""
    conversations = {step.conversation.pk for step in steps}
    already = dict(
        Case.objects.filter(conversation_id__in=conversations)
        .exclude(status__in=[Status.RESOLVED, Status.CLOSED])
        .order_by("pk")
        .values_list("conversation_id", "pk")
    )
    owner = Membership.objects.filter(workspace=router.workspace, role=Role.OWNER).first()
    types: dict[int, CaseType | None] = {}
    for step in steps:
        conv = step.conversation
        if conv.pk in already:
            router.record(
                plan, step, Activity.Kind.RULE, f"case #{already[conv.pk]} is already open"
            )
            continue
        gone = []
        team = conv.team
        if "team" in step.params:
            team = router.team(step.params["team"])
            if team is None:
                gone.append("its team is gone")
                team = conv.team
        case_type = None
        if "case_type" in step.params:
            type_id = step.params["case_type"]
            if type_id not in types:
                types[type_id] = CaseType.objects.filter(
                    workspace=router.workspace, pk=type_id
                ).first()
            case_type = types[type_id]
            if case_type is None:
                gone.append("its case type is gone")
        actor = step.rule.created_by or owner
        try:
            if actor is None:
                raise ValidationError("nobody may open it")
            case = open_case_from_conversation(
                actor,
                conv,
                team=team,
                owner=conv.assignee,
                priority=conv.priority,
                case_type=case_type,
            )
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(getattr(exc, "messages", [str(exc)]))
            router.record(plan, step, Activity.Kind.RULE, f"no case was opened: {message}")
            continue
        already[conv.pk] = case.pk
        about = [case_type.name] if case_type else []
        about += [f"for {team.name}"] if team else []
        about += gone
        message = f"opened case #{case.pk}" + (f" ({', '.join(about)})" if about else "")
        router.record(plan, step, Activity.Kind.RULE, message, case=case.pk)


OPEN_CASE = ActionType(
    name="open_case",
    label="open a case",
    params=("case_type", "team"),
    example='{"type": "open_case", "case_type": ID, "team": ID} (both optional)',
    clean=_clean,
    describe=_describe,
    carry_out=_open_cases,
)
