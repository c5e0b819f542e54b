"""The scheduler: periodic tasks enqueued when due, once, with their state in the database."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from rapport.core import schedule
from rapport.core.models import Schedule


@task()
def tick() -> str:
    return "tick"


@task()
def tock() -> str:
    return "tock"


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def database_queue(settings):
    """These tests count what the scheduler enqueued in the database queue, whichever queue the
    suite runs with (CI's PostgreSQL run uses Redis)."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def ticking():
    periodic = schedule.every("test.tick", seconds=60, task=tick)
    yield periodic
    schedule.unregister("test.tick")


def enqueued_ticks() -> int:
    return DBTaskResult.objects.filter(task_path=tick.module_path).count()


@pytest.mark.django_db
def test_a_new_schedule_runs_at_once_then_once_per_period(ticking):
    now = timezone.now()
    assert ("test.tick" in dict(schedule.run_due(now))) is True
    assert enqueued_ticks() == 1
    row = Schedule.objects.get(name="test.tick")
    assert row.next_run_at == now + timedelta(seconds=60)
    assert row.last_run_at == now
    assert row.last_task_id == str(DBTaskResult.objects.get(task_path=tick.module_path).id)

    assert "test.tick" not in dict(schedule.run_due(now + timedelta(seconds=59)))
    assert enqueued_ticks() == 1
    assert "test.tick" in dict(schedule.run_due(now + timedelta(seconds=61)))
    assert enqueued_ticks() == 2


@pytest.mark.django_db
def test_a_due_run_is_claimed_by_one_caller_only(ticking):
    now = timezone.now()
    schedule.ensure_rows(now)
    assert schedule.claim(ticking, now) is True
    assert schedule.claim(ticking, now) is False  # a second worker at the same moment
    # and two passes at the same moment enqueue it once
    later = now + timedelta(seconds=60)
    first, second = schedule.run_due(later), schedule.run_due(later)
    assert "test.tick" in dict(first)
    assert "test.tick" not in dict(second)
    assert enqueued_ticks() == 1


@pytest.mark.django_db
def test_the_next_run_survives_a_restart(ticking):
    now = timezone.now()
    schedule.run_due(now)
    # A restart: the process forgets its registrations, the row remembers when to run next.
    schedule.unregister("test.tick")
    schedule.every("test.tick", seconds=60, task=tick)
    assert "test.tick" not in dict(schedule.run_due(now + timedelta(seconds=30)))
    assert enqueued_ticks() == 1
    assert Schedule.objects.get(name="test.tick").next_run_at == now + timedelta(seconds=60)


@pytest.mark.django_db
def test_a_changed_period_is_kept_and_listed(ticking, capsys):
    now = timezone.now()
    schedule.run_due(now)
    schedule.every("test.tick", seconds=300, task=tick)
    schedule.ensure_rows(now)
    assert Schedule.objects.get(name="test.tick").every_seconds == 300
    call_command("schedule")
    out = capsys.readouterr().out
    assert "test.tick" in out
    assert "300 s" in out


def test_bad_registrations_are_refused_with_the_reason(ticking):
    with pytest.raises(ValueError, match="at least 1 second"):
        schedule.every("test.zero", seconds=0, task=tick)
    with pytest.raises(TypeError, match="not a django-tasks task"):
        schedule.every("test.plain", seconds=10, task=print)
    with pytest.raises(ValueError, match="already runs"):
        schedule.every("test.tick", seconds=60, task=tock)


@pytest.mark.django_db
def test_run_due_command_enqueues_once(ticking, capsys):
    call_command("schedule", "--run-due")
    assert "Enqueued test.tick" in capsys.readouterr().out
    call_command("schedule", "--run-due")
    out = capsys.readouterr().out
    assert "Enqueued test.tick" not in out
    assert enqueued_ticks() == 1


@pytest.mark.django_db
def test_the_outbox_and_approval_expiry_have_timers():
    names = {p.name for p in schedule.registered()}
    assert {"engagement.outbox", "approvals.expire"} <= names


@task()
def broken() -> None:
    return None


@pytest.mark.django_db
def test_a_schedule_that_cannot_be_enqueued_stays_due_and_the_others_run(ticking, monkeypatch):
    original = type(broken).enqueue

    def enqueue(self, *args, **kwargs):
        if self is broken:
            raise ConnectionError("queue unreachable")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(broken), "enqueue", enqueue)
    schedule.every("test.broken", seconds=60, task=broken)
    try:
        now = timezone.now()
        assert "test.tick" in dict(schedule.run_due(now))
        assert "test.broken" not in dict(schedule.run_due(now))
        assert Schedule.objects.get(name="test.broken").next_run_at <= now  # still due
    finally:
        schedule.unregister("test.broken")
