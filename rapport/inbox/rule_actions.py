"""Routing rules: create, change, delete (managers and above), audited; and the dry run."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max

from rapport.core.audit import action, record_by, snapshot
from rapport.core.models import Membership, Team
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require
from rapport.inbox.models import RoutingRule
from rapport.inbox.registry import Names, clean_actions
from rapport.inbox.registry import describe_actions as describe_steps
from rapport.inbox.routing import facts_of
from rapport.inbox.rules import clean_conditions, describe_condition
from rapport.listening.models import Post, PostMatch

RULE_FIELDS = ["name", "position", "enabled", "match", "conditions", "actions", "stop"]
DRY_RUN_POSTS = 1_000


def _clean_match(match: str) -> str:
    if match not in RoutingRule.Match.values:
        raise ValidationError({"match": f"Unknown match {match!r}; use all or any."})
    return match


def _clean(actor: Membership, conditions: object, actions: object) -> tuple[list[Any], list[Any]]:
    try:
        cleaned_conditions = clean_conditions(conditions)
    except ValidationError as error:
        raise ValidationError({"conditions": error.messages}) from None
    teams = Team.objects.filter(workspace=actor.workspace).values_list("pk", flat=True)
    members = Membership.objects.filter(workspace=actor.workspace).values_list("pk", flat=True)
    try:
        cleaned_actions = clean_actions(
            actions, teams=teams, members=members, workspace_id=actor.workspace_id
        )
    except ValidationError as error:
        raise ValidationError({"actions": error.messages}) from None
    return cleaned_conditions, cleaned_actions


@action("routing_rule.create")
def create_rule(
    actor: Membership,
    *,
    name: str,
    conditions: object,
    actions: object,
    match: str = "all",
    enabled: bool = True,
    stop: bool = False,
    position: int | None = None,
) -> RoutingRule:
    require(actor, Verb.MANAGE_ROUTING_RULES)
    cleaned_conditions, cleaned_actions = _clean(actor, conditions, actions)
    if position is None:
        last = RoutingRule.objects.filter(workspace=actor.workspace).aggregate(m=Max("position"))
        position = (last["m"] or 0) + 10
    rule = RoutingRule.objects.create(
        workspace=actor.workspace,
        name=unique_name(
            name, taken=RoutingRule.objects.filter(workspace=actor.workspace), noun="routing rule"
        ),
        match=_clean_match(match),
        conditions=cleaned_conditions,
        actions=cleaned_actions,
        enabled=bool(enabled),
        stop=bool(stop),
        position=max(0, int(position)),
        created_by=actor,
    )
    record_by(actor, verb="routing_rule.create", obj=rule, after=snapshot(rule, RULE_FIELDS))
    return rule


@action("routing_rule.update")
def update_rule(
    actor: Membership,
    rule: RoutingRule,
    *,
    name: str | None = None,
    conditions: object = None,
    actions: object = None,
    match: str | None = None,
    enabled: bool | None = None,
    stop: bool | None = None,
    position: int | None = None,
) -> RoutingRule:
    require(actor, Verb.MANAGE_ROUTING_RULES)
    before = snapshot(rule, RULE_FIELDS)
    if name is not None:
        rule.name = unique_name(
            name,
            taken=RoutingRule.objects.filter(workspace=actor.workspace),
            noun="routing rule",
            exclude=rule.pk,
        )
    if conditions is not None or actions is not None:
        rule.conditions, rule.actions = _clean(
            actor,
            rule.conditions if conditions is None else conditions,
            rule.actions if actions is None else actions,
        )
    if match is not None:
        rule.match = _clean_match(match)
    if enabled is not None:
        rule.enabled = bool(enabled)
    if stop is not None:
        rule.stop = bool(stop)
    if position is not None:
        rule.position = max(0, int(position))
    rule.save()
    record_by(
        actor,
        verb="routing_rule.update",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
    )
    return rule


@action("routing_rule.delete")
def delete_rule(actor: Membership, rule: RoutingRule) -> None:
    require(actor, Verb.MANAGE_ROUTING_RULES)
    before = snapshot(rule, RULE_FIELDS)
    record_by(actor, verb="routing_rule.delete", obj=rule, before=before)
    rule.delete()


# Dry run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRun:
    checked: int
    hits: list[Post]
    conditions: list[str]
    would: list[str]


def describe_actions(actor: Membership, actions: list[dict[str, Any]]) -> list[str]:
    """What a rule's actions do, in words, with the names of the actor's workspace."""
    names = Names(
        workspace_id=actor.workspace_id,
        teams=dict(Team.objects.filter(workspace=actor.workspace).values_list("pk", "name")),
        people={
            m.pk: m.user.display_name
            for m in Membership.objects.filter(workspace=actor.workspace).select_related("user")
        },
    )
    return describe_steps(actions, names)


def dry_run(
    actor: Membership, *, conditions: object, actions: object, match: str = "all"
) -> DryRun:
    """Which of the last 1,000 posts the rule would match, and what it would do to them."""
    require(actor, Verb.SEE_ROUTING_RULES)
    cleaned_conditions, cleaned_actions = _clean(actor, conditions, actions)
    match = _clean_match(match)
    posts = list(
        Post.objects.filter(
            workspace=actor.workspace, deleted_at__isnull=True, duplicate_of__isnull=True
        ).order_by("-posted_at", "-id")[:DRY_RUN_POSTS]
    )
    labels: dict[int, list[str]] = {}
    for post_id, label in PostMatch.objects.filter(post__in=[p.pk for p in posts]).values_list(
        "post_id", "query__label"
    ):
        labels.setdefault(post_id, []).append(label)
    hits = [
        p for p in posts if facts_of(p, labels.get(p.pk, ())).matches(cleaned_conditions, match)
    ]
    return DryRun(
        checked=len(posts),
        hits=hits,
        conditions=[describe_condition(c) for c in cleaned_conditions],
        would=describe_actions(actor, cleaned_actions),
    )
