"""Approvals on cases: asked of a person, a role or a team; the case waits on it; decided once,
never by the requester; the case resumes and hears the decision; attachments are checked."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.approvals import actions as approvals
from rapport.approvals.models import Approval
from rapport.cases import actions
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Case, Status
from rapport.core import actions as core
from rapport.core import hooks
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.notifications.models import Notification


@pytest.fixture
def people(acme, owner, make_member) -> dict[str, Membership]:
    return {
        "owner": owner,
        "sam": make_member(acme, Role.AGENT, "sam@acme.example"),
        "ingrid": make_member(acme, Role.MANAGER, "ingrid@acme.example"),
        "leo": make_member(acme, Role.MANAGER, "leo@acme.example"),
        "tom": make_member(acme, Role.EMPLOYEE, "tom@acme.example"),
    }


@pytest.fixture
def case(people) -> Case:
    return actions.create_case(people["sam"], subject="Mortgage payment taken twice")


@pytest.fixture
def decided(monkeypatch):
    """What the `case.approval_deciding` hook hears, inside the deciding transaction."""
    got: list[tuple[int, str, str]] = []

    def hear(case, approval, actor):
        got.append((case.pk, approval.state, actor.user.email if actor else ""))

    verb = "case.approval_deciding"
    monkeypatch.setitem(hooks.HOOKS, verb, [*hooks.HOOKS.get(verb, []), hooks.Hook(verb, hear)])
    return got


def test_a_person_is_asked_the_case_waits_and_resumes_when_approved(people, case, decided):
    approval = request_case_approval(
        people["sam"], case, approver=people["ingrid"], amount="1,250.50", reason="Taken twice"
    )
    case.refresh_from_db()
    assert case.status == Status.WAITING_APPROVAL
    assert approval.amount == Decimal("1250.50")
    assert approval.summary == f"Approve 1,250.50 on case #{case.pk}: Mortgage payment taken twice"
    note = Notification.objects.get(recipient=people["ingrid"])
    assert "asks you to approve of 1,250.50" in note.text
    assert note.url == f"/w/acme/cases/{case.pk}/"

    approvals.decide(people["ingrid"], approval, decision="approve", comment="Fine")
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert decided == [(case.pk, "approved", "ingrid@acme.example")]
    assert Notification.objects.filter(recipient=people["sam"], kind="approval_decided").exists()
    verbs = list(AuditEvent.objects.filter(workspace=case.workspace).values_list("verb", flat=True))
    assert {"case.approval.request", "approval.decide", "case.transition"} <= set(verbs)


def test_the_requester_can_never_approve_their_own_request(people, case):
    approval = request_case_approval(people["ingrid"], case, approver_role=Role.MANAGER)
    with pytest.raises(PermissionDenied, match="You asked for this approval"):
        approvals.decide(people["ingrid"], approval, decision="approve")
    assert not approval.may_decide(people["ingrid"])
    approvals.decide(people["leo"], approval, decision="approve")
    with pytest.raises(ValidationError, match="cannot approve your own"):
        request_case_approval(people["sam"], case, approver=people["sam"])


def test_a_rejection_needs_a_reason_and_the_case_resumes_with_it(people, case, decided):
    approval = request_case_approval(people["sam"], case, approver=people["ingrid"], amount=80)
    with pytest.raises(ValidationError, match="Say why you reject it"):
        approvals.decide(people["ingrid"], approval, decision="reject")
    approvals.decide(people["ingrid"], approval, decision="reject", comment="Goodwill only")
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert decided == [(case.pk, "rejected", "ingrid@acme.example")]
    text = Notification.objects.get(recipient=people["sam"], kind="approval_decided").text
    assert "was rejected by ingrid@acme.example: Goodwill only" in text


def test_a_decision_on_a_decided_approval_is_refused_and_changes_nothing(people, case):
    approval = request_case_approval(people["sam"], case, approver_role=Role.MANAGER)
    approvals.decide(people["ingrid"], approval, decision="approve")
    with pytest.raises(ValidationError, match=r"already approved by ingrid@acme\.example") as err:
        approvals.decide(people["leo"], approval, decision="reject", comment="No")
    assert err.value.code == "decided"
    approval.refresh_from_db()
    assert (approval.state, approval.decided_by) == ("approved", people["ingrid"])


def test_a_team_is_asked_and_only_its_members_decide(people, case, owner):
    team = core.create_team(owner, name="Senior credit officers")
    core.add_team_member(owner, team, people["ingrid"])
    approval = request_case_approval(people["sam"], case, approver_team=team, amount=900)
    assert approval.asked_of == "the Senior credit officers team"
    assert Notification.objects.filter(recipient=people["ingrid"]).count() == 1
    assert not approval.may_decide(people["leo"])
    with pytest.raises(PermissionDenied, match="asked of the Senior credit officers team"):
        approvals.decide(people["leo"], approval, decision="approve")
    approvals.decide(people["ingrid"], approval, decision="approve")


def test_a_team_with_nobody_else_in_it_is_refused(people, case, owner):
    team = core.create_team(owner, name="Just Sam")
    core.add_team_member(owner, team, people["sam"])
    with pytest.raises(ValidationError, match="nobody could decide"):
        request_case_approval(people["sam"], case, approver_team=team)
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert not Approval.objects.exists()


def test_a_role_is_asked_and_anyone_holding_it_decides(people, case):
    approval = request_case_approval(people["tom"], case, approver_role=Role.MANAGER)
    asked = Notification.objects.filter(kind="approval_requested")
    notified = set(asked.values_list("recipient__user__email", flat=True))
    assert notified == {"ingrid@acme.example", "leo@acme.example"}
    assert not approval.may_decide(people["sam"])  # an agent is below manager
    approvals.decide(people["owner"], approval, decision="approve")  # owner is above


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"approver_role": "manager", "amount": "-5"}, "more than zero"),
        ({"approver_role": "manager", "amount": "12.345"}, "two decimals"),
        ({"approver_role": "manager", "amount": "lots"}, "is not an amount"),
        ({}, "Ask one person, one role or one team"),
        ({"approver_role": "chief"}, "Unknown role 'chief'"),
        ({"approver_role": "viewer"}, "Viewers change nothing"),
    ],
)
def test_bad_requests_name_the_problem_and_leave_the_case_as_it_was(people, case, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        request_case_approval(people["sam"], case, **kwargs)
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert not Approval.objects.exists()


def test_a_resolved_case_cannot_wait_on_an_approval(people, case):
    actions.transition(people["sam"], case, to="resolved")
    with pytest.raises(ValidationError, match="resolved; reopen it"):
        request_case_approval(people["sam"], case, approver=people["ingrid"])


def test_one_pending_approval_at_a_time_per_case(people, case):
    request_case_approval(people["sam"], case, approver=people["ingrid"])
    with pytest.raises(ValidationError, match="already waits for an approval"):
        request_case_approval(people["sam"], case, approver=people["leo"])


def test_a_withdrawn_request_resumes_the_case(people, case):
    approval = request_case_approval(people["sam"], case, approver=people["ingrid"])
    approvals.withdraw(people["sam"], approval)
    case.refresh_from_db()
    assert case.status == Status.OPEN


def test_another_workspaces_case_or_approver_is_refused(people, case, globex, make_member):
    stranger = make_member(globex, Role.MANAGER, "boss@globex.example")
    with pytest.raises(ValidationError, match="member of this workspace"):
        request_case_approval(people["sam"], case, approver=stranger)
    with pytest.raises(ValidationError, match="another workspace"):
        request_case_approval(stranger, case, approver=people["ingrid"])


def test_attachments_are_stored_and_bad_ones_refused_by_name(people, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 the statement", "application/pdf")
    approval = request_case_approval(
        people["sam"], case, approver=people["ingrid"], attachments=[pdf]
    )
    (stored,) = approval.attachments.all()
    assert (stored.name, stored.content_type, stored.size) == (
        "statement.pdf",
        "application/pdf",
        22,
    )
    assert stored.file.read() == b"%PDF-1.4 the statement"
    assert str(tmp_path) in stored.file.path
    assert "statement" not in str(stored.file.name)
    approvals.withdraw(people["sam"], approval)

    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError, match=r"invoice\.pdf does not look like a \.pdf file"):
        request_case_approval(people["sam"], case, approver=people["ingrid"], attachments=[fake])
    exe = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    with pytest.raises(ValidationError, match=r"run\.exe: this kind of file cannot be attached"):
        request_case_approval(people["sam"], case, approver=people["ingrid"], attachments=[exe])
    big = SimpleUploadedFile("big.txt", b"a" * (10 * 1024 * 1024 + 1), "text/plain")
    with pytest.raises(ValidationError, match=r"big\.txt is 10\.0 MB; at most 10\.0 MB a file"):
        request_case_approval(people["sam"], case, approver=people["ingrid"], attachments=[big])
    assert Approval.objects.filter(state="pending").count() == 0


def test_an_expired_approval_resumes_the_case_as_the_machines_write(people, case, decided):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    approval = request_case_approval(
        people["sam"], case, approver=people["ingrid"], expires_in=timedelta(hours=2)
    )
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert approvals.expire_due() == 1
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert decided == [(case.pk, "expired", "")]
    resumed = AuditEvent.objects.filter(verb="case.transition").latest("id")
    assert resumed.actor is None
    assert resumed.after is not None
    assert resumed.after["because"] == f"approval #{approval.pk} expired"
    text = Notification.objects.get(recipient=people["sam"], kind="approval_decided").text
    assert "expired before anyone decided it" in text


def test_a_rolled_back_request_leaves_no_file_behind_once_swept(
    people, case, settings, tmp_path, monkeypatch
):
    import os
    import time

    from rapport.approvals import attachments
    from rapport.cases import approvals as case_approvals

    settings.MEDIA_ROOT = tmp_path

    def broken_notify(*args, **kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(case_approvals, "notify", broken_notify)
    pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 x", "application/pdf")
    with pytest.raises(RuntimeError):
        request_case_approval(people["sam"], case, approver=people["ingrid"], attachments=[pdf])
    assert not Approval.objects.exists()
    (left,) = list((tmp_path / "approvals").rglob("*.pdf"))
    # just written, by Python's clock (RAPPORT_TEST_CLOCK may move it, not the file system's)
    os.utime(left, (time.time(), time.time()))
    assert attachments.remove_orphans() == 0  # too fresh: a request may still be in flight
    os.utime(left, (time.time() - 7200, time.time() - 7200))
    monkeypatch.undo()
    kept = request_case_approval(
        people["sam"],
        case,
        approver=people["ingrid"],
        attachments=[SimpleUploadedFile("kept.pdf", b"%PDF-1.4 y", "application/pdf")],
    )
    (stored,) = kept.attachments.all()
    os.utime(stored.file.path, (time.time() - 7200, time.time() - 7200))
    assert attachments.remove_orphans() == 1
    assert not left.exists()
    assert stored.file.read() == b"%PDF-1.4 y"
