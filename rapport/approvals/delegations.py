"""Delegating one's approvals while away: to one colleague, for a range of days, called off
early if plans change. The delegate decides "on behalf of" the away member (see `decide`)."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.approvals.models import Delegation
from rapport.core.access import access_in_workspace
from rapport.core.audit import action, record_by, snapshot
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, require, require_own_or

FIELDS = ["delegator", "delegate", "starts_on", "ends_on", "ended_at"]
MAX_DAYS = 366


def _date(value: object, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: f"{value!r} is not a date; write it as YYYY-MM-DD."})


@action("approval.delegate")
def delegate(
    actor: Membership,
    *,
    to: Membership,
    starts_on: object,
    ends_on: object,
    delegator: Membership | None = None,
) -> Delegation:
    """While `delegator` (the actor, or for an admin anyone) is away, `to` decides their
    approvals. Dates are inclusive; the range may not end in the past nor overlap another."""
    require(actor, Verb.DELEGATE)
    delegator = delegator or actor
    if delegator.pk != actor.pk:
        require(actor, Verb.OTHERS_APPROVALS)
    for member in (delegator, to):
        if member.workspace_id != actor.workspace_id:
            raise ValidationError({"to": "The delegate must be a member of this workspace."})
    if to.pk == delegator.pk:
        raise ValidationError({"to": "Choose someone else to decide while you are away."})
    if not can(to, Verb.DECIDE_APPROVALS):
        raise ValidationError({"to": f"{to.user} is a viewer and cannot decide approvals."})
    start, end = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
    today = timezone.localdate()
    if end < start:
        raise ValidationError({"ends_on": f"The last day ({end}) is before the first ({start})."})
    if end < today:
        raise ValidationError({"ends_on": f"The last day ({end}) is in the past."})
    if (end - start).days >= MAX_DAYS:
        raise ValidationError({"ends_on": f"A delegation lasts at most {MAX_DAYS} days."})
    overlap = (
        Delegation.objects.filter(
            workspace=actor.workspace,
            delegator=delegator,
            ended_at__isnull=True,
            starts_on__lte=end,
            ends_on__gte=start,
        )
        .select_related("delegate__user")
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            f"{delegator.user} already delegates to {overlap.delegate.user} from "
            f"{overlap.starts_on} to {overlap.ends_on}; end that one first."
        )
    if Delegation.active(actor.workspace_id, start).filter(delegator=to, delegate=delegator):
        raise ValidationError(
            {"to": f"{to.user} delegates to {delegator.user} then; you cannot both be away."}
        )
    row = Delegation.objects.create(
        workspace=actor.workspace, delegator=delegator, delegate=to, starts_on=start, ends_on=end
    )
    record_by(actor, verb="approval.delegate", obj=row, after=snapshot(row, FIELDS))
    return row


@action("approval.delegation_end")
def end_delegation(actor: Membership, delegation: Delegation) -> Delegation:
    """Calls a delegation off now (back early); its past decisions keep who stood in."""
    if delegation.workspace_id != actor.workspace_id:
        raise ValidationError("This delegation belongs to another workspace.")
    require_own_or(actor, delegation.delegator_id, Verb.DELEGATE, Verb.OTHERS_APPROVALS)
    if delegation.ended_at is not None:
        raise ValidationError("This delegation has ended already.")
    before = snapshot(delegation, FIELDS)
    delegation.ended_at = timezone.now()
    delegation.save(update_fields=["ended_at"])
    record_by(
        actor,
        verb="approval.delegation_end",
        obj=delegation,
        before=before,
        after=snapshot(delegation, FIELDS),
    )
    return delegation


def delegations_of(member: Membership) -> QuerySet[Delegation]:
    """The member's own delegations and those to them that have not ended, soonest first."""
    today = timezone.localdate()
    return (
        Delegation.objects.filter(workspace_id=member.workspace_id, ended_at__isnull=True)
        .filter(Q(delegator=member) | Q(delegate=member))
        .filter(ends_on__gte=today)
        .select_related("delegator__user", "delegate__user")
        .order_by("starts_on", "id")
    )


def access_delegation(member: Membership, delegation_id: object) -> Delegation:
    return access_in_workspace(
        member,
        Delegation.objects.select_related("delegator__user", "delegate__user"),
        delegation_id,
    )
