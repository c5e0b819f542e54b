"""Every write of approvals: request, decide (once, never by the requester), withdraw, expire."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from rapport.approvals.events import (
    APPROVAL_DECIDED,
    APPROVAL_EXPIRED,
    APPROVAL_REQUESTED,
    APPROVAL_WITHDRAWN,
    tell,
)
from rapport.approvals.models import Approval
from rapport.approvals.registry import kind_of
from rapport.approvals.reminders import timers_for
from rapport.core.audit import action, record, record_by, snapshot
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, require, require_own_or
from rapport.core.roles import Role

APPROVAL_FIELDS = [
    "state",
    "summary",
    "approver",
    "approver_role",
    "approver_team",
    "amount",
    "expires_at",
    "comment",
    "on_behalf_of",
]
MAX_AMOUNT = Decimal("999999999999.99")
MAX_COMMENT = 2000
DECISIONS = ("approve", "reject")


def when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i T")


class ApprovalExpired(ValidationError):
    """Deciding an approval past its expiry: refused, naming when it expired."""

    def __init__(self, approval: Approval) -> None:
        assert approval.expires_at is not None
        super().__init__(
            f"This approval expired at {when(approval.expires_at)}; it can no longer be decided. "
            "Ask for a new one if it still matters.",
            code="expired",
        )
        self.approval = approval


def clean_amount(amount: object) -> Decimal | None:
    """A positive sum with at most two decimals, or None; "1,250.50" and 1250.5 both read."""
    if amount is None or amount == "":
        return None
    if isinstance(amount, bool):
        raise ValidationError({"amount": "The amount must be a number, like 1250.00."})
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(
            {"amount": f"{amount!r} is not an amount; write it like 1250.00."}
        ) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if value > MAX_AMOUNT:
        raise ValidationError({"amount": f"The amount is at most {MAX_AMOUNT:,}."})
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({"amount": "The amount has at most two decimals (cents)."})
    return value.quantize(Decimal("0.01"))


def in_time(approval: Approval) -> bool:
    """Decided before it was due to be escalated (the workspace's delay after it was asked)."""
    due = approval.created_at + timedelta(hours=timers_for(approval.workspace).escalate_after_hours)
    return approval.decided_at is not None and approval.decided_at <= due


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": f"A comment has at most {MAX_COMMENT} characters."})
    return comment


@action("approval.request")
def request_approval(
    actor: Membership,
    obj: models.Model,
    *,
    summary: str,
    approver: Membership | None = None,
    approver_role: str = "",
    approver_team: Team | None = None,
    amount: object = None,
    reason: str = "",
    expires_in: timedelta | None = None,
) -> Approval:
    """Asks `approver` (a person), anyone with `approver_role` or anyone in `approver_team` to
    approve `obj`."""
    require(actor, Verb.ASK_APPROVAL)
    if getattr(obj, "workspace_id", None) != actor.workspace_id:
        raise PermissionDenied("An approval can only be asked for something in your workspace.")
    asked = [approver is not None, bool(approver_role), approver_team is not None]
    if sum(asked) != 1:
        raise ValidationError("Ask one person, one role or one team for an approval.")
    if approver_team is not None:
        if approver_team.workspace_id != actor.workspace_id:
            raise ValidationError({"approver_team": "The team must be one of this workspace."})
        if not approver_team.members.exclude(pk=actor.pk).exists():
            raise ValidationError(
                {
                    "approver_team": f"Nobody but you is in the {approver_team.name} team, so "
                    "nobody could decide; ask a person or a role instead."
                }
            )
    if approver is not None:
        if approver.workspace_id != actor.workspace_id:
            raise ValidationError({"approver": "The approver must be a member of this workspace."})
        if approver.pk == actor.pk:
            raise ValidationError({"approver": "You cannot approve your own request."})
    if approver_role and approver_role not in Role.values:
        known = ", ".join(Role.values)
        raise ValidationError({"approver_role": f"Unknown role {approver_role!r}; use {known}."})
    if approver_role and approver_role == Role.VIEWER:
        raise ValidationError({"approver_role": "Viewers change nothing; ask a higher role."})
    value = clean_amount(amount)
    summary = " ".join((summary or "").split())[:200]
    if not summary:
        raise ValidationError({"summary": "Say in a line what is to be approved."})
    if expires_in is not None and expires_in.total_seconds() <= 0:
        raise ValidationError({"expires_in": "An approval must expire in the future."})
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                workspace=actor.workspace,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                summary=summary,
                reason=(reason or "").strip(),
                requested_by=actor,
                approver=approver,
                approver_role=approver_role,
                approver_team=approver_team,
                amount=value,
                expires_at=timezone.now() + expires_in if expires_in else None,
            )
    except IntegrityError:
        raise ValidationError(f"“{obj}” already waits for an approval.") from None
    record_by(
        actor, verb="approval.request", obj=approval, after=snapshot(approval, APPROVAL_FIELDS)
    )
    tell(APPROVAL_REQUESTED, approval, actor)
    return approval


def _decided_already(approval: Approval) -> ValidationError:
    if approval.state == Approval.State.PENDING:  # pragma: no cover - callers check first
        return ValidationError("This approval is still pending.")
    who = f" by {approval.decided_by_label}" if approval.decided_by else ""
    at = f" on {when(approval.decided_at)}" if approval.decided_at else ""
    return ValidationError(
        f"This approval was already {approval.get_state_display().lower()}{who}{at}; "
        "an approval is decided only once.",
        code="decided",
    )


def _lock(approval: Approval) -> Approval:
    return (
        Approval.objects.select_for_update(of=("self",))
        .select_related("decided_by__user")
        .get(pk=approval.pk)
    )


@action("approval.decide")
def decide(
    actor: Membership,
    approval: Approval,
    *,
    decision: str,
    comment: str = "",
    edits: dict[str, str] | None = None,
) -> Approval:
    """Approves or rejects; `edits` change the object as it is approved (edit and approve)."""
    require(actor, Verb.DECIDE_APPROVALS)  # and then only what is asked of them, below
    if decision not in DECISIONS:
        raise ValidationError({"decision": f"Decide with “approve” or “reject”, not {decision!r}."})
    comment = _clean_comment(comment)
    locked = _lock(approval)
    if locked.state != Approval.State.PENDING:
        raise _decided_already(locked)
    if locked.requested_by_id == actor.pk:
        raise PermissionDenied("You asked for this approval; someone else must decide it.")
    on_behalf_of = None if locked.asked_directly(actor) else locked.stands_in_for(actor)
    if not locked.asked_directly(actor) and on_behalf_of is None:
        raise PermissionDenied(
            f"This approval is asked of {locked.asked_of}; you may not decide it."
        )
    if locked.is_expired:
        raise ApprovalExpired(locked)
    if decision == "reject" and not comment:
        raise ValidationError({"comment": "Say why you reject it: the requester reads the reason."})
    kind = kind_of(locked)
    edits = {k: v for k, v in (edits or {}).items() if v is not None}
    if edits:
        if decision == "reject":
            raise ValidationError("Edits are only made when approving.")
        allowed = kind.editable if kind else ()
        unknown = sorted(set(edits) - set(allowed))
        if unknown:
            what = ", ".join(allowed) or "nothing"
            raise ValidationError(f"Cannot edit {', '.join(unknown)} here; editable: {what}.")
    before = snapshot(locked, APPROVAL_FIELDS)
    locked.state = Approval.State.APPROVED if decision == "approve" else Approval.State.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.comment = comment
    locked.on_behalf_of = on_behalf_of
    locked.save(update_fields=["state", "decided_by", "decided_at", "comment", "on_behalf_of"])
    if kind is not None:
        kind.on_decided(locked, actor, edits)
    after: dict[str, Any] = snapshot(locked, APPROVAL_FIELDS)
    if on_behalf_of is not None:
        after["decided"] = f"{actor.user} on behalf of {on_behalf_of.user}"
    if edits:
        after["edited"] = sorted(edits)
    record_by(actor, verb="approval.decide", obj=locked, before=before, after=after)
    tell(APPROVAL_DECIDED, locked, actor, decision=locked.state, in_time=in_time(locked))
    approval.refresh_from_db()
    return locked


@action("approval.withdraw")
def withdraw(actor: Membership, approval: Approval, *, comment: str = "") -> Approval:
    """The requester (or an admin) takes the request back while it is pending."""
    locked = _lock(approval)
    require_own_or(actor, locked.requested_by_id, Verb.ASK_APPROVAL, Verb.OTHERS_APPROVALS)
    if locked.state != Approval.State.PENDING:
        raise _decided_already(locked)
    before = snapshot(locked, APPROVAL_FIELDS)
    locked.state = Approval.State.WITHDRAWN
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.comment = _clean_comment(comment)
    locked.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    kind = kind_of(locked)
    if kind is not None:
        kind.on_decided(locked, actor, {})
    record_by(
        actor,
        verb="approval.withdraw",
        obj=locked,
        before=before,
        after=snapshot(locked, APPROVAL_FIELDS),
    )
    tell(APPROVAL_WITHDRAWN, locked, actor)
    return locked


def expire(approval: Approval) -> bool:
    """Marks one pending approval past its expiry as expired (the machine's write, audited)."""
    with transaction.atomic():
        locked = _lock(approval)
        if locked.state != Approval.State.PENDING or not locked.is_expired:
            return False
        before = snapshot(locked, APPROVAL_FIELDS)
        locked.state = Approval.State.EXPIRED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_at"])
        kind = kind_of(locked)
        if kind is not None:
            kind.on_decided(locked, None, {})
        record(
            actor=None,
            workspace=locked.workspace,
            verb="approval.expire",
            obj=locked,
            before=before,
            after=snapshot(locked, APPROVAL_FIELDS),
        )
        tell(APPROVAL_EXPIRED, locked, None)
    approval.refresh_from_db()
    return True


def expire_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Expires every pending approval whose time is up; returns how many."""
    now = now or timezone.now()
    due = Approval.objects.filter(state=Approval.State.PENDING, expires_at__lte=now)
    return sum(expire(a) for a in due.order_by("expires_at")[:limit])
