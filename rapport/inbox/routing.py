"""Routing: the workspace's rules, in order, on each new or changed post's conversation.

A rule acts on a conversation at most once (a RuleApplication row), so its own effects (a new
team, a tag, a priority) can never trigger it again, and a later post in the conversation does
not undo what people changed since. What rules do is written to the conversation's history with
the rule's name, as machine work (like `grouping`), not as a person's audited action.

The work is per batch: rules, earlier applications, teams, loads and skills are read once.
"""

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from rapport.contacts.models import Identity
from rapport.core.models import Membership, Team, Workspace
from rapport.core.roles import Role
from rapport.inbox import alerts
from rapport.inbox.grouping import Placed
from rapport.inbox.models import (
    OPEN_STATUSES,
    Activity,
    Conversation,
    ConversationTag,
    Priority,
    RoutingRule,
    RuleApplication,
    Tag,
)
from rapport.inbox.rules import PRIORITIES, Facts
from rapport.listening.models import Post

logger = logging.getLogger(__name__)


def facts_of(post: Post, labels: Sequence[str], tier: str | None = None) -> Facts:
    return Facts(
        labels=frozenset(labels),
        network=post.network,
        sentiment=post.sentiment,
        intent=post.intent,
        text=f"{post.title} {post.text}",
        author_reach=post.author_reach,
        contact_tier=tier,
        language=post.language,
        posted_at=post.posted_at,
        score=post.priority,
    )


def contact_tiers(posts: Sequence[Post]) -> dict[int, str]:
    """Identity id -> its contact's tier, for the authors linked to a contact with a tier."""
    ids = {p.identity_id for p in posts if p.identity_id}
    return {
        pk: tier
        for pk, tier in Identity.objects.filter(pk__in=ids, contact__isnull=False).values_list(
            "pk", "contact__tier"
        )
        if tier
    }


def skilled_members(workspace_id: int, skill: str) -> set[int] | None:
    """Members with `skill`, from the people domain's skills; None when it has none yet."""
    try:
        from rapport.people.selectors import experts
    except ImportError:
        return None
    workspace = Workspace.objects.get(pk=workspace_id)
    return {m.pk for m in experts(workspace, skill)}


def title_matches(member: Membership, skill: str) -> bool:
    """Until people have skills: a word of the skill in the member's job title."""
    words = set(re.findall(r"\w{4,}", skill.lower()))
    title = member.title.lower()
    return any(w in title or w.rstrip("s") in title for w in words)


@dataclass
class Plan:
    """What a batch of rules decided; written at once by `Router.save`."""

    activities: list[Activity] = field(default_factory=list)
    applications: list[RuleApplication] = field(default_factory=list)
    tags: list[tuple[Conversation, str]] = field(default_factory=list)
    notices: list[tuple[list[Membership], str, str, Conversation]] = field(default_factory=list)
    changed: dict[int, Conversation] = field(default_factory=dict)
    cases: list[tuple[Conversation, RoutingRule]] = field(default_factory=list)


class Router:
    """Rules of one workspace, applied to a batch of conversations."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        labels: Mapping[int, Sequence[str]] | None = None,
        dry_run: bool = False,
    ) -> None:
        self.workspace = workspace
        self.labels = labels or {}  # post id -> the labels of the queries it matched
        self.dry_run = dry_run
        self.rules = list(RoutingRule.objects.filter(workspace=workspace, enabled=True))
        self._teams: dict[int, Team | None] = {}
        self._members: dict[int, list[Membership]] = {}  # team id -> its members
        self._load: dict[int, int] | None = None  # member id -> open conversations
        self._skills: dict[str, set[int] | None] = {}
        self._people: dict[int, Membership | None] = {}
        self.now = timezone.now()

    # -- what rules need, read once per batch --------------------------------------------

    def team(self, team_id: int) -> Team | None:
        if team_id not in self._teams:
            self._teams[team_id] = Team.objects.filter(workspace=self.workspace, pk=team_id).first()
        return self._teams[team_id]

    def members(self, team: Team) -> list[Membership]:
        if team.pk not in self._members:
            self._members[team.pk] = list(
                team.members.select_related("user").order_by("pk")  # stable round-robin
            )
        return self._members[team.pk]

    def person(self, member_id: int) -> Membership | None:
        if member_id not in self._people:
            self._people[member_id] = (
                Membership.objects.select_related("user")
                .filter(workspace=self.workspace, pk=member_id)
                .first()
            )
        return self._people[member_id]

    def load(self) -> dict[int, int]:
        if self._load is None:
            self._load = dict(
                Conversation.objects.filter(
                    workspace=self.workspace, status__in=OPEN_STATUSES, assignee__isnull=False
                )
                .order_by()
                .values("assignee")
                .annotate(n=Count("id"))
                .values_list("assignee", "n")
            )
        return self._load

    def skilled(self, skill: str) -> set[int] | None:
        if skill not in self._skills:
            self._skills[skill] = skilled_members(self.workspace.pk, skill)
        return self._skills[skill]

    # -- choosing a person in a team -----------------------------------------------------

    def pick(self, rule: RoutingRule, team: Team, strategy: str, skill: str) -> Membership | None:
        people = self.members(team)
        if strategy == "manager":
            people = [m for m in people if m.has_role(Role.MANAGER)]
        elif strategy == "by_skill":
            found = self.skilled(skill)
            if found is None:
                people = [m for m in people if title_matches(m, skill)]
            else:
                people = [m for m in people if m.pk in found]
        if not people:
            return None
        if strategy == "round_robin":
            key = str(team.pk)
            last = int(rule.state.get(key, 0))
            chosen = next((m for m in people if m.pk > last), people[0])
            rule.state[key] = chosen.pk
            return chosen
        # least-loaded (by skill and manager too: among those who fit, the least busy)
        if strategy == "none":
            return None
        load = self.load()
        return min(people, key=lambda m: (load.get(m.pk, 0), m.pk))

    # -- applying ------------------------------------------------------------------------

    def route(self, placed: Sequence[Placed]) -> Plan:
        """Evaluates the rules for each placed post; returns the plan (saved unless dry run)."""
        plan = Plan()
        if not self.rules or not placed:
            return plan
        conversations = {p.conversation.pk for p in placed}
        done = set(
            RuleApplication.objects.filter(conversation_id__in=conversations)
            .order_by()
            .values_list("conversation_id", "rule_id")
        )
        posts = [p.post for p in placed]
        tiers = contact_tiers(posts)
        labels = self.labels
        for item in placed:
            conv, post = item.conversation, item.post
            facts = facts_of(post, labels.get(post.pk, ()), tiers.get(post.identity_id or 0))
            for rule in self.rules:
                if (conv.pk, rule.pk) in done:
                    continue
                if not facts.matches(rule.conditions, rule.match):
                    continue
                done.add((conv.pk, rule.pk))
                plan.applications.append(RuleApplication(rule=rule, conversation=conv))
                self.apply(rule, conv, post, plan)
                if rule.stop:
                    break
        if not self.dry_run:
            self.save(plan)
        return plan

    def _activity(
        self,
        plan: Plan,
        conv: Conversation,
        rule: RoutingRule,
        kind: str,
        message: str,
        **data: Any,
    ) -> None:
        plan.activities.append(
            Activity(
                workspace_id=conv.workspace_id,
                conversation=conv,
                kind=kind,
                rule=rule,
                message=f"Rule “{rule.name}”: {message}"[:500],
                data=data,
                created_at=self.now,
            )
        )

    def apply(self, rule: RoutingRule, conv: Conversation, post: Post, plan: Plan) -> None:
        for step in rule.actions:
            kind = step["type"]
            if kind == "assign_team":
                team = self.team(step["team"])
                if team is None:
                    self._activity(plan, conv, rule, Activity.Kind.RULE, "its team is gone")
                    continue
                conv.team = team
                who = self.pick(rule, team, step.get("strategy", "none"), step.get("skill", ""))
                message = f"assigned to {team.name}"
                if who is not None:
                    self._assign(conv, who)
                    message += f", {who.user.display_name}"
                elif step.get("strategy", "none") != "none":
                    message += " (nobody in the team fits; left for the team)"
                plan.changed[conv.pk] = conv
                self._activity(plan, conv, rule, Activity.Kind.ASSIGNED, message, team=team.pk)
            elif kind == "assign_person":
                who = self.person(step["member"])
                if who is None:
                    self._activity(plan, conv, rule, Activity.Kind.RULE, "its person is gone")
                    continue
                self._assign(conv, who)
                plan.changed[conv.pk] = conv
                self._activity(
                    plan,
                    conv,
                    rule,
                    Activity.Kind.ASSIGNED,
                    f"assigned to {who.user.display_name}",
                    member=who.pk,
                )
            elif kind == "set_priority":
                conv.priority = PRIORITIES[step["priority"]]
                plan.changed[conv.pk] = conv
                self._activity(
                    plan,
                    conv,
                    rule,
                    Activity.Kind.PRIORITY,
                    f"priority set to {Priority(conv.priority).label.lower()}",
                )
            elif kind == "add_tag":
                plan.tags.append((conv, step["tag"]))
                self._activity(plan, conv, rule, Activity.Kind.TAGGED, f"tagged {step['tag']}")
            elif kind == "notify":
                self._notify(rule, conv, post, step, plan)
            elif kind == "open_case":
                plan.cases.append((conv, rule))

    def _assign(self, conv: Conversation, who: Membership) -> None:
        if self._load is not None:
            if conv.assignee_id:
                self._load[conv.assignee_id] = self._load.get(conv.assignee_id, 1) - 1
            self._load[who.pk] = self._load.get(who.pk, 0) + 1
        conv.assignee = who

    def _notify(
        self, rule: RoutingRule, conv: Conversation, post: Post, step: dict[str, Any], plan: Plan
    ) -> None:
        if "member" in step:
            person = self.person(step["member"])
            people = [person] if person else []
        elif step["role"] == "manager":
            team = conv.team
            pool = self.members(team) if team else []
            people = [m for m in pool if m.has_role(Role.MANAGER)]
            if not people:
                people = list(
                    Membership.objects.select_related("user").filter(
                        workspace=self.workspace, role=Role.MANAGER
                    )
                )
        else:
            people = self.members(conv.team) if conv.team else []
        names = ", ".join(p.user.display_name for p in people) or "nobody (no one fits)"
        text = step.get("message") or (
            f"{rule.name}: @{post.author_handle or 'someone'} on {post.network} — {conv.subject}"
        )
        plan.notices.append((people, "escalated", text, conv))
        self._activity(
            plan,
            conv,
            rule,
            Activity.Kind.NOTIFIED,
            f"notified {names}",
            members=[p.pk for p in people],
        )

    def _open_cases(self, plan: Plan) -> None:
        """A case for each conversation a rule said to open one for, unless one is already open.

        The rule's author opens it (the workspace's owner when they are gone).
        """
        # Imported here: the cases domain imports the inbox.
        from rapport.cases.actions import open_case_from_conversation
        from rapport.cases.models import Case
        from rapport.cases.models import Status as CaseStatus

        owner = Membership.objects.filter(workspace=self.workspace, role=Role.OWNER).first()
        for conv, rule in plan.cases:
            existing = (
                Case.objects.filter(conversation=conv)
                .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
                .first()
            )
            if existing is not None:
                self._activity(
                    plan, conv, rule, Activity.Kind.RULE, f"case #{existing.pk} is already open"
                )
                continue
            actor = rule.created_by or owner
            try:
                if actor is None:
                    raise ValidationError("nobody may open it")
                case = open_case_from_conversation(
                    actor, conv, team=conv.team, owner=conv.assignee, priority=conv.priority
                )
            except (ValidationError, PermissionDenied) as exc:
                message = "; ".join(getattr(exc, "messages", [str(exc)]))
                self._activity(
                    plan, conv, rule, Activity.Kind.RULE, f"no case was opened: {message}"
                )
            else:
                self._activity(
                    plan, conv, rule, Activity.Kind.RULE, f"opened case #{case.pk}", case=case.pk
                )

    def save(self, plan: Plan) -> None:
        if plan.changed:
            Conversation.objects.bulk_update(
                list(plan.changed.values()), ["team", "assignee", "priority"], batch_size=500
            )
        if plan.tags:
            names = {name for _, name in plan.tags}
            existing = {
                t.name: t for t in Tag.objects.filter(workspace=self.workspace, name__in=names)
            }
            missing = [Tag(workspace=self.workspace, name=n) for n in names if n not in existing]
            if missing:
                Tag.objects.bulk_create(missing, ignore_conflicts=True)
                existing = {
                    t.name: t for t in Tag.objects.filter(workspace=self.workspace, name__in=names)
                }
            ConversationTag.objects.bulk_create(
                [ConversationTag(conversation=c, tag=existing[n]) for c, n in plan.tags],
                ignore_conflicts=True,
            )
        if plan.cases:
            self._open_cases(plan)
        RuleApplication.objects.bulk_create(plan.applications, ignore_conflicts=True)
        Activity.objects.bulk_create(plan.activities, batch_size=500)
        touched = {r.pk: r for r in self.rules if r.state}
        for rule in touched.values():
            RoutingRule.objects.filter(pk=rule.pk).update(state=rule.state)
        for people, kind, text, conv in plan.notices:
            alerts.tell(people, kind, text, alerts.conversation_path(self.workspace, conv.pk))
