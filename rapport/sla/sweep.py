"""The SLA sweep: every minute, the timers that crossed their warning or breach time since the
last one are found and escalated.

Finding them is two indexed queries over the timers still able to cross (partial indexes on
`due_at` and `warn_at`), whatever the number of open cases. They are handed, in batches of
`BATCH`, to `tasks.escalate_timers` (one task per batch, ADR 0010), which claims each timer's
warning or breach and escalates it; Python work is done only for the timers crossing now. A
claim re-checks the timer, so a batch found twice (a slow worker, two sweeps) escalates once,
and a lost task is found again by the next sweep.
"""

import datetime as dt
import logging
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from rapport.cases.activity import log
from rapport.core.audit import record
from rapport.core.events import emit
from rapport.sla import escalation
from rapport.sla.events import SLA_BREACHED, SLA_WARNED
from rapport.sla.models import Escalation, EscalationRule, SlaTimer

logger = logging.getLogger(__name__)

#: timers handled per sweep; the rest wait for the next (a minute later)
LIMIT = 5000
#: timers claimed and escalated per transaction
BATCH = 500
#: what a warning or breach is called in the case's stream
STREAM_WORDS: dict[str, str] = {
    EscalationRule.When.WARNING: "SLA nearly due",
    EscalationRule.When.BREACH: "SLA breached",
}


def due_breaches(now: dt.datetime) -> "list[int]":
    return list(
        SlaTimer.objects.filter(
            state=SlaTimer.State.RUNNING, breached_at__isnull=True, due_at__lte=now
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:LIMIT]
    )


def due_warnings(now: dt.datetime) -> "list[int]":
    return list(
        SlaTimer.objects.filter(
            state=SlaTimer.State.RUNNING,
            warned_at__isnull=True,
            breached_at__isnull=True,
            warn_at__lte=now,
            due_at__gt=now,
        )
        .order_by("warn_at")
        .values_list("pk", flat=True)[:LIMIT]
    )


def sweep(now: dt.datetime | None = None, *, inline: bool = False) -> dict[str, float]:
    """Finds the timers crossing a threshold and hands them to escalation tasks (or, `inline`,
    escalates them here: the demo, `rapport sla`-less deployments' tests); returns counts."""
    began = time.perf_counter()
    now = now or timezone.now()
    breaching = due_breaches(now)
    warning = due_warnings(now)
    found = time.perf_counter() - began
    counts = {
        "due_breaches": len(breaching),
        "due_warnings": len(warning),
        "batches": 0,
        "warned": 0,
        "breached": 0,
        "escalations": 0,
        "failed": 0,
    }
    when_ids = ((EscalationRule.When.BREACH, breaching), (EscalationRule.When.WARNING, warning))
    for when, ids in when_ids:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            counts["batches"] += 1
            if inline:
                escalate(batch, when, now, counts)
            else:
                from rapport.sla.tasks import escalate_timers

                escalate_timers.enqueue(batch, str(when))
    result: dict[str, float] = {
        **counts,
        "find_seconds": round(found, 4),
        "seconds": round(time.perf_counter() - began, 4),
    }
    if breaching or warning:
        logger.info("SLA sweep: %s", result)
    return result


def _claim(ids: list[int], when: str, now: dt.datetime) -> list[int]:
    """Marks the timers still unclaimed; the ones this sweep won (inside its transaction).

    On PostgreSQL the rows are locked (SKIP LOCKED: a concurrent sweep takes others); SQLite
    runs one writing transaction at a time, so the conditional read then update is enough.
    """
    unclaimed = SlaTimer.objects.filter(
        pk__in=ids, state=SlaTimer.State.RUNNING, breached_at__isnull=True
    )
    # still due: a timer paused and resumed since it was found has a later due time
    if when == EscalationRule.When.WARNING:
        unclaimed = unclaimed.filter(warned_at__isnull=True, warn_at__lte=now)
    else:
        unclaimed = unclaimed.filter(due_at__lte=now)
    won = list(
        unclaimed.order_by()
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )
    if when == EscalationRule.When.BREACH:
        SlaTimer.objects.filter(pk__in=won).update(breached_at=now)
        # a breach found before its warning: that warning is spent
        SlaTimer.objects.filter(pk__in=won, warned_at__isnull=True).update(warned_at=now)
    else:
        SlaTimer.objects.filter(pk__in=won).update(warned_at=now)
    return won


def escalate(ids: list[int], when: str, now: dt.datetime, counts: dict[str, int]) -> None:
    """Claims a batch of timers' warning or breach and escalates each (one transaction)."""
    with transaction.atomic():
        won = _claim(ids, when, now)
        if not won:
            return
        timers = list(
            SlaTimer.objects.filter(pk__in=won).select_related(
                "policy", "case__workspace", "case__owner__user", "case__team"
            )
        )
        rules = _rules({t.policy_id for t in timers})
        done = set(Escalation.objects.filter(timer_id__in=won).values_list("timer_id", "rule_id"))
        with escalation.remembering_managers():
            for timer in timers:
                try:
                    with transaction.atomic():  # a savepoint: one broken case leaves the others
                        applied = _escalate(timer, when, rules, done)
                except Exception:
                    logger.exception("SLA timer %s could not be escalated", timer.pk)
                    counts["failed"] += 1
                    field = "breached_at" if when == EscalationRule.When.BREACH else "warned_at"
                    # the next sweep retries it
                    SlaTimer.objects.filter(pk=timer.pk).update(**{field: None})
                    continue
                counts["breached" if when == EscalationRule.When.BREACH else "warned"] += 1
                counts["escalations"] += applied


def _rules(policy_ids: set[int]) -> dict[int, list[EscalationRule]]:
    """The escalation rules of these policies, read once per batch."""
    by_policy: dict[int, list[EscalationRule]] = defaultdict(list)
    for rule in EscalationRule.objects.filter(policy_id__in=policy_ids).select_related(
        "assignee__user", "team"
    ):
        by_policy[rule.policy_id].append(rule)
    return by_policy


def _escalate(
    timer: SlaTimer,
    when: str,
    rules: dict[int, list[EscalationRule]],
    done: set[tuple[int, int]],
) -> int:
    """Tells the owner, applies the rules, and records it all in one audit event, one line of
    the case's stream and one event (`sla.warned`, `sla.breached`)."""
    case = timer.case
    escalation.tell_owner(timer, case, when)
    summaries = []
    for rule in rules.get(timer.policy_id, []):
        if rule.when != when or rule.metric not in ("", timer.metric):
            continue
        applied = escalation.apply(timer, case, rule, done=done)
        if applied is not None:
            summaries.append(applied.summary)
    audited = record(
        actor=None,
        workspace=case.workspace,
        verb=f"sla.{when}",
        obj=timer,
        after={
            "case": case.pk,
            "metric": timer.metric,
            "due_at": timer.due_at.isoformat(),
            "escalations": summaries,
        },
    )
    log(None, case, f"{STREAM_WORDS[when]} ({timer})", event=audited)
    emit(
        SLA_BREACHED if when == EscalationRule.When.BREACH else SLA_WARNED,
        case.workspace_id,
        object_id=timer.pk,
        case=case.pk,
        metric=timer.metric,
        escalations=len(summaries),
    )
    return len(summaries)
