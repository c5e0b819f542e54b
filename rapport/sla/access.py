"""Resolving SLA ids that came from outside: another workspace's is a 404."""

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.sla.models import BusinessCalendar, EscalationRule, SlaPolicy


def access_calendar(membership: Membership, calendar_id: object) -> BusinessCalendar:
    return access_in_workspace(membership, BusinessCalendar.objects.all(), calendar_id)


def access_policy(membership: Membership, policy_id: object) -> SlaPolicy:
    return access_in_workspace(
        membership, SlaPolicy.objects.select_related("calendar", "case_type"), policy_id
    )


def access_rule(membership: Membership, rule_id: object) -> EscalationRule:
    return access_in_workspace(membership, EscalationRule.objects.select_related("policy"), rule_id)
