"""The cases domain as its users meet it: the state machine, tasks, comments and tenancy."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from rapport.cases import actions
from rapport.cases.access import access_case, access_task
from rapport.cases.models import Case, Status, Task
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation


def _case(member: Membership, **kw) -> Case:
    return actions.create_case(member, subject=kw.pop("subject", "Charged twice"), **kw)


def test_a_case_walks_the_state_machine_and_keeps_its_times(owner):
    case = _case(owner)
    assert case.status == Status.NEW
    for to in ["open", "waiting_approval", "open", "waiting_customer", "resolved"]:
        actions.transition(owner, case, to=to)
    assert case.resolved_at is not None
    actions.transition(owner, case, to="closed")
    assert case.closed_at is not None
    actions.transition(owner, case, to="open")
    case.refresh_from_db()
    assert (case.status, case.resolved_at, case.closed_at) == ("open", None, None)
    assert AuditEvent.objects.filter(verb="case.transition").count() == 7


def test_a_disallowed_transition_names_both_states_and_changes_nothing(owner):
    case = _case(owner)
    events = AuditEvent.objects.count()
    with pytest.raises(actions.TransitionError, match="from new to closed"):
        actions.transition(owner, case, to="closed")
    with pytest.raises(actions.TransitionError, match="Unknown status 'done'"):
        actions.transition(owner, case, to="done")
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert AuditEvent.objects.count() == events


def test_resolving_needs_every_task_finished(owner):
    case = _case(owner)
    task = actions.add_task(owner, case, title="Refund the fee")
    with pytest.raises(actions.TransitionError, match="1 task still open"):
        actions.transition(owner, case, to="resolved")
    actions.update_task(owner, task, status="done")
    actions.transition(owner, case, to="resolved")
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_transitions_check_the_role(acme, owner, make_member):
    employee = make_member(acme, Role.EMPLOYEE)
    agent = make_member(acme, Role.AGENT)
    case = _case(owner)
    actions.transition(employee, case, to="open")
    with pytest.raises(PermissionDenied, match="agent or above may resolve"):
        actions.transition(employee, case, to="resolved")
    actions.transition(agent, case, to="resolved")
    actions.transition(agent, case, to="closed")
    with pytest.raises(PermissionDenied, match="manager or above may reopen"):
        actions.transition(agent, case, to="open")
    assert [to for to, _ in actions.allowed_transitions(owner, case)] == ["open"]
    assert actions.allowed_transitions(agent, case) == []


def test_viewers_cannot_open_cases(acme, make_member):
    with pytest.raises(PermissionDenied):
        _case(make_member(acme, Role.VIEWER))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"subject": "  "}, "subject is required"),
        ({"subject": "x" * 201}, "at most 200"),
        ({"priority": "whenever"}, "Unknown priority"),
        ({"tags": "vip"}, "list of words"),
        ({"custom_fields": {"amount": 5}}, "need a case type"),
    ],
)
def test_bad_case_input_is_refused_clearly(owner, kw, message):
    with pytest.raises(ValidationError, match=message):
        _case(owner, **kw)
    assert not Case.objects.exists()


def test_a_task_due_in_the_past_is_refused(owner):
    case = _case(owner)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="is in the past"):
        actions.add_task(owner, case, title="Late", due_date=yesterday.isoformat())
    with pytest.raises(ValidationError, match="not a date"):
        actions.add_task(owner, case, title="Late", due_date="next tuesday")
    assert not Task.objects.exists()


def test_back_office_assignee_completes_a_task_with_a_checklist(acme, owner, make_member):
    officer = make_member(acme, Role.EMPLOYEE)
    case = _case(owner)
    task = actions.add_task(
        owner,
        case,
        title="Approve the credit",
        assignee=officer,
        due_date=timezone.localdate().isoformat(),
        checklist=["Check the amount", {"text": "Sign", "done": False}],
    )
    assert officer in case.watchers.all()
    actions.update_task(
        officer,
        task,
        status="done",
        checklist=[{"text": "Check the amount", "done": True}, {"text": "Sign", "done": True}],
    )
    task.refresh_from_db()
    assert task.status == "done"
    assert task.done_at is not None
    assert all(item["done"] for item in task.checklist)
    with pytest.raises(ValidationError, match="Item 1"):
        actions.update_task(owner, task, checklist=[{"text": ""}])
    with pytest.raises(ValidationError, match="is in the past"):
        actions.update_task(owner, task, due_date="2001-01-01")
    actions.update_task(owner, task, due_date=timezone.localdate().isoformat(), title="Approve it")
    assert Task.objects.get(pk=task.pk).title == "Approve it"


def test_comments_mention_people_and_public_updates_need_an_agent(acme, owner, make_member):
    employee = make_member(acme, Role.EMPLOYEE, email="sam@acme.example")
    case = _case(owner)
    comment = actions.add_comment(owner, case, body="@sam can you check the ledger?")
    assert list(comment.mentions.all()) == [employee]
    assert employee in case.watchers.all()
    with pytest.raises(ValidationError, match="@nobody"):
        actions.add_comment(owner, case, body="@nobody look")
    with pytest.raises(PermissionDenied, match="public updates"):
        actions.add_comment(employee, case, body="Fixed!", public=True)
    update = actions.add_comment(owner, case, body="We are refunding you.", public=True)
    assert update.public


def test_opening_a_case_from_a_conversation_keeps_the_link(owner):
    conv = conversation(owner.workspace, "You charged me twice for my mortgage", author="payer")
    case = actions.open_case_from_conversation(owner, conv, priority="high")
    assert case.conversation == conv
    assert case.post == conv.first_post
    assert case.subject == conv.subject
    assert "charged me twice" in case.description
    assert list(conv.cases.all()) == [case]


def test_custom_fields_must_be_an_object(owner):
    kind = actions.create_case_type(owner, name="Payment dispute", schema={"type": "object"})
    with pytest.raises(ValidationError, match="already a case type"):
        actions.create_case_type(owner, name="payment dispute")
    with pytest.raises(ValidationError, match="must be a JSON object"):
        actions.create_case_type(owner, name="Other", schema=["x"])
    case = _case(owner, case_type=kind, custom_fields={"amount": 620})
    with pytest.raises(ValidationError, match="object of names"):
        actions.update_case(owner, case, custom_fields=[1])
    assert Case.objects.get(pk=case.pk).custom_fields == {"amount": 620}


def test_another_workspaces_case_and_task_are_404(owner, globex):
    case = _case(owner)
    task = actions.add_task(owner, case, title="Call back")
    stranger = Membership.objects.get(workspace=globex, role=Role.OWNER)
    with pytest.raises(Http404):
        access_case(stranger, case.pk)
    with pytest.raises(Http404):
        access_task(stranger, task.pk)
    assert access_case(owner, case.pk) == case
    with pytest.raises(ValidationError, match="another workspace"):
        actions.add_task(stranger, case, title="Meddle")


def test_a_routing_rule_opens_one_case_per_conversation(owner, acme):
    from rapport.inbox import rule_actions
    from rapport.inbox.intake import reroute

    rule_actions.create_rule(
        owner,
        name="Disputes become cases",
        conditions=[],
        actions=[{"type": "open_case"}],
    )
    conv = conversation(acme, "I was charged twice", author="payer")
    case = Case.objects.get(conversation=conv)
    assert case.subject == conv.subject
    reroute(acme, [conv])
    assert Case.objects.filter(conversation=conv).count() == 1
    messages = list(conv.activities.values_list("message", flat=True))
    assert any(f"opened case #{case.pk}" in m for m in messages)
