"""Streaming sources: only wanted posts stored, the position kept, failures recorded and retried."""

from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from typing import Any, ClassVar

import pytest
from django.core.management import CommandError, call_command

from rapport.connectors import registry
from rapport.connectors.base import (
    Author,
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
)
from rapport.listening import streams
from rapport.listening.models import ListeningQuery, Post, Source


def post(i: int, text: str, **kwargs: Any) -> NormalisedPost:
    return NormalisedPost(
        network="mastodon",
        external_id=str(i),
        text=text,
        author=Author(external_id="a1", handle="ann"),
        created_at=datetime(2026, 11, 20, 10, i, tzinfo=UTC),
        **kwargs,
    )


class FakeStream(Connector):
    """Each connection serves the next script entry: a list of batches, or an exception."""

    name = "fakestream"
    label = "Fake stream"
    capabilities = frozenset({Capability.STREAM})
    script: ClassVar[list[Any]] = []
    cursors_seen: ClassVar[list[Any]] = []

    def stream(self, cursor: dict[str, Any] | None) -> Iterator[Batch]:
        type(self).cursors_seen.append(cursor)
        step = type(self).script.pop(0)
        if isinstance(step, BaseException):
            raise step
        yield from step


@pytest.fixture
def source(acme, monkeypatch):
    monkeypatch.setitem(registry.CONNECTORS, "fakestream", f"{__name__}.FakeStream")
    FakeStream.script, FakeStream.cursors_seen = [], []
    ListeningQuery.objects.create(workspace=acme, name="Brand", query='"acme bank"')
    return Source.objects.create(workspace=acme, name="Firehose", connector="fakestream")


def test_only_posts_a_query_wants_are_stored_and_the_position_is_kept(source):
    FakeStream.script = [
        [
            Batch(posts=[post(1, "Acme Bank is down again"), post(2, "lunch")], cursor={"t": 1}),
            Batch(posts=[post(3, "nice weather"), post(4, "", deleted=True)], cursor={"t": 2}),
        ]
    ]
    run = streams.consume(source, max_batches=2)
    assert run.heard == 4
    assert list(Post.objects.values_list("external_id", flat=True)) == ["1"]
    source.refresh_from_db()
    assert source.cursor == {"t": 2}
    assert source.last_success_at is not None


def test_a_dropped_connection_is_recorded_and_resumed_from_the_stored_cursor(source):
    source.cursor = {"t": 7}
    source.save()
    FakeStream.script = [
        ConnectorError("the stream closed: 502 Bad Gateway"),
        [Batch(posts=[post(5, "Acme Bank app crashed")], cursor={"t": 8})],
    ]
    waits: list[float] = []
    run = streams.consume(source, max_batches=1, sleep=waits.append)
    assert run.failures == 1
    assert waits == [2.0]
    assert FakeStream.cursors_seen == [{"t": 7}, {"t": 7}]
    source.refresh_from_db()
    assert "502 Bad Gateway" in source.last_error
    assert source.consecutive_failures == 0
    assert source.cursor == {"t": 8}


def test_a_paused_source_is_not_streamed(source):
    source.status = Source.Status.PAUSED
    source.save()
    assert streams.consume(source).batches == 0
    assert FakeStream.cursors_seen == []


def test_the_command_streams_and_refuses_sources_without_a_stream(source, acme):
    FakeStream.script = [[Batch(posts=[post(1, "Acme Bank rocks")], cursor={"t": 1})]]
    out = StringIO()
    call_command("listen", "stream", "--source", "Firehose", "--max-batches", "1", stdout=out)
    assert "1 stored" in out.getvalue()
    Source.objects.create(workspace=acme, name="Blog", connector="rss")
    with pytest.raises(CommandError, match="has no stream"):
        call_command("listen", "stream", "--source", "Blog")
