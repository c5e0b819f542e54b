"""Crash recovery for the database queue: each worker's heartbeat, and the tasks of dead workers.

django-tasks-db claims a task by marking it RUNNING with the worker's id; a worker killed while
running it (`kill -9`, a lost machine) would leave it RUNNING for ever. So every `rapport worker`
on the database queue keeps a `WorkerHeartbeat` row fresh (every `lease / 6` seconds) and, on
the same beat, looks for RUNNING tasks whose worker's heartbeat is older than the lease
(`RAPPORT_WORKER_LEASE_SECONDS`) and whose process is not running on this machine: each goes
back to the queue, or, once it has been tried `RAPPORT_TASK_MAX_ATTEMPTS` times, is marked
FAILED with the reason, and recorded as a `TaskFailure` for the background tasks page. A
task's attempts are its claims: django-tasks-db appends the worker's id to `worker_ids` at each.

Each give-back is a conditional update on the claim (`status = RUNNING and started_at = ...`),
so two workers recovering at once give a task back once. Tasks are idempotent (a retried batch
changes nothing it already did), which is what makes running one again safe.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rapport.core import failures
from rapport.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker running a task stopped before it finished (the reason a task failed)."""


def lease_seconds() -> int:
    return int(settings.RAPPORT_WORKER_LEASE_SECONDS)


def max_attempts() -> int:
    return int(settings.RAPPORT_TASK_MAX_ATTEMPTS)


def new_worker_id() -> str:
    """Unique across the pool (django-tasks-db asks it), and says where the worker runs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def beat(worker_id: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        return
    created = WorkerHeartbeat.objects.get_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "beat_at": now,
        },
    )[1]
    if not created:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)


def runs_here(row: WorkerHeartbeat) -> bool:
    """A worker on this machine whose process still runs is alive, however late its heartbeat:
    on SQLite a long write elsewhere can hold the lock its heartbeat waits for (this only ever
    keeps a task with its worker; a dead worker is still found by its lapsed heartbeat)."""
    if row.host != socket.gethostname()[:255]:
        return False
    try:
        command = Path(f"/proc/{row.pid}/cmdline").read_bytes()
    except OSError:  # no such process (or no /proc: the heartbeat alone decides)
        return False
    return b"rapport" in command and b"worker" in command


def lost_reason(attempts: int) -> str:
    times = "once" if attempts == 1 else "twice" if attempts == 2 else f"{attempts} times"
    return f"The worker stopped while running it, {times}."


@dataclass
class Recovered:
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover(now: datetime | None = None) -> Recovered:
    """Gives the tasks of workers whose heartbeat lapsed back to the queue, or fails them."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=lease_seconds())
    alive, dead = set(), []
    for row in WorkerHeartbeat.objects.all():
        if row.beat_at >= stale or runs_here(row):
            alive.add(row.worker_id)
        else:
            dead.append(row.pk)
    recovered = Recovered()
    running = DBTaskResult.objects.running().only(
        "id", "worker_ids", "started_at", "task_path", "args_kwargs"
    )
    for result in running:
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        claim = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        attempts = len(result.worker_ids)
        if attempts < max_attempts():
            if claim.update(status=TaskResultStatus.READY, started_at=None):
                recovered.retried.append(str(result.pk))
            continue
        reason = lost_reason(attempts)
        with transaction.atomic():
            if not claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: {reason}\n",
            ):
                continue
            failures.record(
                result_id=str(result.pk),
                task_path=result.task_path,
                args=result.args_kwargs.get("args", []),
                kwargs=result.args_kwargs.get("kwargs", {}),
                reason=reason,
                attempts=attempts,
                now=now,
            )
        recovered.failed.append(str(result.pk))
    WorkerHeartbeat.objects.filter(pk__in=dead).delete()
    if recovered.retried:
        logger.warning(
            "Gave %d task(s) of stopped workers back to the queue: %s",
            len(recovered.retried),
            ", ".join(recovered.retried),
        )
    if recovered.failed:
        logger.error(
            "Failed %d task(s) whose workers stopped %d times: %s",
            len(recovered.failed),
            max_attempts(),
            ", ".join(recovered.failed),
        )
    return recovered


class Heartbeat:
    """The worker's heartbeat and the recovery of dead workers' tasks, in a thread of their own
    (the queue worker keeps the main thread for its signal handlers)."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.interval = max(lease_seconds() / 6, 0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rapport-heartbeat", daemon=True)

    def start(self) -> None:
        beat(self.worker_id)  # before the first claim, so no live worker's task looks lost
        recover()
        close_old_connections()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:  # the database away at shutdown: the row lapses on its own
            logger.exception("Could not remove the heartbeat of %s", self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                close_old_connections()
                try:
                    beat(self.worker_id)
                    recover()
                except Exception:  # a busy or lost database: the next beat tries again
                    logger.exception("The heartbeat of %s failed; retrying", self.worker_id)
        finally:
            connection.close()
