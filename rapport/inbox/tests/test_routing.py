"""Routing rules: validated as data, evaluated in order, never re-triggered by their effects."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.core.priority import Priority
from rapport.core.roles import Role
from rapport.inbox import rule_actions
from rapport.inbox.intake import reroute
from rapport.inbox.models import Activity, Conversation, RuleApplication
from rapport.inbox.registry import clean_actions
from rapport.inbox.rules import Facts, clean_conditions
from rapport.inbox.tests.factories import arrive, conversation, post, team


def _rule(owner, name="Complaints to care", conditions=None, actions=None, **kw):
    return rule_actions.create_rule(
        owner,
        name=name,
        conditions=conditions
        if conditions is not None
        else [{"field": "intent", "operator": "is", "value": "complaint"}],
        actions=actions,
        **kw,
    )


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ([{"field": "mood", "operator": "is", "value": "x"}], "unknown field 'mood'"),
        (
            [{"field": "intent", "operator": "like", "value": "lead"}],
            "unknown operator for intent 'like'",
        ),
        ([{"field": "intent", "operator": "is", "value": "rant"}], "unknown intent 'rant'"),
        ([{"field": "author_reach", "operator": "gte", "value": "many"}], "whole number"),
        ([{"field": "hour_of_day", "operator": "between", "value": [9]}], "two hours"),
        ([{"field": "network", "operator": "in", "value": []}], "list of 1 to"),
        ("intent=lead", "must be a list"),
    ],
)
def test_a_bad_condition_is_refused_naming_what_is_wrong(conditions, message):
    with pytest.raises(ValidationError, match=message):
        clean_conditions(conditions)


def test_a_bad_action_is_refused_naming_what_is_wrong():
    with pytest.raises(ValidationError, match="unknown action 'escalate'"):
        clean_actions([{"type": "escalate"}], teams=[1], members=[1])
    with pytest.raises(ValidationError, match="no team 9 in this workspace"):
        clean_actions([{"type": "assign_team", "team": 9}], teams=[1], members=[1])
    with pytest.raises(ValidationError, match="unknown strategy 'random'"):
        clean_actions(
            [{"type": "assign_team", "team": 1, "strategy": "random"}], teams=[1], members=[]
        )
    with pytest.raises(ValidationError, match="at least one action"):
        clean_actions([], teams=[], members=[])


def test_conditions_see_labels_keywords_reach_hours_and_unknown_tiers_match_nothing():
    from datetime import UTC, datetime

    facts = Facts(
        labels=frozenset({"brand", "product"}),
        text="My MORTGAGE payment bounced!",
        author_reach=20_000,
        posted_at=datetime(2026, 1, 5, 22, 30, tzinfo=UTC),
    )

    def holds(field, operator, value):
        return facts.holds({"field": field, "operator": operator, "value": value})

    assert holds("query_label", "is", "product")
    assert not holds("query_label", "is_not", "brand")
    assert holds("keywords", "contains_any", ["mortgage payment", "isa"])
    assert not holds("keywords", "contains_all", ["mortgage", "isa"])
    assert holds("author_reach", "gte", 10_000)
    assert holds("hour_of_day", "between", [18, 8])  # across midnight
    assert not holds("hour_of_day", "between", [9, 17])
    assert not holds("contact_tier", "is", "gold")
    assert not holds("contact_tier", "is_not", "gold")


def test_rules_run_in_order_and_assign_team_priority_tags(owner, acme, make_member):
    agent = make_member(acme, Role.AGENT)
    care = team(owner, "Social Care", agent)
    _rule(owner, actions=[{"type": "assign_team", "team": care.pk, "strategy": "least_loaded"}])
    _rule(
        owner,
        name="Big and angry",
        conditions=[
            {"field": "sentiment", "operator": "is", "value": "negative"},
            {"field": "author_reach", "operator": "gte", "value": 10_000},
        ],
        actions=[{"type": "set_priority", "priority": "urgent"}, {"type": "add_tag", "tag": "VIP"}],
    )
    small = conversation(acme, "card declined", author="small", reach=10)
    big = conversation(acme, "card declined", author="big", reach=50_000)
    assert (small.team, small.assignee, small.priority) == (care, agent, Priority.NORMAL)
    assert (big.team, big.assignee, big.priority) == (care, agent, Priority.URGENT)
    assert list(big.tags.values_list("name", flat=True)) == ["vip"]
    assert not small.tags.exists()
    history = list(Activity.objects.filter(conversation=big).values_list("message", flat=True))
    assert "Rule “Complaints to care”: assigned to Social Care, " in history[0]
    assert "Rule “Big and angry”: priority set to urgent" in history


def test_a_rule_acts_once_per_conversation_so_it_never_undoes_people(owner, acme, make_member):
    a, b = make_member(acme, Role.AGENT), make_member(acme, Role.AGENT)
    care = team(owner, "Social Care", a, b)
    _rule(owner, actions=[{"type": "assign_team", "team": care.pk, "strategy": "round_robin"}])
    first = post(acme, "card declined", author="jo", external_id="500")
    arrive(acme, first)
    conv = Conversation.objects.get()
    Conversation.objects.filter(pk=conv.pk).update(assignee=b)  # a person changed it
    arrive(acme, post(acme, "still declined", author="jo", reply_to_external_id="500"))
    conv.refresh_from_db()
    assert conv.assignee == b
    assert RuleApplication.objects.filter(conversation=conv).count() == 1


def test_round_robin_takes_turns_and_stop_skips_later_rules(owner, acme, make_member):
    a, b = make_member(acme, Role.AGENT), make_member(acme, Role.AGENT)
    care = team(owner, "Social Care", a, b)
    _rule(
        owner,
        actions=[{"type": "assign_team", "team": care.pk, "strategy": "round_robin"}],
        stop=True,
    )
    _rule(owner, name="Tag all", conditions=[], actions=[{"type": "add_tag", "tag": "seen"}])
    people = [conversation(acme, "x", author=f"p{i}").assignee for i in range(4)]
    assert people == [a, b, a, b]
    assert not Conversation.objects.filter(tags__name="seen").exists()


def test_manager_strategy_and_notify_escalate_to_a_manager(owner, acme, make_member):
    agent, manager = make_member(acme, Role.AGENT), make_member(acme, Role.MANAGER)
    care = team(owner, "Social Care", agent, manager)
    _rule(
        owner,
        actions=[
            {"type": "assign_team", "team": care.pk, "strategy": "manager"},
            {"type": "notify", "role": "manager"},
            {"type": "open_case"},
        ],
    )
    conv = conversation(acme, "I am furious", author="loud", reach=90_000)
    assert conv.assignee == manager
    messages = list(conv.activities.values_list("message", flat=True))
    assert any(f"notified {manager.user.display_name}" in m for m in messages)
    assert any("opened case #" in m for m in messages)
    assert conv.cases.get().owner == manager


def test_rules_act_on_changes_too_and_a_disabled_rule_does_not(owner, acme):
    conv = conversation(acme, "where is my refund")
    lead = _rule(
        owner,
        name="Urgent",
        actions=[{"type": "set_priority", "priority": "urgent"}],
        enabled=False,
    )
    reroute(acme, [conv])
    conv.refresh_from_db()
    assert conv.priority != Priority.URGENT
    rule_actions.update_rule(owner, lead, enabled=True)
    reroute(acme, [conv])
    conv.refresh_from_db()
    assert conv.priority == Priority.URGENT


def test_dry_run_shows_what_would_match_and_what_it_would_do(owner, acme):
    care = team(owner, "Social Care")
    post(acme, "card declined", intent="complaint")
    post(acme, "love the app", intent="praise", sentiment="positive")
    preview = rule_actions.dry_run(
        owner,
        conditions=[{"field": "intent", "operator": "is", "value": "complaint"}],
        actions=[{"type": "assign_team", "team": care.pk, "strategy": "least_loaded"}],
    )
    assert preview.checked == 2
    assert [p.text for p in preview.hits] == ["card declined"]
    assert preview.would == ["assign to Social Care, to the least busy member"]
    assert preview.conditions == ["intent is complaint"]
    assert not Conversation.objects.exists()  # nothing was routed


def test_only_managers_manage_rules_and_names_are_unique(owner, acme, make_member):
    agent = make_member(acme, Role.AGENT)
    with pytest.raises(PermissionDenied, match="manager or above"):
        _rule(agent, actions=[{"type": "add_tag", "tag": "x"}])
    _rule(owner, actions=[{"type": "add_tag", "tag": "x"}])
    with pytest.raises(ValidationError, match="already a routing rule called"):
        _rule(owner, name="complaints TO care", actions=[{"type": "add_tag", "tag": "x"}])


def test_a_rule_cannot_point_at_another_workspaces_team(owner, globex):
    from rapport.core.models import Membership

    other = team(Membership.objects.get(workspace=globex, role=Role.OWNER), "Theirs")
    with pytest.raises(ValidationError, match=f"no team {other.pk} in this workspace"):
        _rule(owner, actions=[{"type": "assign_team", "team": other.pk}])


def test_a_triage_correction_moves_the_conversation_and_lets_rules_act(
    owner, acme, django_capture_on_commit_callbacks
):
    from rapport.triage.actions import correct_label

    sales = team(owner, "Sales")
    _rule(
        owner,
        name="Leads to Sales",
        conditions=[{"field": "intent", "operator": "is", "value": "lead"}],
        actions=[{"type": "assign_team", "team": sales.pk}],
    )
    conv = conversation(acme, "how do I open a business account?", intent="question")
    assert conv.team is None
    with django_capture_on_commit_callbacks(execute=True):
        correct_label(owner, conv.first_post, field="intent", value="lead")
    conv.refresh_from_db()
    assert conv.intent == "lead"
    assert conv.team == sales


@pytest.mark.django_db
def test_a_known_customers_tier_is_a_routing_fact(acme):
    from rapport.contacts.models import Contact, Identity
    from rapport.inbox.routing import contact_tiers

    gold, unknown = post(acme, author="dana"), post(acme, author="stranger")
    dana = Contact.objects.create(workspace=acme, name="Dana Scully", tier="gold")
    Identity.objects.filter(posts=gold).update(contact=dana)
    assert contact_tiers([gold, unknown]) == {gold.identity_id: "gold"}
