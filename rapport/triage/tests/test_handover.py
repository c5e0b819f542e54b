"""The route step hands a bulk-ingested batch to the inbox as one task, after commit."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.db import transaction

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.inbox import tasks
from rapport.inbox.intake import intake_stored
from rapport.inbox.models import Conversation, ConversationPost, ConversationQuery
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Post
from rapport.triage.pipeline import process_posts

TASK = tasks.intake_posts
T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def post(external_id: str, text: str, author: str = "u1", **kwargs) -> NormalisedPost:
    return NormalisedPost(
        network="mastodon",
        external_id=external_id,
        text=text,
        author=Author(external_id=author, handle=f"h{author}", reach=50),
        created_at=T0,
        raw={"id": external_id},
        **kwargs,
    )


@pytest.fixture
def brand(acme) -> ListeningQuery:
    return ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank"')


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[int, list[int]]]:
    calls: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(
        tasks, "intake_posts", SimpleNamespace(enqueue=lambda *args: calls.append(args))
    )
    return calls


BATCH = Batch(
    posts=[
        post("1", "Acme Bank declined my card twice today, what is going on?"),
        post("2", "@h1 same with acme bank here", author="u2", reply_to_id="1"),
        post("3", "Acme Bank: how do I open a savings account for my kid?", author="u3"),
    ]
)


def test_bulk_ingest_queues_one_inbox_task_per_batch_after_commit(acme, brand, enqueued):
    with transaction.atomic():
        result = receive(acme, BATCH, triage="inline", inbox="queue")
        assert enqueued == []  # nothing before the commit
    assert enqueued == [(acme.pk, result.created)]
    assert not Conversation.objects.filter(workspace=acme).exists()  # the ingest did not wait

    assert TASK.call(*enqueued[0]) == 3
    convs = Conversation.objects.filter(workspace=acme).order_by("pk")
    assert [c.post_count for c in convs] == [2, 1]  # the reply joined its thread
    assert ConversationPost.objects.filter(conversation__workspace=acme).count() == 3
    assert ConversationQuery.objects.filter(query=brand).count() == 2
    assert {c.label for c in convs} == {"brand"}


def test_the_inbox_task_places_each_post_once(acme, brand, enqueued):
    result = receive(acme, BATCH, triage="inline", inbox="queue")
    intake_stored(acme.pk, result.created)
    intake_stored(acme.pk, result.created)  # a task run twice (at-least-once queues)
    assert ConversationPost.objects.filter(conversation__workspace=acme).count() == 3
    assert sum(Conversation.objects.values_list("post_count", flat=True)) == 3


def test_the_inbox_task_never_places_another_workspaces_posts(acme, globex, brand, enqueued):
    result = receive(acme, BATCH, triage="inline", inbox="queue")
    assert intake_stored(globex.pk, result.created).placed == []
    assert not Conversation.objects.exists()


def test_capture_style_ingest_still_groups_at_once(acme, brand, enqueued):
    receive(acme, BATCH, triage="inline")  # inbox="now"
    assert enqueued == []
    assert Conversation.objects.filter(workspace=acme).count() == 2


def test_the_triage_worker_hands_over_too(
    acme, brand, enqueued, django_capture_on_commit_callbacks
):
    result = receive(acme, BATCH, triage="none")
    with django_capture_on_commit_callbacks(execute=True):
        process_posts(acme.pk, result.created, hand_over=True)
    [(workspace_id, ids)] = enqueued
    assert (workspace_id, sorted(ids)) == (acme.pk, sorted(result.created))
    assert Post.objects.filter(triaged_at__isnull=False).count() == 3
