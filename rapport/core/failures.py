"""Tasks that failed for good, recorded for the background tasks page (`TaskFailure`).

Recorded when a task raised (django-tasks' `task_finished` signal, any backend) and when the
workers running it kept dying until it ran out of attempts (`leases.recover` on the database
queue, `rq_worker.retry_abandoned` on Redis). One record per task, however it is reported.
"""

import contextlib
import inspect
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rapport.core import events
from rapport.core.models import TaskFailure, TaskRun, Workspace

logger = logging.getLogger(__name__)

#: Errors of the database itself (locked, connection lost, a deadlock), not of the task: on the
#: database queue a task failing with one goes back to the queue while it has attempts left.
TRANSIENT = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")

#: The exception classes that mean "the worker died", reported by the recovery with its reason
#: rather than as the task's own error.
WORKER_LOST = ("rapport.core.leases.WorkerLost", "rq.exceptions.AbandonedJobError")


def workspace_of(result_id: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> int | None:
    """The workspace a task worked for: a task run started from Rapport, a `workspace_id`
    argument, or the event a queued listener heard."""
    run = TaskRun.objects.filter(result_id=result_id).values_list("workspace_id", flat=True)
    if run:
        return run[0]
    candidates = [kwargs.get("workspace_id")]
    candidates += [a.get("workspace_id") for a in args if isinstance(a, Mapping)]
    for value in candidates:
        if isinstance(value, int) and Workspace.objects.filter(pk=value).exists():
            return value
    return None


def task_name(task_path: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] = {}) -> str:
    """What the task was doing, as a manager reads it: the first clause of its docstring (of the
    listener's, for a queued listener's task), never a module path."""
    func: Any = None
    with contextlib.suppress(ImportError):
        func = getattr(import_string(task_path), "func", None)
    if task_path == "rapport.core.tasks.hear_event":
        listener = kwargs.get("listener", args[0] if args else "")
        heard = (x.func for lst in events.LISTENERS.values() for x in lst if x.path == listener)
        func = next(heard, func)
    doc = (inspect.getdoc(func) or "") if func is not None else ""
    first = re.split(r"[.:;(]", " ".join(doc.split()), maxsplit=1)[0].strip()
    if not first:
        first = task_path.rsplit(".", 1)[-1].replace("_", " ")
    return first[:1].upper() + first[1:]


def record(
    *,
    result_id: str,
    task_path: str,
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    reason: str,
    attempts: int,
    now: datetime | None = None,
) -> TaskFailure | None:
    """Records a task's final failure once (a second report of the same task changes nothing)."""
    try:
        with transaction.atomic():
            failure, _ = TaskFailure.objects.get_or_create(
                result_id=result_id,
                defaults={
                    "workspace_id": workspace_of(result_id, args, kwargs),
                    "task_name": task_name(task_path, args, kwargs)[:200],
                    "reason": reason[:2000],
                    "attempts": max(attempts, 1),
                    "failed_at": now or timezone.now(),
                },
            )
    except IntegrityError:  # reported twice at once
        return TaskFailure.objects.filter(result_id=result_id).first()
    return failure


def reason_of(exception_class_path: str, traceback: str) -> str:
    """The last line of the traceback ("ValueError: bad input"), or the exception's class."""
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else exception_class_path or "failed"


def task_finished(sender: Any, task_result: Any, **_: Any) -> None:
    """django-tasks' signal: a task that raised is recorded (not one whose worker died: the
    recovery retries it, and records it when it gives up)."""
    if str(getattr(task_result.status, "value", task_result.status)) != "FAILED":
        return
    errors = list(task_result.errors)
    if not errors or errors[-1].exception_class_path in WORKER_LOST:
        return
    attempts = max(len(task_result.worker_ids), 1)
    if errors[-1].exception_class_path in TRANSIENT and attempts < leases_max_attempts():
        try:
            if requeue(str(task_result.id)):
                logger.warning("Task %s: the database failed it; trying it again", task_result.id)
                return
        except Exception:
            logger.exception("Could not put task %s back on the queue", task_result.id)
    try:
        record(
            result_id=str(task_result.id),
            task_path=task_result.task.module_path,
            args=list(task_result.args),
            kwargs=dict(task_result.kwargs),
            reason=reason_of(errors[-1].exception_class_path, errors[-1].traceback),
            attempts=attempts,
        )
    except Exception:  # recording must not hide the task's own failure from the worker's log
        logger.exception("Could not record the failure of task %s", task_result.id)


def leases_max_attempts() -> int:
    return int(settings.RAPPORT_TASK_MAX_ATTEMPTS)


def requeue(result_id: str) -> bool:
    """Puts a failed task of the database queue back (a task of another queue: False)."""
    try:
        failed = DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.FAILED)
        return bool(
            failed.update(
                status=TaskResultStatus.READY,
                started_at=None,
                finished_at=None,
                exception_class_path="",
                traceback="",
            )
        )
    except ValidationError:  # not a UUID: another queue's id
        return False
