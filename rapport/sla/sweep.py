"""The SLA sweep: every minute, the timers that crossed their warning or breach time since the
last one are marked and escalated.

Finding them is two indexed queries over the timers still able to cross (partial indexes on
`due_at` and `warn_at`), whatever the number of open cases; Python work is done only for the
timers crossing now, each in its own transaction, claimed with a conditional UPDATE so two
sweeps at once never escalate a timer twice.
"""

import datetime as dt
import logging
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from rapport.core.audit import record
from rapport.sla import escalation
from rapport.sla.models import Escalation, EscalationRule, SlaTimer

logger = logging.getLogger(__name__)

#: timers handled per sweep; the rest wait for the next (a minute later)
LIMIT = 5000
#: timers claimed and escalated per transaction
BATCH = 500


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


def sweep(now: dt.datetime | None = None) -> dict[str, float]:
    """Marks and escalates the timers crossing a threshold; returns counts and seconds taken."""
    began = time.perf_counter()
    now = now or timezone.now()
    breaching = due_breaches(now)
    warning = due_warnings(now)
    found = time.perf_counter() - began
    counts = {"warned": 0, "breached": 0, "escalations": 0, "failed": 0}
    for when, ids in (
        (EscalationRule.When.BREACH, breaching),
        (EscalationRule.When.WARNING, warning),
    ):
        for start in range(0, len(ids), BATCH):
            _cross(ids[start : start + BATCH], when, now, counts)
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
    if when == EscalationRule.When.WARNING:
        unclaimed = unclaimed.filter(warned_at__isnull=True)
    won = list(unclaimed.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if when == EscalationRule.When.BREACH:
        SlaTimer.objects.filter(pk__in=won).update(breached_at=now)
        # a breach found before its warning: that warning is spent
        SlaTimer.objects.filter(pk__in=won, warned_at__isnull=True).update(warned_at=now)
    else:
        SlaTimer.objects.filter(pk__in=won).update(warned_at=now)
    return won


def _cross(ids: list[int], when: str, now: dt.datetime, counts: dict[str, int]) -> None:
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
    """Tells the owner, applies the rules, and records it all in one audit event."""
    case = timer.case
    escalation.tell_owner(timer, case, when)
    summaries = []
    for rule in rules.get(timer.policy_id, []):
        if rule.when != when or rule.metric not in ("", timer.metric):
            continue
        applied = escalation.apply(timer, case, rule, done=done)
        if applied is not None:
            summaries.append(applied.summary)
    record(
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
    return len(summaries)
