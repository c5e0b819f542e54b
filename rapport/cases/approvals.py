"""Approvals on cases: asking a person, a role or a team to approve (a credit, a refund) while
the case waits on it, and resuming the case when the decision comes.

`request_case_approval` is the write (also called by playbooks); `on_case_approval_decided` is
the Case handler in the approvals registry (registered in `wiring.py`). It runs inside the
deciding transaction, runs the `case.approval_deciding` hook there (a playbook's branch), and
puts the case back to open when nothing else is pending.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from rapport.approvals import actions as approvals
from rapport.approvals import attachments as files
from rapport.approvals.models import Approval
from rapport.approvals.selectors import approvers_of
from rapport.cases.actions import FIELDS, tell_status_change, transition
from rapport.cases.activity import case_url
from rapport.cases.events import CASE_APPROVAL_DECIDING
from rapport.cases.models import Case, Status
from rapport.core import hooks
from rapport.core.audit import action, record, snapshot
from rapport.core.models import Membership, Team
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind

CLOSED_TO_APPROVALS = (Status.RESOLVED, Status.CLOSED)


def _amount_words(approval: Approval) -> str:
    return f" of {approval.amount:,.2f}" if approval.amount is not None else ""


@action("case.approval.request")
def request_case_approval(
    actor: Membership,
    case: Case,
    *,
    approver: Membership | None = None,
    approver_role: str = "",
    approver_team: Team | None = None,
    amount: object = None,
    reason: str = "",
    summary: str = "",
    attachments: Iterable[UploadedFile] = (),
    expires_in: timedelta | None = None,
) -> Approval:
    """Asks a person, a role or a team to approve something on the case; the case waits on it
    (status "waiting on approval") and the approvers are notified."""
    if case.workspace_id != actor.workspace_id:
        raise ValidationError("This case belongs to another workspace.")
    if case.status in CLOSED_TO_APPROVALS:
        raise ValidationError(
            f"Case #{case.pk} is {Status(case.status).label.lower()}; reopen it to ask for an "
            "approval."
        )
    checked = files.check(attachments)
    value = approvals.clean_amount(amount)
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise ValidationError({"reason": f"The reason is {len(reason)} characters; at most 5000."})
    summary = summary or (
        f"Approve {value:,.2f} on case #{case.pk}: {case.subject}"
        if value is not None
        else f"Approve case #{case.pk}: {case.subject}"
    )
    approval = approvals.request_approval(
        actor,
        case,
        summary=summary,
        approver=approver,
        approver_role=approver_role,
        approver_team=approver_team,
        amount=value,
        reason=reason,
        expires_in=expires_in,
    )
    if case.status == Status.NEW:
        transition(actor, case, to=Status.OPEN)
    if case.status != Status.WAITING_APPROVAL:
        transition(actor, case, to=Status.WAITING_APPROVAL)
    case.watchers.add(actor)
    stored = files.attach(actor, approval, checked)
    record(
        actor=actor.user,
        workspace=actor.workspace,
        verb="case.approval.request",
        obj=case,
        after={
            "approval": approval.pk,
            "asked_of": approval.asked_of,
            "amount": str(approval.amount) if approval.amount is not None else None,
            "attachments": [a.name for a in stored],
        },
    )
    text = f"{actor.user} asks you to approve{_amount_words(approval)}: {approval.summary}"
    for person in approvers_of(approval):
        notify(person, Kind.APPROVAL_REQUESTED, text, case_url(case), actor=actor)
    return approval


def _resume(case: Case, actor: Membership | None, approval: Approval) -> None:
    """Back to open from waiting on approval: the decision (a person's or the machine's expiry)
    is what moves it, so it is recorded as the decider's write."""
    before = snapshot(case, FIELDS)
    case.status = Status.OPEN
    case.resolved_at = case.closed_at = None
    case.save()
    record(
        actor=actor.user if actor else None,
        workspace=case.workspace,
        verb="case.transition",
        obj=case,
        before=before,
        after={**snapshot(case, FIELDS), "because": f"approval #{approval.pk} {approval.state}"},
    )
    tell_status_change(case, actor, before["status"])


def on_case_approval_decided(
    approval: Approval, actor: Membership | None, edits: dict[str, str]
) -> None:
    """The registry handler: the hooks on the case hear it, the case resumes, the requester is
    told."""
    case = Case.objects.select_for_update().select_related("workspace").get(pk=approval.object_id)
    hooks.run(CASE_APPROVAL_DECIDING, case=case, approval=approval, actor=actor)
    others = (
        Approval.objects.filter(
            content_type=approval.content_type,
            object_id=case.pk,
            state=Approval.State.PENDING,
        )
        .exclude(pk=approval.pk)
        .exists()
    )
    if case.status == Status.WAITING_APPROVAL and not others:
        _resume(case, actor, approval)
    else:
        case.save(update_fields=["updated_at"])
    requester = approval.requested_by
    if requester is not None and approval.state != Approval.State.WITHDRAWN:
        if actor is None:
            text = f"“{approval.summary}” expired before anyone decided it"
        else:
            word = approval.get_state_display().lower()
            text = f"“{approval.summary}” was {word} by {approval.decided_by_label}"
        if approval.comment:
            text += f": {approval.comment}"
        notify(requester, Kind.APPROVAL_DECIDED, text, case_url(case), actor=actor)


def pending_for(case: Case) -> Approval | None:
    return (
        Approval.objects.filter(
            workspace_id=case.workspace_id,
            content_type__app_label="cases",
            content_type__model="case",
            object_id=case.pk,
            state=Approval.State.PENDING,
        )
        .order_by("created_at")
        .first()
    )


def approval_url(approval: Approval) -> str:
    """Where the approvers of an approval on a case decide it: the case's page."""
    return case_url(Case.objects.select_related("workspace").get(pk=approval.object_id))
