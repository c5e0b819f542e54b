"""Routing: the workspace's rules, in order, on each new or changed post's conversation.

A rule acts on a conversation at most once (a RuleApplication row), so its own effects (a new
team, a tag, a priority) can never trigger it again, and a later post in the conversation does
not undo what people changed since. What rules do is written to the conversation's history with
the rule's name, as machine work (like `grouping`), not as a person's audited action.

What each action of a rule does is its type's, in the registry (`registry.py`); the Router gives
the types what they need, read once per batch: rules, earlier applications, teams, members,
loads and skills.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from rapport.contacts.models import Identity
from rapport.core.events import emit
from rapport.core.models import Membership, Team, Workspace
from rapport.core.roles import Role
from rapport.inbox.events import CONVERSATION_ASSIGNED
from rapport.inbox.grouping import Placed
from rapport.inbox.links import conversation_path
from rapport.inbox.models import (
    OPEN_STATUSES,
    Activity,
    Conversation,
    ConversationTag,
    RoutingRule,
    RuleApplication,
    Tag,
)
from rapport.inbox.registry import ACTION_TYPES, Step
from rapport.inbox.rules import Facts
from rapport.listening.models import Post
from rapport.notifications.actions import notify
from rapport.people.selectors import experts

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


def open_assignments(members: list[Membership]) -> dict[int, int]:
    """How busy each member is: the open conversations assigned to them (member id -> count)."""
    counts = dict(
        Conversation.objects.filter(assignee__in=members, status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    return {m.pk: counts.get(m.pk, 0) for m in members}


@dataclass
class Plan:
    """What a batch of rules decided; written at once by `Router.save`."""

    activities: list[Activity] = field(default_factory=list)
    applications: list[RuleApplication] = field(default_factory=list)
    tags: list[tuple[Conversation, str]] = field(default_factory=list)
    notices: list[tuple[list[Membership], str, str, Conversation]] = field(default_factory=list)
    changed: dict[int, Conversation] = field(default_factory=dict)
    #: conversation id -> the rule that last gave it a team or a person, and who had it before
    assigned: dict[int, tuple[RoutingRule, tuple[int | None, int | None]]] = field(
        default_factory=dict
    )
    #: action type -> its steps to carry out once the conversations are saved
    later: dict[str, list[Step]] = field(default_factory=dict)


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
        self._skills: dict[str, set[int]] = {}
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

    def skilled(self, skill: str) -> set[int]:
        """Members with `skill`, from the people domain's skills."""
        if skill not in self._skills:
            self._skills[skill] = {m.pk for m in experts(self.workspace, skill)}
        return self._skills[skill]

    # -- choosing a person in a team -----------------------------------------------------

    def pick(self, rule: RoutingRule, team: Team, strategy: str, skill: str) -> Membership | None:
        people = self.members(team)
        if strategy == "manager":
            people = [m for m in people if m.has_role(Role.MANAGER)]
        elif strategy == "by_skill":
            found = self.skilled(skill)
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

    # -- what action types do with a conversation ----------------------------------------

    def assign(self, plan: Plan, step: Step, team: Team | None, who: Membership | None) -> None:
        """Gives the step's conversation a team (None: leaves it) and/or a person."""
        conv = step.conversation
        _, before = plan.assigned.get(conv.pk, (step.rule, (conv.team_id, conv.assignee_id)))
        plan.assigned[conv.pk] = (step.rule, before)
        if team is not None:
            conv.team = team
        if who is not None:
            if self._load is not None:
                if conv.assignee_id:
                    self._load[conv.assignee_id] = self._load.get(conv.assignee_id, 1) - 1
                self._load[who.pk] = self._load.get(who.pk, 0) + 1
            conv.assignee = who
        plan.changed[conv.pk] = conv

    def record(self, plan: Plan, step: Step, kind: str, message: str, **data: Any) -> None:
        """A line of the conversation's history, in the rule's name."""
        conv = step.conversation
        plan.activities.append(
            Activity(
                workspace_id=conv.workspace_id,
                conversation=conv,
                kind=kind,
                rule=step.rule,
                message=f"Rule “{step.rule.name}”: {message}"[:500],
                data=data,
                created_at=self.now,
            )
        )

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

    def apply(self, rule: RoutingRule, conv: Conversation, post: Post, plan: Plan) -> None:
        for params in rule.actions:
            step = Step(rule, conv, post, params)
            action_type = ACTION_TYPES.get(params["type"])
            if action_type is None:  # the domain that registered it is gone
                self.record(plan, step, Activity.Kind.RULE, f"cannot {params['type']} any more")
                continue
            if action_type.apply is not None:
                action_type.apply(self, plan, step)
            if action_type.carry_out is not None:
                plan.later.setdefault(action_type.name, []).append(step)

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
        for name, steps in plan.later.items():
            carry_out = ACTION_TYPES[name].carry_out
            if carry_out is not None:
                carry_out(self, plan, steps)
        RuleApplication.objects.bulk_create(plan.applications, ignore_conflicts=True)
        Activity.objects.bulk_create(plan.activities, batch_size=500)
        touched = {r.pk: r for r in self.rules if r.state}
        for rule in touched.values():
            RoutingRule.objects.filter(pk=rule.pk).update(state=rule.state)
        for people, kind, text, conv in plan.notices:
            path = conversation_path(self.workspace, conv.pk)
            for person in people:
                notify(person, kind, text, path)
        for conv_id, (rule, before) in plan.assigned.items():
            conv = plan.changed[conv_id]
            if (conv.team_id, conv.assignee_id) != before:
                emit(
                    CONVERSATION_ASSIGNED,
                    self.workspace.pk,
                    object_id=conv.pk,
                    assignee=conv.assignee_id,
                    team=conv.team_id,
                    rule=rule.pk,
                )
