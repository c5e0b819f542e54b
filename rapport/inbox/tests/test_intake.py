"""The inbox hears each triaged batch after its commit, in a task of its own, and places each
post once (`inbox.wiring.place_triaged_posts`)."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.core import events
from rapport.inbox.intake import intake_stored
from rapport.inbox.models import Conversation, ConversationPost, ConversationQuery
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Post
from rapport.triage.pipeline import process_posts

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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


def inbox_tasks() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path="rapport.core.tasks.hear_event",
            args_kwargs__args__0="rapport.inbox.wiring.place_triaged_posts",
        )
    )


BATCH = Batch(
    posts=[
        post("1", "Acme Bank declined my card twice today, what is going on?"),
        post("2", "@h1 same with acme bank here", author="u2", reply_to_id="1"),
        post("3", "Acme Bank: how do I open a savings account for my kid?", author="u3"),
    ]
)


def test_a_stored_batch_reaches_the_inbox_in_one_task_after_commit(acme, brand):
    with override_settings(TASKS=DATABASE_QUEUE), events.inline(False):
        result = receive(acme, BATCH)
    assert not Conversation.objects.filter(workspace=acme).exists()  # storing did not wait
    [task] = inbox_tasks()
    events.run_queued(*task.args_kwargs["args"])  # what the worker does
    assert task.args_kwargs["args"][1]["ids"] == result.created
    convs = Conversation.objects.filter(workspace=acme).order_by("pk")
    assert [c.post_count for c in convs] == [2, 1]  # the reply joined its thread
    assert ConversationPost.objects.filter(conversation__workspace=acme).count() == 3
    assert ConversationQuery.objects.filter(query=brand).count() == 2
    assert {c.label for c in convs} == {"brand"}


def test_the_inbox_places_each_post_once(acme, brand):
    result = receive(acme, BATCH)  # heard inline: placed once already
    intake_stored(acme.pk, result.created)
    intake_stored(acme.pk, result.created)  # a task run twice (at-least-once queues)
    assert ConversationPost.objects.filter(conversation__workspace=acme).count() == 3
    assert sum(Conversation.objects.values_list("post_count", flat=True)) == 3


def test_the_inbox_never_places_another_workspaces_posts(acme, globex, brand):
    with override_settings(TASKS=DATABASE_QUEUE), events.inline(False):
        result = receive(acme, BATCH)
    assert intake_stored(globex.pk, result.created).placed == []
    assert not Conversation.objects.exists()


def test_inline_the_conversations_exist_when_receive_returns(acme, brand):
    receive(acme, BATCH)  # imports, the demo and tests hear inline
    assert Conversation.objects.filter(workspace=acme).count() == 2


def test_copies_stay_out_of_the_inbox_their_original_is_there(acme, brand):
    text = "Acme Bank declined my card twice today, what is going on?"
    receive(acme, Batch(posts=[post("1", text), post("9", "RT @h1: " + text, author="u9")]))
    copy = Post.objects.get(external_id="9")
    assert copy.duplicate_of is not None
    assert not ConversationPost.objects.filter(post=copy).exists()
    assert ConversationPost.objects.filter(post=copy.duplicate_of).exists()


def test_posts_triaged_again_by_id_reach_the_inbox_too(acme, brand):
    with override_settings(TASKS=DATABASE_QUEUE), events.inline(False):
        result = receive(acme, BATCH)
        process_posts(acme.pk, result.created)  # an edit's path
    assert len(inbox_tasks()) == 2
    for task in inbox_tasks():
        events.run_queued(*task.args_kwargs["args"])
    assert ConversationPost.objects.filter(conversation__workspace=acme).count() == 3
    assert Post.objects.filter(triaged_at__isnull=False).count() == 3


@pytest.mark.queue
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_places_a_stored_batch(make_workspace, run_worker_burst):
    """The queued listener runs in a worker process, as in production (database queue)."""
    acme = make_workspace("acme", "Acme Bank")
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank"')
    with override_settings(TASKS=DATABASE_QUEUE, TASKS_BACKEND="database"), events.inline(False):
        receive(acme, BATCH)
        assert not Conversation.objects.filter(workspace=acme).exists()
        _, output = run_worker_burst(RAPPORT_TASKS_BACKEND="database")
    convs = Conversation.objects.filter(workspace=acme).order_by("pk")
    assert [c.post_count for c in convs] == [2, 1], output
