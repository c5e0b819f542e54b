"""One way to perform each approvals action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rapport.approvals import actions, attachments, delegations, reminders
from rapport.approvals.models import Approval
from rapport.cases.actions import create_case
from rapport.cases.approvals import request_case_approval
from rapport.core import actions as core
from rapport.core.models import Membership
from rapport.core.roles import Role


def ask(owner: Membership, requester: Membership | None = None) -> Approval:
    """An approval of a team's creation, asked of any manager by `requester` (a new agent)."""
    requester = requester or core.add_member(owner, email="ask@acme.example", role=Role.AGENT)
    team = core.create_team(owner, name="Skunkworks")
    return actions.request_approval(
        requester, team, summary="Open the Skunkworks team", approver_role=Role.MANAGER
    )


def _today() -> str:
    return timezone.localdate().isoformat()


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "approval.request": lambda o: ask(o, requester=o),
    "approval.decide": lambda o: actions.decide(o, ask(o), decision="approve"),
    "approval.withdraw": lambda o: actions.withdraw(o, ask(o, requester=o)),
    "approval.delegate": lambda o: delegations.delegate(
        o,
        to=core.add_member(o, email="stand-in@acme.example", role=Role.AGENT),
        starts_on=_today(),
        ends_on=_today(),
    ),
    "approval.delegation_end": lambda o: delegations.end_delegation(
        o,
        delegations.delegate(
            o,
            to=core.add_member(o, email="back@acme.example", role=Role.AGENT),
            starts_on=_today(),
            ends_on=_today(),
        ),
    ),
    "approval.timers": lambda o: reminders.set_timers(
        o, remind_after_hours=8, escalate_after_hours=24
    ),
    "approval.add_files": lambda o: attachments.add_files(
        o,
        ask(o, requester=o),
        [SimpleUploadedFile("note.txt", b"Budget line 12", "text/plain")],
    ),
    "case.approval.request": lambda o: request_case_approval(
        o,
        create_case(o, subject="Credit back a double charge"),
        approver=core.add_member(o, email="credit@acme.example", role=Role.MANAGER),
        amount="120.00",
    ),
}
