"""What approvals tell the others: asked, decided (in time or late), withdrawn, expired,
reminded, escalated, given files; each once, after the commit, naming what it is about."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rapport.approvals import actions, attachments, reminders
from rapport.approvals.models import Approval
from rapport.core import actions as core
from rapport.core.models import Membership, Team
from rapport.core.roles import Role


@pytest.fixture
def people(acme, owner, make_member) -> dict[str, Membership]:
    return {
        "agent": make_member(acme, Role.AGENT, "sam@acme.example"),
        "manager": make_member(acme, Role.MANAGER, "maya@acme.example"),
    }


@pytest.fixture
def team(owner) -> Team:
    return core.create_team(owner, name="Skunkworks")


def ask(people, team) -> Approval:
    return actions.request_approval(
        people["agent"], team, summary="Open Skunkworks", approver=people["manager"]
    )


def about(team: Team) -> dict[str, object]:
    return {"kind": "core.team", "object": team.pk}


def test_asked_then_decided_in_time(people, team, heard):
    approval = ask(people, team)
    actions.decide(people["manager"], approval, decision="reject", comment="No budget")
    assert [(e.name, e.object_id, e.actor_id, e.data) for e in heard] == [
        ("approval.requested", approval.pk, people["agent"].pk, about(team)),
        (
            "approval.decided",
            approval.pk,
            people["manager"].pk,
            {**about(team), "decision": "rejected", "in_time": True},
        ),
    ]


def test_a_decision_after_the_escalation_delay_is_late(people, team, heard):
    approval = ask(people, team)
    with time_machine.travel(
        timezone.now() + timedelta(hours=73), tick=False
    ):  # the default delay is 72 hours
        actions.decide(people["manager"], approval, decision="approve")
    assert heard[-1].name == "approval.decided"
    assert heard[-1].data["in_time"] is False


def test_withdrawn_and_expired_are_heard_as_such(people, team, heard):
    withdrawn = ask(people, team)
    actions.withdraw(people["agent"], withdrawn)
    expiring = actions.request_approval(
        people["agent"],
        team,
        summary="Open it anyway",
        approver=people["manager"],
        expires_in=timedelta(hours=1),
    )
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert actions.expire_due() == 1
    assert [(e.name, e.object_id, e.actor_id) for e in heard if "requested" not in e.name] == [
        ("approval.withdrawn", withdrawn.pk, people["agent"].pk),
        ("approval.expired", expiring.pk, None),
    ]


def test_reminded_escalated_and_given_files(people, team, heard):
    approval = ask(people, team)
    start = timezone.now()
    reminders.remind_and_escalate(start + timedelta(hours=25))
    reminders.remind_and_escalate(start + timedelta(hours=73))
    attachments.add_files(
        people["agent"],
        approval,
        [
            SimpleUploadedFile("budget.txt", b"Line 12", "text/plain"),
            SimpleUploadedFile("plan.txt", b"Q3", "text/plain"),
        ],
    )
    assert [(e.name, e.actor_id, e.data) for e in heard[1:]] == [
        ("approval.reminded", None, about(team)),
        ("approval.escalated", None, about(team)),
        ("approval.files_added", people["agent"].pk, {**about(team), "files": 2}),
    ]
