"""Approvals: asked of a person or a role, decided once, never by the requester, expiring,
with a comment to reject, and the object told of the decision."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from rapport.approvals import actions, registry, selectors
from rapport.approvals.models import Approval
from rapport.core import actions as core
from rapport.core.models import AuditEvent, Membership, Team
from rapport.core.roles import Role


@pytest.fixture
def people(acme, owner, make_member):
    return {
        "owner": owner,
        "agent": make_member(acme, Role.AGENT, "sam@acme.example"),
        "manager": make_member(acme, Role.MANAGER, "maya@acme.example"),
        "other_manager": make_member(acme, Role.MANAGER, "leo@acme.example"),
        "employee": make_member(acme, Role.EMPLOYEE, "ravi@acme.example"),
    }


@pytest.fixture
def team(owner) -> Team:
    return core.create_team(owner, name="Skunkworks")


@pytest.fixture
def decided(monkeypatch):
    """Records what the team's handler hears (a registered kind for the Team model)."""
    heard: list[tuple[str, str, dict]] = []

    def on_decided(approval: Approval, actor: Membership | None, edits: dict) -> None:
        heard.append((approval.state, actor.user.email if actor else "", edits))

    monkeypatch.setitem(registry.KINDS, "core.team", registry.ApprovalKind(on_decided, ("name",)))
    return heard


def ask(people, team, **kwargs) -> Approval:
    kwargs.setdefault("approver_role", Role.MANAGER)
    return actions.request_approval(people["agent"], team, summary="Open Skunkworks", **kwargs)


def test_a_manager_approves_once_and_the_object_hears_it(people, team, decided):
    approval = ask(people, team, reason="Budget line 12")
    actions.decide(people["manager"], approval, decision="approve", comment="Go ahead")
    approval.refresh_from_db()
    assert approval.state == Approval.State.APPROVED
    assert approval.decided_by == people["manager"]
    assert approval.subject == team
    assert decided == [("approved", "maya@acme.example", {})]
    with pytest.raises(ValidationError, match=r"already approved by maya@acme\.example on .*once"):
        actions.decide(people["other_manager"], approval, decision="reject", comment="No")
    assert decided == [("approved", "maya@acme.example", {})]
    assert AuditEvent.objects.filter(verb="approval.decide").count() == 1


def test_the_requester_never_decides_even_when_they_hold_the_role(people, team):
    approval = actions.request_approval(
        people["manager"], team, summary="Open Skunkworks", approver_role=Role.MANAGER
    )
    with pytest.raises(PermissionDenied, match="You asked for this approval"):
        actions.decide(people["manager"], approval, decision="approve")
    with pytest.raises(ValidationError, match="cannot approve your own"):
        actions.request_approval(people["agent"], team, summary="x", approver=people["agent"])


def test_only_the_person_or_role_asked_may_decide(people, team):
    of_maya = ask(people, team, approver=people["manager"], approver_role="")
    with pytest.raises(PermissionDenied, match=r"asked of maya@acme\.example"):
        actions.decide(people["other_manager"], of_maya, decision="approve")
    actions.withdraw(people["agent"], of_maya)
    of_managers = ask(people, team)
    with pytest.raises(PermissionDenied, match="asked of any manager"):
        actions.decide(people["employee"], of_managers, decision="approve")
    actions.decide(people["owner"], of_managers, decision="approve")  # owners are managers too


def test_rejecting_needs_a_reason(people, team, decided):
    approval = ask(people, team)
    with pytest.raises(ValidationError, match="Say why you reject it"):
        actions.decide(people["manager"], approval, decision="reject", comment="  ")
    with pytest.raises(ValidationError, match="“approve” or “reject”"):
        actions.decide(people["manager"], approval, decision="maybe")
    actions.decide(people["manager"], approval, decision="reject", comment="Not this quarter")
    approval.refresh_from_db()
    assert (approval.state, approval.comment) == ("rejected", "Not this quarter")
    assert decided == [("rejected", "maya@acme.example", {})]


def test_an_expired_approval_cannot_be_decided_and_is_marked_expired(people, team, decided):
    approval = ask(people, team, expires_in=timedelta(hours=1))
    Approval.objects.filter(pk=approval.pk).update(expires_at=timezone.now() - timedelta(minutes=5))
    approval.refresh_from_db()
    with pytest.raises(actions.ApprovalExpired, match=r"This approval expired at \d+ \w+ \d{4}"):
        actions.decide(people["manager"], approval, decision="approve")
    assert Approval.objects.get(pk=approval.pk).state == Approval.State.PENDING
    assert actions.expire_due() == 1
    approval.refresh_from_db()
    assert approval.state == Approval.State.EXPIRED
    assert decided == [("expired", "", {})]
    assert AuditEvent.objects.get(verb="approval.expire").actor is None
    assert actions.expire_due() == 0


def test_edits_are_only_of_the_fields_the_kind_allows(people, team, decided):
    approval = ask(people, team)
    with pytest.raises(ValidationError, match="Cannot edit description here; editable: name"):
        actions.decide(people["manager"], approval, decision="approve", edits={"description": "x"})
    actions.decide(people["manager"], approval, decision="approve", edits={"name": "Labs"})
    assert decided == [("approved", "maya@acme.example", {"name": "Labs"})]


def test_one_pending_approval_per_object(people, team):
    ask(people, team)
    with pytest.raises(ValidationError, match="already waits for an approval"):
        ask(people, team)


def test_withdraw_is_for_the_requester(people, team, decided):
    approval = ask(people, team)
    with pytest.raises(
        PermissionDenied,
        match="Only an admin or above may withdraw, add files to or delegate someone else's",
    ):
        actions.withdraw(people["manager"], approval)
    actions.withdraw(people["agent"], approval)
    approval.refresh_from_db()
    assert approval.state == Approval.State.WITHDRAWN
    with pytest.raises(ValidationError, match="already withdrawn"):
        actions.decide(people["manager"], approval, decision="approve")


def test_a_decision_is_heard_after_the_commit(people, team, heard):
    approval = ask(people, team)
    with transaction.atomic():
        actions.decide(people["manager"], approval, decision="approve")
        assert [e.name for e in heard] == ["approval.requested"]  # not before the commit
    decided = heard[-1]
    assert [e.name for e in heard] == ["approval.requested", "approval.decided"]
    assert (decided.object_id, decided.actor_id) == (approval.pk, people["manager"].pk)
    assert decided.data == {
        "kind": "core.team",
        "object": team.pk,
        "decision": "approved",
        "in_time": True,
    }


def test_approvers_see_what_is_asked_of_them_or_their_role(people, team):
    of_role = ask(people, team)
    other_team = core.create_team(people["owner"], name="Labs")
    of_maya = ask(people, other_team, approver=people["manager"], approver_role="")
    to_decide = lambda m: set(selectors.approvals(m))  # noqa: E731
    assert to_decide(people["manager"]) == {of_role, of_maya}
    assert to_decide(people["other_manager"]) == {of_role}
    assert to_decide(people["employee"]) == set()
    assert to_decide(people["agent"]) == set()  # their own requests are not theirs to decide
    assert set(selectors.approvals(people["agent"], scope="requested")) == {of_role, of_maya}
    assert selectors.pending_count(people["manager"]) == 2
    with pytest.raises(Http404):
        selectors.access_approval(people["employee"], of_role.pk)
    assert selectors.access_approval(people["agent"], of_role.pk) == of_role


def test_another_workspace_cannot_see_or_reach_an_approval(people, team, globex):
    approval = ask(people, team)
    boss = globex.memberships.get()
    with pytest.raises(Http404):
        selectors.access_approval(boss, approval.pk)
    assert list(selectors.approvals(boss, scope="all", state="all")) == []
    with pytest.raises(PermissionDenied):
        actions.decide(boss, approval, decision="approve")
    with pytest.raises(PermissionDenied, match="in your workspace"):
        actions.request_approval(boss, team, summary="x", approver_role=Role.MANAGER)
