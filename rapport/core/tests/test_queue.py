"""A task queued by Rapport is run by a real worker process, on each queue backend we ship.

The worker is `rapport worker --burst` in a subprocess (the `run_worker_burst` fixture), as an
operator would start it: it runs the tasks waiting now and exits. It reaches the test database
through DATABASE_URL, so the database test commits its rows (transactional_db) for it to read.
"""

import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from rapport.core import actions, leases, selectors
from rapport.core.models import WorkerHeartbeat
from rapport.core.roles import Role

pytestmark = pytest.mark.queue

#: Where the Redis test queues when REDIS_URL is not set: a database of its own on local Redis.
LOCAL_TEST_REDIS = "redis://127.0.0.1:6379/15"


@task()
def run_once_slowly(marker: str) -> str:
    """The first run writes its pid to `marker` and waits to be killed; a retry finishes."""
    path = Path(marker)
    if path.exists():
        return "finished"
    path.write_text(str(os.getpid()))
    time.sleep(300)
    return "not killed"


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Waits for another process to get somewhere (not a timing: the deadline only ends a hang)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {seconds:.0f}s")
        time.sleep(0.2)


def is_gone(pid: int) -> bool:
    """True once the process has exited (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def manager(make_workspace, make_member):
    return make_member(make_workspace("queue"), role=Role.MANAGER)


@pytest.mark.django_db(transaction=True)
def test_database_queue_task_runs_in_a_worker_process(manager, run_worker_burst):
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_tasks, TASKS_BACKEND="database"):
        run = actions.start_worker_check(manager)
        assert selectors.task_run_state(run).status == "READY"

        worker_pid, output = run_worker_burst(RAPPORT_TASKS_BACKEND="database")

        state = selectors.task_run_state(run)
    assert state.status == "SUCCESSFUL", output
    assert state.finished
    assert state.return_value["workspace_id"] == manager.workspace_id
    assert state.return_value["host"] == socket.gethostname()
    # The database worker runs each task in its own process: the one we started.
    assert state.return_value["pid"] == worker_pid


@pytest.mark.django_db(transaction=True)
def test_database_queue_task_of_a_killed_worker_runs_again(
    tmp_path, start_worker, run_worker_burst
):
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    marker = tmp_path / "ran"
    with override_settings(TASKS=database_tasks, TASKS_BACKEND="database"):
        result = run_once_slowly.enqueue(str(marker))
        worker = start_worker(RAPPORT_TASKS_BACKEND="database")
        wait_for(marker.exists, "the worker to start the task")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == "RUNNING"  # what a killed worker leaves behind

        # Its heartbeat is now older than the lease (as it would be a minute later).
        lapsed = timezone.now() - timedelta(seconds=leases.lease_seconds() + 1)
        WorkerHeartbeat.objects.update(beat_at=lapsed)
        run_worker_burst(RAPPORT_TASKS_BACKEND="database")

        row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "finished"
    assert len(row.worker_ids) == 2  # tried twice: the dead worker, then the burst one
    assert not WorkerHeartbeat.objects.exists()  # the dead one cleared, the burst one gone


@pytest.fixture
def redis_url() -> str:
    """The Redis the queue test uses; an unreachable one fails the test, it never skips it."""
    url = settings.REDIS_URL or LOCAL_TEST_REDIS
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as e:
        pytest.fail(
            f"Redis at {url} is unreachable ({e}). The Redis queue test needs a real Redis: "
            "start one, or point REDIS_URL at one."
        )
    finally:
        client.close()
    return url


def test_redis_queue_task_runs_in_an_rq_worker(manager, redis_url, run_worker_burst):
    redis_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    with override_settings(
        TASKS=redis_tasks, TASKS_BACKEND="redis", REDIS_URL=redis_url, RQ_QUEUES=rq_queues
    ):
        import django_rq

        # Jobs left by earlier runs would make the burst worker slower, not the test wrong.
        django_rq.get_queue("default").empty()
        run = actions.start_worker_check(manager)
        assert selectors.task_run_state(run).status == "READY"

        worker_pid, output = run_worker_burst(RAPPORT_TASKS_BACKEND="redis", REDIS_URL=redis_url)

        state = selectors.task_run_state(run)
    assert state.status == "SUCCESSFUL", output
    assert state.finished
    assert state.return_value["workspace_id"] == manager.workspace_id
    assert state.return_value["host"] == socket.gethostname()
    # RQ runs each job in a child it forks (the "work horse"), so only "not in this process".
    assert state.return_value["pid"] not in (os.getpid(), worker_pid)


def test_redis_queue_killed_worker_takes_its_job_down_and_the_job_runs_again(
    redis_url, tmp_path, start_worker, run_worker_burst
):
    from rq.registry import StartedJobRegistry

    redis_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    marker = tmp_path / "ran"
    with override_settings(
        TASKS=redis_tasks, TASKS_BACKEND="redis", REDIS_URL=redis_url, RQ_QUEUES=rq_queues
    ):
        import django_rq
        from django_tasks import default_task_backend

        queue = django_rq.get_queue("default")
        queue.empty()
        started = StartedJobRegistry(queue=queue)
        queue.connection.delete(started.key)
        result = run_once_slowly.enqueue(str(marker))
        worker = start_worker(RAPPORT_TASKS_BACKEND="redis", REDIS_URL=redis_url)
        wait_for(marker.exists, "the worker to start the job")
        horse = int(marker.read_text())
        children = children_of(worker.pid)
        assert horse in children  # RQ runs the job in a child, its "work horse"
        assert len(children) >= 2  # and its scheduler in another

        worker.send_signal(signal.SIGKILL)
        worker.wait()
        # They die with their worker instead of running on, re-parented.
        wait_for(lambda: all(map(is_gone, children)), "the worker's children to stop", 10)

        # The job's heartbeat lapses about 90 s after its worker died; make that now.
        members = cast(list[bytes], queue.connection.zrange(started.key, 0, -1))
        queue.connection.zadd(started.key, dict.fromkeys(members, 1))
        run_worker_burst(RAPPORT_TASKS_BACKEND="redis", REDIS_URL=redis_url)

        state = default_task_backend.get_result(result.id)
    assert str(state.status.value) == "SUCCESSFUL"
    assert state.return_value == "finished"
