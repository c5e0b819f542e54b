"""Reads of SLAs, scoped by the viewer's membership: calendars, policies, a case's timers."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from rapport.cases.models import Case
from rapport.core.models import Membership
from rapport.sla.calendar import business_minutes_between
from rapport.sla.models import BusinessCalendar, Escalation, Metric, SlaPolicy, SlaTimer


def calendars(member: Membership, q: str = "") -> QuerySet[BusinessCalendar]:
    found = BusinessCalendar.objects.filter(workspace=member.workspace).annotate(
        policy_count=Count("policies")
    )
    if q:
        found = found.filter(Q(name__icontains=q) | Q(time_zone__icontains=q))
    return found.order_by("name", "pk")


def policies(member: Membership, q: str = "") -> QuerySet[SlaPolicy]:
    found = (
        SlaPolicy.objects.filter(workspace=member.workspace)
        .select_related("calendar", "case_type")
        .annotate(rule_count=Count("rules"))
    )
    if q:
        found = found.filter(
            Q(name__icontains=q) | Q(case_type__name__icontains=q) | Q(calendar__name__icontains=q)
        )
    return found.order_by("-active", "name", "pk")


@dataclass(frozen=True)
class TimerView:
    """A timer as the case page shows it."""

    timer: SlaTimer
    label: str
    state: str  # running, paused, met, stopped
    warned: bool
    breached: bool
    due_at: dt.datetime
    remaining_minutes: float  # business minutes; negative once overdue
    percent: int  # of the target used, 0-100 for the bar
    tone: str  # ok, warn, breach, paused, done
    escalations: list[Escalation]


def case_timers(member: Membership, case: Case, now: dt.datetime | None = None) -> list[TimerView]:
    if case.workspace_id != member.workspace_id:
        return []
    now = now or timezone.now()
    found = (
        SlaTimer.objects.filter(case=case, workspace=member.workspace)
        .select_related("policy__calendar")
        .prefetch_related("escalations")
        .order_by("started_at", "pk")
    )
    return [_view(timer, now) for timer in found]


def _view(timer: SlaTimer, now: dt.datetime) -> TimerView:
    calendar = timer.policy.calendar
    if timer.state == SlaTimer.State.PAUSED and timer.paused_since is not None:
        end = timer.paused_since
    elif timer.state == SlaTimer.State.MET and timer.met_at is not None:
        end = timer.met_at
    elif timer.state == SlaTimer.State.STOPPED and timer.stopped_at is not None:
        end = timer.stopped_at
    else:
        end = now
    used = business_minutes_between(calendar, timer.started_at, end) - timer.paused_minutes
    remaining = timer.target_minutes - used
    breached = timer.breached_at is not None or end > timer.due_at
    warned = (
        timer.warned_at is not None
        or used >= timer.target_minutes * timer.policy.warn_percent / 100
    )
    if timer.state in (SlaTimer.State.MET, SlaTimer.State.STOPPED):
        tone = "done" if not breached else "breach"
    elif timer.state == SlaTimer.State.PAUSED:
        tone = "paused"
    else:
        tone = "breach" if breached else "warn" if warned else "ok"
    percent = (
        max(0, min(100, round(100 * used / timer.target_minutes))) if timer.target_minutes else 100
    )
    return TimerView(
        timer=timer,
        label=Metric(timer.metric).label,
        state=timer.state,
        warned=warned,
        breached=breached,
        due_at=timer.due_at,
        remaining_minutes=remaining,
        percent=percent,
        tone=tone,
        escalations=list(timer.escalations.all()),
    )


def duration(minutes: float) -> str:
    """Business minutes in words: "2 h 05 min" (never days: a business day is not 24 h)."""
    hours, mins = divmod(abs(round(minutes)), 60)
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


@dataclass(frozen=True)
class NextDue:
    """A case's most pressing live SLA target, for a list of cases."""

    label: str
    due_at: dt.datetime
    state: str  # running, paused
    breached: bool
    warned: bool


def next_due(member: Membership, case_ids: list[int]) -> dict[int, NextDue]:
    """For a page of cases (ids), each one's live timer due first; one query, no business-time
    arithmetic (the due instants are stored)."""
    found: dict[int, NextDue] = {}
    timers = (
        SlaTimer.objects.filter(
            workspace=member.workspace,
            case_id__in=case_ids,
            state__in=[SlaTimer.State.RUNNING, SlaTimer.State.PAUSED],
        )
        .order_by("case_id", "due_at")
        .only("case_id", "metric", "due_at", "state", "breached_at", "warned_at")
    )
    for timer in timers:
        if timer.case_id not in found:
            found[timer.case_id] = NextDue(
                label=Metric(timer.metric).label,
                due_at=timer.due_at,
                state=timer.state,
                breached=timer.breached_at is not None,
                warned=timer.warned_at is not None,
            )
    return found
