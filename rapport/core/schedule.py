"""Periodic tasks: `every(name, seconds=..., task=...)` and the loop that enqueues them when due.

An app registers its periodic work from its `wiring.py`:

    schedule.every("sla.sweep", seconds=60, task=sweep_slas)

`rapport worker` runs `run_forever` in a thread beside the queue worker (any backend), and
`rapport schedule --run-due` runs one pass (for cron). Each schedule's next run is a
`core.Schedule` row, so it survives restarts; a due run is claimed with one conditional UPDATE
(`... WHERE name = ? AND next_run_at <= now`), so however many workers run the loop, each run
is enqueued once.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from rapport.core.models import Schedule

logger = logging.getLogger(__name__)

# How often the loop looks for due schedules; the shortest useful period is about this long.
TICK_SECONDS = 5.0


@dataclass(frozen=True)
class Periodic:
    name: str
    seconds: int
    task: Any  # a django_tasks Task

    @property
    def task_path(self) -> str:
        return str(self.task.module_path)


_registry: dict[str, Periodic] = {}


def every(name: str, *, seconds: int, task: Any) -> Periodic:
    """Registers `task` (a django-tasks task taking no arguments) to be enqueued every `seconds`.

    Registering the same name with the same task again (a second `ready()`) changes nothing;
    another task under a taken name is an error.
    """
    if not name or len(name) > 100:
        raise ValueError("A schedule needs a name of 1 to 100 characters.")
    if int(seconds) < 1:
        raise ValueError(f"Schedule {name!r}: the period must be at least 1 second.")
    if not hasattr(task, "enqueue") or not hasattr(task, "module_path"):
        raise TypeError(f"Schedule {name!r}: {task!r} is not a django-tasks task (use @task()).")
    periodic = Periodic(name=name, seconds=int(seconds), task=task)
    known = _registry.get(name)
    if known is not None and known.task_path != periodic.task_path:
        raise ValueError(f"Schedule {name!r} already runs {known.task_path}.")
    _registry[name] = periodic
    return periodic


def registered() -> list[Periodic]:
    return [_registry[name] for name in sorted(_registry)]


def unregister(name: str) -> None:
    """Forgets a registration (tests); its row stays, as a restart would leave it."""
    _registry.pop(name, None)


def ensure_rows(now: datetime | None = None) -> None:
    """Adds a row for each registered schedule that has none (due at once) and keeps the
    period and task of existing rows in step with the code."""
    now = now or timezone.now()
    rows = {row.name: row for row in Schedule.objects.filter(name__in=list(_registry))}
    for periodic in registered():
        row = rows.get(periodic.name)
        if row is None:
            Schedule.objects.get_or_create(
                name=periodic.name,
                defaults={
                    "every_seconds": periodic.seconds,
                    "task_path": periodic.task_path,
                    "next_run_at": now,
                },
            )
        elif row.every_seconds != periodic.seconds or row.task_path != periodic.task_path:
            Schedule.objects.filter(pk=row.pk).update(
                every_seconds=periodic.seconds, task_path=periodic.task_path
            )


def claim(periodic: Periodic, now: datetime) -> bool:
    """Moves a due schedule's next run one period on; True for the one caller that moved it."""
    moved = Schedule.objects.filter(name=periodic.name, next_run_at__lte=now).update(
        next_run_at=now + timedelta(seconds=periodic.seconds), last_run_at=now
    )
    return moved == 1


def run_due(now: datetime | None = None) -> list[tuple[str, str]]:
    """Enqueues each due schedule once; returns (name, task result id) for those enqueued."""
    now = now or timezone.now()
    ensure_rows(now)
    enqueued: list[tuple[str, str]] = []
    for periodic in registered():
        # The claim and the enqueue commit together: a failed enqueue (Redis away) leaves the
        # run due for the next pass, and the other schedules still run.
        try:
            with transaction.atomic():
                if not claim(periodic, now):
                    continue
                result = periodic.task.enqueue()
                Schedule.objects.filter(name=periodic.name).update(last_task_id=str(result.id))
        except Exception:
            logger.exception("Could not enqueue %s; it stays due", periodic.name)
            continue
        enqueued.append((periodic.name, str(result.id)))
    if enqueued:
        logger.info("Scheduled %s", ", ".join(name for name, _ in enqueued))
    return enqueued


def run_forever(stop: threading.Event, tick: float = TICK_SECONDS) -> None:
    """Runs `run_due` every `tick` seconds until `stop` is set (the worker's scheduler thread)."""
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                run_due()
            except Exception:  # a database hiccup must not end the loop; the next tick retries
                logger.exception("The scheduler's pass failed; retrying in %.0f s", tick)
            stop.wait(tick)
    finally:
        connection.close()


def start_thread(tick: float = TICK_SECONDS) -> tuple[threading.Thread, threading.Event]:
    """Starts the scheduler loop in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop, tick), name="rapport-scheduler", daemon=True
    )
    thread.start()
    return thread, stop
