"""Approvals that wait too long: a reminder to the approvers after the workspace's delay, then
an escalation above them (the approver's manager, or the role above the one asked).

`remind_and_escalate` is the machine's pass (a periodic task runs it); `set_timers` is the admin's
write of the delays. Each reminder and escalation is recorded on the approval and in the audit log.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rapport.approvals.events import APPROVAL_ESCALATED, APPROVAL_REMINDED, tell
from rapport.approvals.models import Approval, ApprovalTimers
from rapport.approvals.registry import kind_of
from rapport.approvals.selectors import approvers_of
from rapport.core.audit import action, record, record_by
from rapport.core.events import EventType
from rapport.core.models import Membership, Workspace
from rapport.core.permissions import Verb, require
from rapport.core.roles import Role
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind

MAX_HOURS = 24 * 60
BATCH = 500


def timers_for(workspace: Workspace) -> ApprovalTimers:
    """The workspace's delays (the defaults, unsaved, until an admin changes them)."""
    found = ApprovalTimers.objects.filter(workspace=workspace).first()
    return found or ApprovalTimers(workspace=workspace)


def _hours(value: object, field: str) -> int:
    try:
        hours = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: f"{value!r} is not a whole number of hours."}) from None
    if not 1 <= hours <= MAX_HOURS:
        raise ValidationError({field: f"Give between 1 and {MAX_HOURS} hours."})
    return hours


@action("approval.timers")
def set_timers(
    actor: Membership, *, remind_after_hours: object, escalate_after_hours: object
) -> ApprovalTimers:
    """How long a pending approval waits before its approvers are reminded, and escalated."""
    require(actor, Verb.APPROVAL_TIMERS)
    remind = _hours(remind_after_hours, "remind_after_hours")
    escalate = _hours(escalate_after_hours, "escalate_after_hours")
    if escalate <= remind:
        raise ValidationError(
            {"escalate_after_hours": f"Escalate after the reminder: more than {remind} hours."}
        )
    timers = timers_for(actor.workspace)
    before = {"remind": timers.remind_after_hours, "escalate": timers.escalate_after_hours}
    timers.remind_after_hours, timers.escalate_after_hours = remind, escalate
    timers.save()
    record_by(
        actor,
        verb="approval.timers",
        obj=actor.workspace,
        before=before,
        after={"remind": remind, "escalate": escalate},
    )
    return timers


def _next_rank_up(members: list[Membership], above: Role) -> list[Membership]:
    """The holders of the lowest role above `above` that somebody holds."""
    higher = sorted({Role(m.role).rank for m in members if Role(m.role).rank > above.rank})
    return [m for m in members if higher and Role(m.role).rank == higher[0]]


def escalation_targets(approval: Approval) -> list[Membership]:
    """Above whoever was asked: the approver's teammates in a higher role, else the next role
    up; for a team, the role above its highest member's, outside it; for a role, the role
    above it."""
    members = list(
        Membership.objects.filter(workspace_id=approval.workspace_id).select_related(
            "user", "workspace"
        )
    )
    members = [m for m in members if m.pk != approval.requested_by_id]
    person, team = approval.approver, approval.approver_team
    if person is not None:
        rank = Role(person.role).rank
        mates = Membership.objects.filter(teams__members=person).distinct()
        above = [m for m in members if m in set(mates) and Role(m.role).rank > rank]
        return above or _next_rank_up(members, Role(person.role))
    if team is not None:
        in_team = [m for m in members if m.pk in set(team.members.values_list("pk", flat=True))]
        top = max((Role(m.role) for m in in_team), key=lambda r: r.rank, default=Role.EMPLOYEE)
        outside = [m for m in members if m not in in_team]
        return _next_rank_up(outside, top)
    return _next_rank_up(members, Role(approval.approver_role or Role.ADMIN))


def _url(approval: Approval) -> str:
    kind = kind_of(approval)
    if kind is not None and kind.url is not None:
        return kind.url(approval)
    return reverse("web:approvals", args=[approval.workspace.slug])


def _waited(approval: Approval, now: datetime) -> str:
    hours = round((now - approval.created_at).total_seconds() / 3600)
    return f"{hours // 24} days" if hours >= 48 else f"{hours} hours"


def remind(approval: Approval, now: datetime) -> bool:
    """Tells the approvers again, once; False when it was decided or reminded meanwhile."""
    return _nudge(
        approval,
        stamp="reminded_at",
        people=approvers_of,
        kind=Kind.APPROVAL_REQUESTED,
        text=lambda a: f"Reminder: “{a.summary}” has waited {_waited(a, now)} for your decision.",
        verb="approval.remind",
        told="reminded",
        event=APPROVAL_REMINDED,
        now=now,
    )


def escalate(approval: Approval, now: datetime) -> bool:
    """Tells those above the approvers, once; False when it was decided or escalated meanwhile."""
    return _nudge(
        approval,
        stamp="escalated_at",
        people=escalation_targets,
        kind=Kind.ESCALATED,
        text=lambda a: (
            f"Escalated: “{a.summary}”, asked of {a.asked_of}, has waited "
            f"{_waited(a, now)} without a decision."
        ),
        verb="approval.escalate",
        told="escalated_to",
        event=APPROVAL_ESCALATED,
        now=now,
    )


def _nudge(
    approval: Approval,
    *,
    stamp: str,
    people: Callable[[Approval], list[Membership]],
    kind: str,
    text: Callable[[Approval], str],
    verb: str,
    told: str,
    event: EventType,
    now: datetime,
) -> bool:
    """Stamps the still-pending approval's `stamp` (once: a second pass does nothing), notifies
    its `people`, records `verb` with whom it `told`, and emits `event`."""
    with transaction.atomic():
        locked = Approval.objects.select_for_update(of=("self",)).get(pk=approval.pk)
        if locked.state != Approval.State.PENDING or getattr(locked, stamp) is not None:
            return False
        setattr(locked, stamp, now)
        locked.save(update_fields=[stamp])
        to = people(locked)
        message = text(locked)
        for person in to:
            notify(person, kind, message, _url(locked))
        record(
            actor=None,
            workspace=locked.workspace,
            verb=verb,
            obj=locked,
            after={told: [str(p.user) for p in to]},
        )
        tell(event, locked, None)
    return True


def remind_and_escalate(now: datetime | None = None) -> dict[str, int]:
    """One pass over pending approvals in every workspace; returns how many were reminded and
    escalated. Expired ones are left to `expire_due`."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    pending = Approval.objects.filter(live, state=Approval.State.PENDING)
    workspaces = pending.filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True))
    for ws_id in workspaces.values_list("workspace_id", flat=True).distinct():
        ws = Workspace.objects.get(pk=ws_id)
        timers = timers_for(ws)
        remind_before = now - timedelta(hours=timers.remind_after_hours)
        escalate_before = now - timedelta(hours=timers.escalate_after_hours)
        mine = pending.filter(workspace_id=ws_id).select_related("workspace", "content_type")
        for approval in mine.filter(reminded_at__isnull=True, created_at__lte=remind_before)[
            :BATCH
        ]:
            counts["reminded"] += remind(approval, now)
        for approval in mine.filter(escalated_at__isnull=True, created_at__lte=escalate_before)[
            :BATCH
        ]:
            counts["escalated"] += escalate(approval, now)
    return counts
