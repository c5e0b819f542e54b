"""Background work of SLAs: the sweep, enqueued every minute by the scheduler."""

from django.utils import timezone
from django_tasks import task

from rapport.sla.sweep import escalate, sweep


@task()
def sweep_slas() -> dict[str, float]:
    """Finds the SLA timers that crossed their warning or breach time; escalation tasks follow."""
    return sweep()


@task()
def escalate_timers(timer_ids: list[int], when: str) -> dict[str, int]:
    """Claims these timers' warning or breach ("warning" | "breach") and escalates each once."""
    counts = {"warned": 0, "breached": 0, "escalations": 0, "failed": 0}
    escalate(timer_ids, when, timezone.now(), counts)
    return counts
