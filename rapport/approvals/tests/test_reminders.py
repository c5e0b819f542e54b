"""A pending approval that waits too long: its approvers are reminded after the workspace's
delay, then it is escalated above them; once each, recorded, and never for decided ones."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rapport.approvals import actions, reminders, tasks
from rapport.approvals.models import Approval
from rapport.cases.actions import create_case
from rapport.cases.approvals import request_case_approval
from rapport.core import actions as core
from rapport.core import schedule
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.notifications.models import Notification


@pytest.fixture
def people(acme, owner, make_member) -> dict[str, Membership]:
    people = {
        "owner": owner,
        "sam": make_member(acme, Role.AGENT, "sam@acme.example"),
        "maya": make_member(acme, Role.MANAGER, "maya@acme.example"),
        "tom": make_member(acme, Role.EMPLOYEE, "tom@acme.example"),
        "adam": make_member(acme, Role.ADMIN, "adam@acme.example"),
    }
    credit = core.create_team(owner, name="Credit")
    core.add_team_member(owner, credit, people["tom"])
    core.add_team_member(owner, credit, people["maya"])
    return people


def _ask(people, **asked) -> Approval:
    case = create_case(people["sam"], subject="Credit 80 for a late fee")
    return request_case_approval(people["sam"], case, amount=80, **asked)


def _notes(member: Membership, kind: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=member, kind=kind).values_list("text", flat=True)
    )


def test_the_approver_is_reminded_once_then_their_manager_is_told(people):
    start = timezone.now()
    approval = _ask(people, approver=people["tom"])
    assert reminders.remind_and_escalate(start + timedelta(hours=23)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert reminders.remind_and_escalate(start + timedelta(hours=25)) == {
        "reminded": 1,
        "escalated": 0,
    }
    (reminder,) = [t for t in _notes(people["tom"], "approval_requested") if "Reminder" in t]
    assert "has waited 25 hours for your decision" in reminder
    assert reminders.remind_and_escalate(start + timedelta(hours=30))["reminded"] == 0

    assert reminders.remind_and_escalate(start + timedelta(hours=73)) == {
        "reminded": 0,
        "escalated": 1,
    }
    (escalated,) = _notes(people["maya"], "escalated")  # Tom's manager in the Credit team
    assert "asked of tom@acme.example, has waited 3 days" in escalated
    assert _notes(people["adam"], "escalated") == []
    approval.refresh_from_db()
    assert approval.reminded_at is not None
    assert approval.escalated_at is not None
    event = AuditEvent.objects.get(verb="approval.escalate")
    assert event.actor is None
    assert event.after == {"escalated_to": ["maya@acme.example"]}
    assert reminders.remind_and_escalate(start + timedelta(days=9))["escalated"] == 0


def test_a_role_is_escalated_to_the_role_above(people):
    start = timezone.now()
    _ask(people, approver_role=Role.MANAGER)
    reminders.remind_and_escalate(start + timedelta(days=4))
    assert _notes(people["adam"], "escalated")
    assert not _notes(people["owner"], "escalated")
    assert any("Reminder" in t for t in _notes(people["maya"], "approval_requested"))


def test_the_workspace_chooses_the_delays(people):
    reminders.set_timers(people["adam"], remind_after_hours=2, escalate_after_hours="6")
    start = timezone.now()
    _ask(people, approver=people["tom"])
    assert reminders.remind_and_escalate(start + timedelta(hours=3)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert reminders.remind_and_escalate(start + timedelta(hours=7))["escalated"] == 1
    with pytest.raises(ValidationError, match="more than 2 hours"):
        reminders.set_timers(people["adam"], remind_after_hours=2, escalate_after_hours=2)
    with pytest.raises(ValidationError, match="'soon' is not a whole number"):
        reminders.set_timers(people["adam"], remind_after_hours="soon", escalate_after_hours=9)
    with pytest.raises(PermissionDenied, match="Only an admin"):
        reminders.set_timers(people["maya"], remind_after_hours=1, escalate_after_hours=9)


def test_decided_approvals_are_never_reminded(people):
    approval = _ask(people, approver=people["tom"])
    actions.decide(people["tom"], approval, decision="approve")
    assert reminders.remind_and_escalate(timezone.now() + timedelta(days=30)) == {
        "reminded": 0,
        "escalated": 0,
    }


def test_the_periodic_task_runs_the_pass_and_is_scheduled(people):
    _ask(people, approver=people["tom"])
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        assert tasks.remind_and_escalate_approvals.call() == {"reminded": 1, "escalated": 1}
    names = {p.name: p.task for p in schedule.registered()}
    assert names["approvals.remind"] is tasks.remind_and_escalate_approvals
    assert names["approvals.expire"] is tasks.expire_approvals


def test_the_command_reminds_and_says_how_many(people):
    from io import StringIO

    from django.core.management import call_command

    _ask(people, approver=people["tom"])
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(hours=30), tick=False):
        call_command("approvals", "remind", stdout=out)
    assert out.getvalue().strip() == "1 reminded, 0 escalated."


def test_a_team_is_escalated_above_its_highest_member(people, owner):
    seniors = core.create_team(owner, name="Senior credit officers")
    core.add_team_member(owner, seniors, people["maya"])
    start = timezone.now()
    _ask(people, approver_team=seniors)
    reminders.remind_and_escalate(start + timedelta(days=4))
    assert any("Reminder" in t for t in _notes(people["maya"], "approval_requested"))
    assert _notes(people["maya"], "escalated") == []
    assert _notes(people["adam"], "escalated")  # admin: the role above manager
