"""`rapport worker` runs the scheduler beside the queue worker, on each backend we ship: the
periodic tasks are enqueued by its scheduler thread and run by the worker itself."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import override_settings

from rapport.core.models import Schedule
from rapport.core.tests.test_queue import redis_url  # noqa: F401 - a fixture
from rapport.sla.tasks import sweep_slas

pytestmark = pytest.mark.queue


def run_worker_until(database_url: str, done, env: dict[str, str], timeout: float = 90) -> str:
    with subprocess.Popen(
        [sys.executable, "-m", "rapport", "worker", "--interval", "0.2"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not done():
                assert proc.poll() is None, "the worker stopped"
                time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                output, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
    return output


def sweep_state() -> str:
    row = Schedule.objects.filter(name="sla.sweep").first()
    if row is None or not row.last_task_id:
        return "NOT ENQUEUED"
    return str(sweep_slas.get_result(row.last_task_id).status)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_enqueues_and_runs_the_sla_sweep(test_database_url):
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_tasks):  # read the result where the worker wrote it
        output = run_worker_until(
            test_database_url,
            lambda: sweep_state() == "SUCCESSFUL",
            {"RAPPORT_TASKS_BACKEND": "database"},
        )
        assert "Scheduler started" in output
        assert sweep_state() == "SUCCESSFUL", output
    assert Schedule.objects.get(name="sla.sweep").next_run_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_redis_worker_enqueues_and_runs_the_sla_sweep(redis_url, test_database_url):  # noqa: F811
    redis_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    rq_queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    with override_settings(
        TASKS=redis_tasks, TASKS_BACKEND="redis", REDIS_URL=redis_url, RQ_QUEUES=rq_queues
    ):
        import django_rq

        django_rq.get_queue("default").empty()
        output = run_worker_until(
            test_database_url,
            lambda: sweep_state() == "SUCCESSFUL",
            {"RAPPORT_TASKS_BACKEND": "redis", "REDIS_URL": redis_url},
        )
        assert "Scheduler started" in output
        assert sweep_state() == "SUCCESSFUL", output
