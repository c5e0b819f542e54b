"""A case's SLA timers through its life: started when it is opened, paused while it waits on the
customer, moved on by the paused business time when it resumes, met by a public update (first
and next response) or by resolving it (resolution).

These run inside the case's own transaction (from the cases domain's hooks, registered in
`wiring.py`); the case's audit event already says what happened, so only warnings, breaches and
escalations (`sweep`) write their own. A target met is an event (`sla.met`).
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from rapport.cases.models import Case
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.sla.calendar import add_business_time, business_minutes_between
from rapport.sla.events import SLA_MET
from rapport.sla.models import Metric, SlaPolicy, SlaTimer

LIVE = (SlaTimer.State.RUNNING, SlaTimer.State.PAUSED)


def policy_for(case: Case) -> SlaPolicy | None:
    """The active policy that fits the case best: its type and priority, then either, then any."""
    candidates = SlaPolicy.objects.filter(
        Q(case_type_id=case.case_type_id) | Q(case_type__isnull=True),
        Q(priority=case.priority) | Q(priority__isnull=True),
        workspace_id=case.workspace_id,
        active=True,
    ).select_related("calendar")
    ranked = sorted(
        candidates,
        key=lambda p: (p.case_type_id is None, p.priority is None, p.pk),
    )
    return ranked[0] if ranked else None


def _schedule(timer: SlaTimer, policy: SlaPolicy) -> None:
    """due_at and warn_at from the start, the target and the business time spent paused."""
    calendar = policy.calendar
    timer.due_at = add_business_time(
        calendar, timer.started_at, timer.target_minutes + timer.paused_minutes
    )
    warn = timer.target_minutes * policy.warn_percent / 100
    timer.warn_at = add_business_time(calendar, timer.started_at, warn + timer.paused_minutes)


def new_timer(case: Case, policy: SlaPolicy, metric: str, at: dt.datetime) -> SlaTimer | None:
    """An unsaved timer for one metric of `case`, or None when the policy sets no target."""
    target = policy.target(metric)
    if not target:
        return None
    timer = SlaTimer(
        workspace_id=case.workspace_id,
        case=case,
        policy=policy,
        metric=metric,
        target_minutes=target,
        started_at=at,
    )
    _schedule(timer, policy)
    return timer


def start(case: Case, at: dt.datetime | None = None) -> list[SlaTimer]:
    """Starts the first-response and resolution timers of a newly opened case."""
    policy = policy_for(case)
    if policy is None:
        return []
    at = at or case.created_at or timezone.now()
    timers = [
        t
        for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION)
        if (t := new_timer(case, policy, metric, at)) is not None
    ]
    SlaTimer.objects.bulk_create(timers)
    return timers


def _live(case: Case, metrics: Iterable[str] | None = None) -> list[SlaTimer]:
    timers = SlaTimer.objects.filter(case=case, state__in=LIVE).select_related("policy__calendar")
    if metrics is not None:
        timers = timers.filter(metric__in=list(metrics))
    return list(timers)


def pause(case: Case, at: dt.datetime) -> None:
    for timer in _live(case):
        if timer.state == SlaTimer.State.RUNNING:
            timer.state = SlaTimer.State.PAUSED
            timer.paused_since = at
            timer.save(update_fields=["state", "paused_since"])


def resume(case: Case, at: dt.datetime) -> None:
    for timer in _live(case):
        if timer.state == SlaTimer.State.PAUSED and timer.paused_since is not None:
            timer.paused_minutes += max(
                0.0, business_minutes_between(timer.policy.calendar, timer.paused_since, at)
            )
            timer.paused_since = None
            timer.state = SlaTimer.State.RUNNING
            _schedule(timer, timer.policy)
            timer.save(
                update_fields=["state", "paused_since", "paused_minutes", "due_at", "warn_at"]
            )


def start_next_response(case: Case, at: dt.datetime) -> SlaTimer | None:
    """The customer answered: the next public update is due within the policy's target."""
    if SlaTimer.objects.filter(case=case, metric=Metric.NEXT_RESPONSE, state__in=LIVE).exists():
        return None
    policy = policy_for(case)
    timer = new_timer(case, policy, Metric.NEXT_RESPONSE, at) if policy else None
    if timer is not None:
        timer.save()
    return timer


def meet(
    case: Case, metrics: Iterable[str], at: dt.datetime, actor: Membership | None = None
) -> None:
    """The case's live timers of these metrics are met at `at` (by `actor`'s change)."""
    for timer in _live(case, metrics):
        # time paused (waiting on the customer) does not count against the target
        late = timer.breached_at is not None or (timer.paused_since or at) > timer.due_at
        timer.state = SlaTimer.State.MET
        timer.met_at = at
        timer.save(update_fields=["state", "met_at"])
        emit(
            SLA_MET,
            case.workspace_id,
            actor=actor,
            object_id=timer.pk,
            case=case.pk,
            metric=timer.metric,
            late=late,
        )


def stop(case: Case, metrics: Iterable[str], at: dt.datetime) -> None:
    """Timers that no longer apply (a case resolved before anyone answered publicly)."""
    for timer in _live(case, metrics):
        timer.state = SlaTimer.State.STOPPED
        timer.stopped_at = at
        timer.paused_since = None
        timer.save(update_fields=["state", "stopped_at", "paused_since"])


def reopen(case: Case, at: dt.datetime) -> None:
    """A reopened case owes its resolution again; the time it spent resolved does not count."""
    timer = (
        SlaTimer.objects.filter(case=case, metric=Metric.RESOLUTION, state=SlaTimer.State.MET)
        .select_related("policy__calendar")
        .order_by("-met_at", "-pk")
        .first()
    )
    if timer is None or timer.met_at is None:
        return
    if SlaTimer.objects.filter(case=case, metric=Metric.RESOLUTION, state__in=LIVE).exists():
        return
    timer.paused_minutes += max(
        0.0, business_minutes_between(timer.policy.calendar, timer.met_at, at)
    )
    timer.met_at = None
    timer.state = SlaTimer.State.RUNNING
    _schedule(timer, timer.policy)
    timer.save(update_fields=["state", "met_at", "paused_minutes", "due_at", "warn_at"])


def retarget(case: Case, at: dt.datetime) -> int:
    """The case's priority changed: its live timers follow the policy that now fits it, from
    the same start (a tighter target may already be due: the next sweep escalates it)."""
    policy = policy_for(case)
    changed = 0
    for timer in _live(case):
        if policy is not None and timer.policy_id == policy.pk:
            continue
        target = policy.target(timer.metric) if policy is not None else None
        if policy is None or not target:
            timer.state = SlaTimer.State.STOPPED
            timer.stopped_at = at
            timer.paused_since = None
            timer.save(update_fields=["state", "stopped_at", "paused_since"])
        else:
            timer.policy = policy
            timer.target_minutes = target
            _schedule(timer, policy)
            if timer.breached_at is None and timer.warn_at > at:
                timer.warned_at = None  # a looser target: the warning is still to come
            timer.save(update_fields=["policy", "target_minutes", "due_at", "warn_at", "warned_at"])
        changed += 1
    return changed
