"""The routing action "open a case": a rule opens a case for a conversation, of a type (whose
playbook then starts) and for a team, both checked against the rule's workspace."""

import pytest
from django.core.exceptions import ValidationError

from rapport.cases.models import Case, CaseType
from rapport.core.models import Membership
from rapport.core.priority import Priority
from rapport.core.roles import Role
from rapport.inbox import rule_actions
from rapport.inbox.intake import reroute
from rapport.inbox.models import Activity
from rapport.inbox.registry import ACTION_TYPES
from rapport.inbox.tests.factories import conversation, team
from rapport.playbooks.models import PlaybookRun
from rapport.playbooks.tests.factories import bank


def _rule(owner: Membership, *actions: dict, conditions: list | None = None):
    return rule_actions.create_rule(
        owner, name="Disputes", conditions=conditions or [], actions=list(actions)
    )


def test_open_case_is_registered_by_cases_after_the_inbox_own_actions():
    assert list(ACTION_TYPES) == [
        "assign_team",
        "assign_person",
        "set_priority",
        "add_tag",
        "notify",
        "open_case",
        "add_to_idea",  # ideas' (rapport/ideas/routing.py)
    ]
    assert ACTION_TYPES["open_case"].label == "open a case"


def test_a_stored_rule_without_parameters_opens_an_untyped_case_for_the_conversations_team(
    owner, acme, make_member
):
    agent = make_member(acme, Role.AGENT)
    care = team(owner, "Social Care", agent)
    rule = _rule(
        owner,
        {"type": "assign_team", "team": care.pk, "strategy": "least_loaded"},
        {"type": "set_priority", "priority": "high"},
        {"type": "open_case"},
    )
    assert rule.actions[-1] == {"type": "open_case"}  # stored as before: no parameters
    conv = conversation(acme, "You charged me twice", author="payer")
    case = Case.objects.get(conversation=conv)
    assert (case.case_type, case.team, case.owner) == (None, care, agent)
    assert case.priority == Priority.HIGH
    assert case.subject == conv.subject
    opened = conv.activities.get(kind=Activity.Kind.RULE, data__case=case.pk)
    assert opened.message == f"Rule “Disputes”: opened case #{case.pk} (for Social Care)"


def test_a_typed_case_for_another_team_starts_its_playbook(owner, acme):
    b = bank(owner)
    credit = owner.workspace.teams.get(name="Credit")
    care = owner.workspace.teams.get(name="Social Care")
    _rule(
        owner,
        {"type": "assign_team", "team": care.pk, "strategy": "least_loaded"},
        {"type": "open_case", "case_type": b.case_type.pk, "team": credit.pk},
    )
    conv = conversation(acme, "Acme took my mortgage payment twice", author="payer")
    assert (conv.team, conv.assignee) == (care, b.sam)  # the conversation stays with Care
    case = Case.objects.get(conversation=conv)
    assert (case.case_type, case.team, case.owner, case.status) == (
        b.case_type,
        credit,
        b.sam,
        "open",
    )
    run = PlaybookRun.objects.get(case=case)
    assert run.playbook == b.playbook
    assert run.status == PlaybookRun.Status.RUNNING
    messages = list(conv.activities.values_list("message", flat=True))
    assert f"Rule “Disputes”: opened case #{case.pk} (Payment dispute, for Credit)" in messages


def test_a_typed_case_without_an_owner_waits_for_one_before_its_playbook(owner, acme):
    b = bank(owner)
    _rule(owner, {"type": "open_case", "case_type": b.case_type.pk})
    conv = conversation(acme, "Charged twice for my card", author="payer")
    case = Case.objects.get(conversation=conv)
    assert (case.case_type, case.owner, case.status) == (b.case_type, None, "new")
    assert not PlaybookRun.objects.filter(case=case).exists()


def test_one_case_per_conversation_even_when_two_rules_say_so(owner, acme):
    _rule(owner, {"type": "open_case"})
    rule_actions.create_rule(
        owner, name="Also disputes", conditions=[], actions=[{"type": "open_case"}]
    )
    conv = conversation(acme, "I was charged twice", author="payer")
    case = Case.objects.get(conversation=conv)
    reroute(acme, [conv])
    assert Case.objects.filter(conversation=conv).count() == 1
    messages = list(conv.activities.values_list("message", flat=True))
    assert f"Rule “Also disputes”: case #{case.pk} is already open" in messages


def test_a_rule_whose_case_cannot_be_opened_says_why(owner, acme):
    strict = CaseType.objects.create(
        workspace=acme,
        name="Complaint",
        schema={"type": "object", "required": ["product"], "properties": {"product": {}}},
    )
    _rule(owner, {"type": "open_case", "case_type": strict.pk})
    conv = conversation(acme, "Charged twice", author="payer")
    assert not Case.objects.exists()
    message = conv.activities.get(kind=Activity.Kind.RULE).message
    assert message.startswith("Rule “Disputes”: no case was opened: ")
    assert "product" in message


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"type": "open_case", "case_type": "dispute"}, "case_type must be a whole number"),
        ({"type": "open_case", "case_type": 999_999}, "no case type 999999 in this workspace"),
        ({"type": "open_case", "team": 999_999}, "no team 999999 in this workspace"),
        ({"type": "open_case", "owner": 1}, "open_case takes no 'owner'"),
    ],
)
def test_bad_parameters_are_refused_naming_the_problem(owner, step, message):
    with pytest.raises(ValidationError, match=message):
        _rule(owner, step)


def test_another_workspaces_case_type_and_team_are_unknown(owner, globex):
    theirs = Membership.objects.get(workspace=globex, role=Role.OWNER)
    their_type = CaseType.objects.create(workspace=globex, name="Payment dispute")
    their_team = team(theirs, "Back office")
    with pytest.raises(ValidationError, match=f"no case type {their_type.pk} in this workspace"):
        _rule(owner, {"type": "open_case", "case_type": their_type.pk})
    with pytest.raises(ValidationError, match=f"no team {their_team.pk} in this workspace"):
        _rule(owner, {"type": "open_case", "team": their_team.pk})


def test_an_unknown_action_is_refused_naming_open_case_among_the_known(owner):
    with pytest.raises(ValidationError, match=r"unknown action 'escalate'; use one of .*open_case"):
        _rule(owner, {"type": "escalate"})


def test_it_is_described_in_words(owner, acme):
    disputes = CaseType.objects.create(workspace=acme, name="Payment dispute")
    back_office = team(owner, "Back office")
    words = rule_actions.describe_actions(
        owner,
        [
            {"type": "open_case"},
            {"type": "open_case", "case_type": disputes.pk, "team": back_office.pk},
            {"type": "open_case", "team": back_office.pk},
        ],
    )
    assert words == [
        "open a case",
        "open a Payment dispute case for Back office",
        "open a case for Back office",
    ]
    preview = rule_actions.dry_run(
        owner,
        conditions=[],
        actions=[{"type": "open_case", "case_type": disputes.pk, "team": back_office.pk}],
    )
    assert preview.would == ["open a Payment dispute case for Back office"]
    assert not Case.objects.exists()
