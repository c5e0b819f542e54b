"""The Redis queue's worker: RQ's forking worker, with a work horse that dies with it, and a
job whose worker died tried again (`rapport worker` passes it as `--worker-class`).

RQ runs each job in a child it forks (the "work horse"), in a process group of its own, and its
scheduler (jobs to run later, `run_after`) in another forked process. When the worker is killed
with SIGKILL, nothing tells them: they went on running, re-parented, holding their connections.
Here both ask Linux to kill them when their parent dies (`PR_SET_PDEATHSIG`), the one call made
for exactly this; RQ then sees the job as abandoned once its heartbeat lapses
(about 90 s), and its own clean-up retries it if the job has retries left. `retry_abandoned`
gives it those retries, counting the deaths in the job's meta, up to `RAPPORT_TASK_MAX_ATTEMPTS`
tries, then records the failure with its reason. A job that raised is not retried (as on the
database queue): its error is the answer.
"""

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
from typing import Any

from rq.exceptions import AbandonedJobError
from rq.scheduler import RQScheduler
from rq.worker import Worker as RQWorker

from rapport.core import failures, leases

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
#: How often a worker cleans the queue's registries (RQ's default is 10 minutes): how soon,
#: after its heartbeat lapses, a dead worker's job is tried again.
MAINTENANCE_SECONDS = 30


def die_with_parent(parent_pid: int) -> None:
    """Asks the kernel to SIGKILL this process when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def retry_abandoned(job: Any, exc_type: type, exc_value: Any, traceback: Any) -> bool:
    """RQ's exception handler, called by its clean-up for a job whose worker died: gives it one
    more try while it has attempts left, else records why it failed."""
    if exc_type is not AbandonedJobError:
        return True
    attempts = int(job.meta.get("rapport_attempts", 1))
    if attempts < leases.max_attempts():
        job.meta["rapport_attempts"] = attempts + 1
        job.save_meta()
        job.retries_left = 1
        job.retry_intervals = None
        logger.warning("Job %s: its worker stopped; trying it again", job.id)
        return True
    failures.record(
        result_id=str(job.id),
        task_path=job.func_name,
        args=list(job.args),
        kwargs=dict(job.kwargs),
        reason=leases.lost_reason(attempts),
        attempts=attempts,
    )
    return True


class Scheduler(RQScheduler):
    """RQ's scheduler (run_after, retries), in the process it forks: dies with its worker too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()

    def work(self) -> None:
        die_with_parent(self.parent_pid)
        super().work()


class Worker(RQWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("maintenance_interval", MAINTENANCE_SECONDS)
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()
        self.push_exc_handler(retry_abandoned)

    def main_work_horse(self, job: Any, queue: Any) -> None:
        die_with_parent(self.parent_pid)
        super().main_work_horse(job, queue)

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = "",
        log_format: str = "",
    ) -> None:
        # RQ's own, with our Scheduler: its forked process must not outlive the worker either.
        from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT

        self.scheduler = Scheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format or DEFAULT_LOGGING_DATE_FORMAT,
            log_format=log_format or DEFAULT_LOGGING_FORMAT,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()
