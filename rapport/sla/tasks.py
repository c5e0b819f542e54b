"""Background work of SLAs: the sweep, enqueued every minute by the scheduler."""

from django_tasks import task

from rapport.sla.sweep import sweep


@task()
def sweep_slas() -> dict[str, float]:
    """Marks and escalates the SLA timers that crossed their warning or breach time."""
    return sweep()
