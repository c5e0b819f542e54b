"""The listening demo: queries, sources, a back-dated backlog and a replay that resumes once."""

import pytest

from rapport.demo import listening as demo
from rapport.demo import workspace as demo_workspace
from rapport.listening.models import ListeningQuery, Post, PostMatch, QuarantinedPayload, Source

pytestmark = pytest.mark.django_db


def replay_cursor() -> dict:
    cursor = Source.objects.get(name=demo.REPLAY_SOURCE).cursor
    assert cursor is not None
    return cursor


@pytest.fixture
def workspace(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    workspace, owner = demo_workspace.create_workspace()
    return workspace, owner


def test_demo_loads_queries_sources_and_a_triaged_backlog(
    workspace, django_capture_on_commit_callbacks
):
    ws, owner = workspace
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(ws, owner)
    assert ListeningQuery.objects.filter(workspace=ws).count() == len(demo.QUERIES)
    assert Source.objects.filter(workspace=ws).count() == len(demo.SOURCES) + 1
    assert Source.objects.filter(workspace=ws).exclude(last_error="").exists()
    assert Post.objects.filter(workspace=ws).count() == demo.BACKLOG + len(demo.IDEA_POSTS)
    assert Post.objects.filter(workspace=ws, triaged_at__isnull=True).count() == 0
    assert PostMatch.objects.filter(post__workspace=ws).count() > demo.BACKLOG // 2
    assert set(Post.objects.values_list("network", flat=True)) == set(demo.NETWORKS)
    assert QuarantinedPayload.objects.filter(workspace=ws).count() == len(demo.QUARANTINED)
    replay = replay_cursor()
    assert replay["offset"] == demo.BACKLOG
    assert replay["chain"]


def test_loading_the_demo_twice_duplicates_nothing_nor_restarts_the_replay(
    workspace, django_capture_on_commit_callbacks
):
    ws, owner = workspace
    demo.load(ws, owner)
    cursor = replay_cursor()
    counts = (Post.objects.count(), ListeningQuery.objects.count(), Source.objects.count())
    demo.load(ws, owner)
    assert (Post.objects.count(), ListeningQuery.objects.count(), Source.objects.count()) == counts
    assert replay_cursor()["chain"] == cursor["chain"]


def test_a_replay_step_receives_the_next_posts_now_and_a_stale_chain_does_nothing(workspace):
    ws, owner = workspace
    demo.load(ws, owner)
    chain = replay_cursor()["chain"]
    assert demo.replay_demo_posts.call(ws.pk, "an old chain") == 0
    before = Post.objects.count()
    demo.replay_demo_posts.call(ws.pk, chain)
    assert Post.objects.count() == before + demo.REPLAY_BATCH
    cursor = replay_cursor()
    assert cursor["offset"] == demo.BACKLOG + demo.REPLAY_BATCH
    assert not cursor["finished"]


def test_demo_posts_are_the_same_every_time():
    first, second = demo.demo_posts(), demo.demo_posts()
    assert len(first) == demo.TOTAL_POSTS
    assert [p.text for p in first[:50]] == [p.text for p in second[:50]]
    assert {p.language for p in first} >= {"en", "fr", "de", "es"}
