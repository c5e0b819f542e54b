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

from rapport.cases.models import Case
from rapport.core.audit import record
from rapport.sla import escalation
from rapport.sla.models import EscalationRule, SlaTimer

logger = logging.getLogger(__name__)

#: timers handled per sweep; the rest wait for the next (a minute later)
LIMIT = 2000


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
    rules = _rules({*breaching, *warning})
    counts = {"warned": 0, "breached": 0, "escalations": 0, "failed": 0}
    for when, ids in (
        (EscalationRule.When.BREACH, breaching),
        (EscalationRule.When.WARNING, warning),
    ):
        for pk in ids:
            try:
                done = _cross(pk, when, now, rules)
            except Exception:  # one broken case must not stop the others' escalation
                logger.exception("SLA timer %s could not be escalated", pk)
                counts["failed"] += 1
                continue
            if done is not None:
                counts["breached" if when == EscalationRule.When.BREACH else "warned"] += 1
                counts["escalations"] += done
    result: dict[str, float] = {
        **counts,
        "find_seconds": round(found, 4),
        "seconds": round(time.perf_counter() - began, 4),
    }
    if breaching or warning:
        logger.info("SLA sweep: %s", result)
    return result


def _rules(timer_ids: set[int]) -> dict[int, list[EscalationRule]]:
    """The escalation rules of the crossing timers' policies, read once per sweep."""
    if not timer_ids:
        return {}
    policies = set(
        SlaTimer.objects.filter(pk__in=timer_ids).values_list("policy_id", flat=True).distinct()
    )
    by_policy: dict[int, list[EscalationRule]] = defaultdict(list)
    for rule in EscalationRule.objects.filter(policy_id__in=policies).select_related(
        "assignee__user", "team"
    ):
        by_policy[rule.policy_id].append(rule)
    return by_policy


def _cross(
    pk: int, when: str, now: dt.datetime, rules: dict[int, list[EscalationRule]]
) -> int | None:
    """Claims one timer's warning or breach and escalates; None when another sweep had it."""
    with transaction.atomic():
        unclaimed = SlaTimer.objects.filter(
            pk=pk, state=SlaTimer.State.RUNNING, breached_at__isnull=True
        )
        if when == EscalationRule.When.BREACH:
            claimed = unclaimed.update(breached_at=now)
            # a breach found before its warning: that warning is spent
            SlaTimer.objects.filter(pk=pk, warned_at__isnull=True).update(warned_at=now)
        else:
            claimed = unclaimed.filter(warned_at__isnull=True).update(warned_at=now)
        if not claimed:
            return None
        timer = SlaTimer.objects.select_related("policy").get(pk=pk)
        case = Case.objects.select_related("workspace", "owner__user", "team").get(pk=timer.case_id)
        record(
            actor=None,
            workspace=case.workspace,
            verb=f"sla.{when}",
            obj=timer,
            after={"case": case.pk, "metric": timer.metric, "due_at": timer.due_at.isoformat()},
        )
        escalation.tell_owner(timer, case, when)
        done = 0
        for rule in rules.get(timer.policy_id, []):
            applies = rule.when == when and rule.metric in ("", timer.metric)
            if applies and escalation.apply(timer, case, rule) is not None:
                done += 1
        return done
