"""A task whose worker died runs again; running it again changes nothing it already did.

The queue delivers at least once (`rapport.core.leases`, `rq_worker`), so the post's journey must
be idempotent: the `post.triaged` listeners, retried, place no post twice, act no rule twice and
write no timeline entry twice.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.contacts.models import Contact, Identity
from rapport.core import events, failures, leases
from rapport.core.models import PendingEvent, TaskFailure, WorkerHeartbeat
from rapport.core.tasks import hear_event, send_pending_events
from rapport.inbox import rule_actions
from rapport.inbox.models import Activity, Conversation, ConversationPost, RuleApplication
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery
from rapport.notifications.models import Notification
from rapport.profile.models import TimelineEntry

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: A queue outside the database (as Redis is), keeping what is enqueued in memory.
OTHER_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def claimed(result: DBTaskResult, *worker_ids: str, ago: timedelta = timedelta()) -> None:
    """As django-tasks-db leaves a task its workers claimed, the last one still running it."""
    DBTaskResult.objects.filter(pk=result.pk).update(
        status="RUNNING", worker_ids=list(worker_ids), started_at=timezone.now() - ago
    )


@pytest.fixture
def queued(acme):
    """A queued listener's task on the database queue, as `post.triaged` leaves one."""
    with override_settings(TASKS=DATABASE_QUEUE):
        result = hear_event.enqueue(
            "rapport.inbox.wiring.place_triaged_posts",
            {
                "name": "post.triaged",
                "workspace_id": acme.pk,
                "actor_id": None,
                "object_id": None,
                "ids": [],
                "data": {},
                "at": timezone.now().isoformat(),
            },
        )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_whose_worker_stopped_goes_back_to_the_queue(queued):
    claimed(queued, "dead-1")
    WorkerHeartbeat.objects.create(
        worker_id="dead-1",
        host="h",
        pid=1,
        started_at=timezone.now() - timedelta(hours=1),
        beat_at=timezone.now() - timedelta(seconds=leases.lease_seconds() + 1),
    )

    recovered = leases.recover()

    queued.refresh_from_db()
    assert recovered.retried == [str(queued.pk)]
    assert queued.status == "READY"  # the next free worker takes it; its attempts are kept
    assert queued.worker_ids == ["dead-1"]
    assert not WorkerHeartbeat.objects.filter(worker_id="dead-1").exists()


def test_a_task_of_a_live_worker_stays_with_it(queued):
    claimed(queued, "alive-1", ago=timedelta(hours=2))  # a long task: the heartbeat counts
    leases.beat("alive-1")

    assert leases.recover().retried == []
    queued.refresh_from_db()
    assert queued.status == "RUNNING"


def test_after_the_last_attempt_the_task_fails_with_why_on_the_tasks_page(
    acme, queued, client, owner
):
    claimed(queued, "dead-1", "dead-2", "dead-3")  # three workers died running it

    recovered = leases.recover()

    queued.refresh_from_db()
    assert recovered.failed == [str(queued.pk)]
    assert queued.status == "FAILED"
    assert queued.exception_class_path == "rapport.core.leases.WorkerLost"
    failure = TaskFailure.objects.get(result_id=str(queued.pk))
    assert failure.workspace == acme  # from the event the listener was to hear
    assert failure.reason == "The worker stopped while running it, 3 times."
    assert failure.attempts == 3
    assert leases.recover().failed == []  # reported once

    client.force_login(owner.user)
    page = client.get(f"/w/{acme.slug}/settings/tasks/").content.decode()
    assert "Failed tasks" in page
    # what the task was doing, in words, not its module path
    assert "Groups a triaged batch into conversations and routes them" in page
    assert "hear_event" not in page
    assert "rapport.core" not in page
    assert "The worker stopped while running it, 3 times." in page


def test_a_failure_in_another_workspace_is_not_shown(acme, globex, queued, client, owner):
    claimed(queued, "dead-1", "dead-2", "dead-3")
    leases.recover()
    TaskFailure.objects.update(workspace=globex)
    client.force_login(owner.user)
    page = client.get(f"/w/{acme.slug}/settings/tasks/").content.decode()
    assert "No background task has failed." in page
    assert "The worker stopped" not in page


def _post(external_id: str, author: str, text: str) -> NormalisedPost:
    return NormalisedPost(
        network="mastodon",
        external_id=external_id,
        text=text,
        author=Author(external_id=author, handle=f"h{author}", reach=50),
        created_at=timezone.now() - timedelta(minutes=5),
        raw={"id": external_id},
    )


def test_a_retried_triaged_batch_places_routes_and_records_each_post_once(acme, owner):
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank"')
    rule_actions.create_rule(
        owner,
        name="Every post: tag it, tell a manager",
        conditions=[],
        actions=[{"type": "add_tag", "tag": "seen"}, {"type": "notify", "role": "manager"}],
    )
    customer = Contact.objects.create(workspace=acme, name="Jo Smith")
    Identity.objects.create(
        workspace=acme, network="mastodon", external_id="77", handle="h77", contact=customer
    )
    batch = Batch(
        posts=[
            _post("1", "77", "Acme Bank declined my card twice today, what is going on?"),
            _post("2", "5", "Acme Bank: how do I open a savings account for my kid?"),
        ]
    )
    heard: list[tuple[str, dict]] = []
    with override_settings(TASKS=DATABASE_QUEUE), events.inline(False):
        receive(acme, batch)
    for task in DBTaskResult.objects.filter(task_path="rapport.core.tasks.hear_event"):
        heard.append((task.args_kwargs["args"][0], task.args_kwargs["args"][1]))
    assert {listener for listener, _ in heard} == {
        "rapport.inbox.wiring.place_triaged_posts",
        "rapport.profile.wiring.posts_triaged",
    }

    def counts() -> dict[str, int]:
        return {
            "placed": ConversationPost.objects.filter(conversation__workspace=acme).count(),
            "conversations": Conversation.objects.filter(workspace=acme).count(),
            "rules acted": RuleApplication.objects.count(),
            "activities": Activity.objects.filter(workspace=acme).count(),
            "notifications": Notification.objects.count(),
            "timeline": TimelineEntry.objects.filter(contact=customer).count(),
        }

    for listener, event in heard:  # the worker ran each task ...
        events.run_queued(listener, event)
    once = counts()
    for listener, event in heard:  # ... then died before saying so: another worker runs it again
        events.run_queued(listener, event)

    assert once["placed"] == 2
    assert once["rules acted"] == 2
    assert once["timeline"] == 1
    assert counts() == once


def enqueued() -> list:
    from django_tasks import task_backends
    from django_tasks.backends.dummy import DummyBackend

    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    return list(backend.results)


def _triaged_batch(acme) -> Batch:
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank"')
    return Batch(posts=[_post("9", "5", "Acme Bank, where is my card?")])


def test_on_the_database_queue_the_listeners_tasks_commit_with_the_posts(acme):
    batch = _triaged_batch(acme)
    with override_settings(TASKS=DATABASE_QUEUE), events.inline(False), transaction.atomic():
        receive(acme, batch)
        # Written by the storing transaction itself, before its commit.
        assert DBTaskResult.objects.filter(task_path=hear_event.module_path).count() == 2
    assert DBTaskResult.objects.filter(task_path=hear_event.module_path).count() == 2


def test_on_another_queue_a_pending_row_stands_for_the_tasks_until_enqueued(acme):
    batch = _triaged_batch(acme)
    with override_settings(TASKS=OTHER_QUEUE), events.inline(False):
        with transaction.atomic():
            receive(acme, batch)
            assert PendingEvent.objects.count() == 2  # committed with the posts
        assert not PendingEvent.objects.exists()  # enqueued after the commit, then forgotten
        assert len(enqueued()) == 2


def test_tasks_left_pending_by_a_dead_process_are_enqueued_by_the_sweep(acme):
    batch = _triaged_batch(acme)
    with override_settings(TASKS=OTHER_QUEUE), events.inline(False):
        with mock.patch.object(events, "send_pending"):  # the process died after its commit
            receive(acme, batch)
        assert PendingEvent.objects.count() == 2
        assert send_pending_events.call() == 0  # not before the grace period
        PendingEvent.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        assert send_pending_events.call() == 2
        assert not PendingEvent.objects.exists()
        assert sorted(r.args[0] for r in enqueued()) == [
            "rapport.inbox.wiring.place_triaged_posts",
            "rapport.profile.wiring.posts_triaged",
        ]


@pytest.mark.parametrize(
    ("workers", "status", "recorded"),
    [(["w1"], "READY", False), (["w1", "w2", "w3"], "FAILED", True)],
)
def test_a_task_the_database_failed_is_tried_again_while_it_has_attempts(
    queued, workers, status, recorded
):
    claimed(queued, *workers)
    queued.refresh_from_db()
    queued.set_failed(OperationalError("database is locked"))

    failures.task_finished(sender=None, task_result=queued.task_result)

    queued.refresh_from_db()
    assert queued.status == status
    failure = TaskFailure.objects.filter(result_id=str(queued.pk)).first()
    assert (failure is not None) == recorded
    if failure is not None:
        assert failure.reason == "django.db.utils.OperationalError: database is locked"
        assert failure.attempts == 3
