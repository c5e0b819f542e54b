"""A task queued by Rapport is run by a real worker process, on each queue backend we ship.

The worker is `rapport worker --burst` in a subprocess (the `run_worker_burst` fixture), as an
operator would start it: it runs the tasks waiting now and exits. It reaches the test database
through DATABASE_URL, so the database test commits its rows (transactional_db) for it to read.
"""

import os
import socket

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from rapport.core import actions, selectors
from rapport.core.roles import Role

pytestmark = pytest.mark.queue

#: Where the Redis test queues when REDIS_URL is not set: a database of its own on local Redis.
LOCAL_TEST_REDIS = "redis://127.0.0.1:6379/15"


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
