"""Delegation while away: the delegate decides on the away member's behalf for a range of days,
and the decision and the audit log say so; outside the range, or after it is ended, they cannot."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rapport.approvals import actions, delegations, selectors
from rapport.approvals.models import Approval
from rapport.cases.actions import create_case
from rapport.cases.approvals import request_case_approval
from rapport.core import actions as core
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.notifications.models import Notification


@pytest.fixture
def people(acme, owner, make_member) -> dict[str, Membership]:
    return {
        "owner": owner,
        "sam": make_member(acme, Role.AGENT, "sam@acme.example"),
        "ingrid": make_member(acme, Role.MANAGER, "ingrid@acme.example"),
        "tom": make_member(acme, Role.EMPLOYEE, "tom@acme.example"),
        "ravi": make_member(acme, Role.EMPLOYEE, "ravi@acme.example"),
    }


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _ask(people, approver: str = "ingrid") -> Approval:
    case = create_case(people["sam"], subject="Refund a double charge")
    return request_case_approval(people["sam"], case, approver=people[approver], amount=300)


def test_the_delegate_decides_on_behalf_of_the_away_approver(people):
    delegations.delegate(people["ingrid"], to=people["tom"], starts_on=_days(0), ends_on=_days(6))
    approval = _ask(people)
    assert Notification.objects.filter(recipient=people["tom"], kind="approval_requested").exists()
    assert approval in selectors.approvals(people["tom"])
    assert approval.may_decide(people["tom"])
    actions.decide(people["tom"], approval, decision="approve", comment="As agreed")
    approval.refresh_from_db()
    assert approval.decided_by == people["tom"]
    assert approval.on_behalf_of == people["ingrid"]
    assert approval.decided_by_label == "tom@acme.example on behalf of ingrid@acme.example"
    event = AuditEvent.objects.get(verb="approval.decide")
    assert event.after is not None
    assert event.after["decided"] == "tom@acme.example on behalf of ingrid@acme.example"
    assert event.after["on_behalf_of"] == people["ingrid"].pk


def test_the_away_approver_may_still_decide_themselves(people):
    delegations.delegate(people["ingrid"], to=people["tom"], starts_on=_days(0), ends_on=_days(2))
    approval = _ask(people)
    actions.decide(people["ingrid"], approval, decision="approve")
    approval.refresh_from_db()
    assert approval.on_behalf_of is None


def test_outside_the_dates_or_once_ended_the_delegate_may_not_decide(people):
    delegation = delegations.delegate(
        people["ingrid"], to=people["tom"], starts_on=_days(3), ends_on=_days(5)
    )
    approval = _ask(people)
    assert not approval.may_decide(people["tom"])
    assert approval not in selectors.approvals(people["tom"])
    with pytest.raises(PermissionDenied, match=r"asked of ingrid@acme\.example"):
        actions.decide(people["tom"], approval, decision="approve")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=False):
        assert approval.may_decide(people["tom"])
        delegations.end_delegation(people["ingrid"], delegation)
        assert not approval.may_decide(people["tom"])


def test_a_delegate_never_approves_a_request_of_their_own(people):
    delegations.delegate(people["ingrid"], to=people["sam"], starts_on=_days(0), ends_on=_days(1))
    approval = _ask(people)  # asked by Sam, of Ingrid
    assert not approval.may_decide(people["sam"])
    with pytest.raises(PermissionDenied, match="You asked for this approval"):
        actions.decide(people["sam"], approval, decision="approve")


def test_a_delegate_stands_in_for_a_role_or_team_the_away_member_holds(people, owner):
    team = core.create_team(owner, name="Senior credit officers")
    core.add_team_member(owner, team, people["ingrid"])
    delegations.delegate(people["ingrid"], to=people["ravi"], starts_on=_days(0), ends_on=_days(1))
    case = create_case(people["sam"], subject="Waive a fee")
    approval = request_case_approval(people["sam"], case, approver_team=team)
    assert approval.may_decide(people["ravi"])
    actions.decide(people["ravi"], approval, decision="approve")
    approval.refresh_from_db()
    assert approval.on_behalf_of == people["ingrid"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to": "ingrid"}, "Choose someone else"),
        ({"starts_on": 3, "ends_on": 1}, r"before the first"),
        ({"starts_on": -5, "ends_on": -1}, "is in the past"),
        ({"starts_on": "soon"}, "'soon' is not a date"),
        ({"starts_on": 0, "ends_on": 400}, "at most 366 days"),
    ],
)
def test_bad_delegations_are_refused_with_the_reason(people, kwargs, message):
    to = people[kwargs.pop("to", "tom")]
    dates = {k: _days(v) if isinstance(v, int) else v for k, v in kwargs.items()}
    dates = {"starts_on": _days(0), "ends_on": _days(2), **dates}
    with pytest.raises(ValidationError, match=message):
        delegations.delegate(
            people["ingrid"], to=to, starts_on=dates["starts_on"], ends_on=dates["ends_on"]
        )


def test_overlapping_delegations_and_other_peoples_are_refused(people, globex, make_member):
    delegations.delegate(people["ingrid"], to=people["tom"], starts_on=_days(0), ends_on=_days(5))
    with pytest.raises(ValidationError, match=r"already delegates to tom@acme\.example"):
        delegations.delegate(
            people["ingrid"], to=people["ravi"], starts_on=_days(4), ends_on=_days(8)
        )
    with pytest.raises(PermissionDenied, match="Only an admin"):
        delegations.delegate(
            people["sam"],
            to=people["ravi"],
            delegator=people["ingrid"],
            starts_on=_days(6),
            ends_on=_days(7),
        )
    stranger = make_member(globex, Role.MANAGER, "boss@globex.example")
    with pytest.raises(ValidationError, match="member of this workspace"):
        delegations.delegate(people["sam"], to=stranger, starts_on=_days(0), ends_on=_days(1))
    mine = delegations.delegations_of(people["tom"])
    assert [d.delegator for d in mine] == [people["ingrid"]]
    with pytest.raises(
        PermissionDenied,
        match="Only an admin or above may withdraw, add files to or delegate someone else's",
    ):
        delegations.end_delegation(people["tom"], mine[0])
