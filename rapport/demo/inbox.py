"""The inbox in the demo workspace: Acme Bank's routing rules, and the backlog routed by them.

Listening's demo loads first (`rapport.demo.loaders`) and its backlog is grouped into
conversations as it arrives, before these rules exist; `load` then routes the open ones. The
cases demo loads before the inbox, so the rule that opens "Payment dispute" cases finds the
type with its playbook (which then starts on each) and its SLA policy. The replayed posts that
keep arriving after `make run` are grouped and routed as they come. Idempotent: rules are found
by name, and a rule never acts twice on a conversation.
"""

from typing import Any

from rapport.cases.models import CaseType
from rapport.core.models import Membership, Team, Workspace
from rapport.inbox import rule_actions
from rapport.inbox.intake import refresh_facts, reroute
from rapport.inbox.models import OPEN_STATUSES, Conversation, RoutingRule

HIGH_REACH = 10_000
DISPUTES = "Payment disputes to the credit team"
DISPUTE_TYPE = "Payment dispute"
DISPUTE_WORDS = [
    "charged me twice",
    "charged twice",
    "taken twice",
    "collected twice",
    "paid twice",
    "double charge",
    "double charged",
    "disputed payment",
]


def dispute_rule(credit: Team, disputes: CaseType) -> dict[str, Any]:
    """Customers who say they were charged twice get a Payment dispute case for the credit
    team; its playbook starts when the conversation has someone (Social Care's complaint rule
    gave it a person first)."""
    return {
        "name": DISPUTES,
        "conditions": [{"field": "keywords", "operator": "contains_any", "value": DISPUTE_WORDS}],
        "actions": [{"type": "open_case", "case_type": disputes.pk, "team": credit.pk}],
    }


def rules(teams: dict[str, Team], disputes: CaseType | None = None) -> list[dict[str, Any]]:
    def team(name: str) -> int:
        return teams[name].pk

    return [
        {
            "name": "Complaints to Social Care",
            "conditions": [{"field": "intent", "operator": "is", "value": "complaint"}],
            "actions": [
                {"type": "assign_team", "team": team("Social Care"), "strategy": "least_loaded"}
            ],
        },
        {
            "name": "Leads to Sales",
            "conditions": [{"field": "intent", "operator": "is", "value": "lead"}],
            "actions": [
                {"type": "assign_team", "team": team("Sales"), "strategy": "round_robin"},
                {"type": "add_tag", "tag": "lead"},
            ],
        },
        {
            "name": "Ideas to R&D",
            "conditions": [{"field": "intent", "operator": "is", "value": "idea"}],
            "actions": [
                {"type": "assign_team", "team": team("R&D"), "strategy": "least_loaded"},
                {"type": "add_tag", "tag": "idea"},
            ],
        },
        {
            "name": "Escalate negative posts from high-reach authors",
            "conditions": [
                {"field": "sentiment", "operator": "is", "value": "negative"},
                {"field": "author_reach", "operator": "gte", "value": HIGH_REACH},
            ],
            "actions": [
                {"type": "set_priority", "priority": "urgent"},
                {"type": "assign_team", "team": team("Social Care"), "strategy": "manager"},
                {"type": "notify", "role": "manager"},
                {"type": "add_tag", "tag": "escalated"},
            ],
        },
        *([dispute_rule(teams["Credit"], disputes)] if disputes and "Credit" in teams else []),
    ]


def load(workspace: Workspace, owner: Membership) -> None:
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    if not {"Social Care", "Sales", "R&D"} <= set(teams):
        return  # not the demo's teams: nothing to route to
    disputes = CaseType.objects.filter(workspace=workspace, name=DISPUTE_TYPE).first()
    existing = set(RoutingRule.objects.filter(workspace=workspace).values_list("name", flat=True))
    for spec in rules(teams, disputes):
        if spec["name"] not in existing:
            rule_actions.create_rule(owner, **spec)
    waiting = Conversation.objects.filter(
        workspace=workspace, status__in=OPEN_STATUSES, merged_into__isnull=True
    )
    for start in range(0, waiting.count(), 500):
        batch = list(waiting.order_by("pk")[start : start + 500])
        refresh_facts(batch)  # triage corrections made by the demo before the inbox loaded
        reroute(workspace, batch)
