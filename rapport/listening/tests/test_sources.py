"""Polling sources: the cursor, health, backoff and pause, with a fake connector in the registry."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any, ClassVar

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from rapport.connectors import registry
from rapport.connectors.base import (
    Author,
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
)
from rapport.listening import actions, crypto, sources
from rapport.listening.models import Post, Source
from rapport.listening.tasks import enqueue_due_polls, poll_source


class FakeCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = ""


class FakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    terms: list[str] = []


class FakeConnector(Connector):
    """Serves the pages queued in `script`; each is a Batch or an exception to raise."""

    name = "fake"
    label = "Fake network"
    capabilities = frozenset({Capability.POLL})
    Config: ClassVar[type[BaseModel]] = FakeConfig
    Credentials: ClassVar[type[BaseModel]] = FakeCredentials
    script: ClassVar[list[Any]] = []
    cursors_seen: ClassVar[list[Any]] = []
    tokens_seen: ClassVar[list[str]] = []

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        type(self).cursors_seen.append(cursor)
        type(self).tokens_seen.append(self.credentials.token)  # type: ignore[attr-defined]
        step = type(self).script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step


def page(*ids: int, cursor: dict[str, Any] | None = None) -> Batch:
    return Batch(
        posts=[
            NormalisedPost(
                network="fake",
                external_id=str(i),
                text=f"Acme bank post {i}",
                author=Author(external_id="a1", handle="ann"),
                created_at=datetime(2024, 3, 5, 10, i, tzinfo=UTC),
            )
            for i in ids
        ],
        cursor=cursor,
    )


@pytest.fixture(autouse=True)
def fake_network(monkeypatch):
    monkeypatch.setitem(registry.CONNECTORS, "fake", f"{__name__}.FakeConnector")
    FakeConnector.script = []
    FakeConnector.cursors_seen = []
    FakeConnector.tokens_seen = []
    return FakeConnector


@pytest.fixture
def source(owner) -> Source:
    return actions.create_source(
        owner,
        name="Fake",
        connector="fake",
        config={"terms": ["acme"]},
        credentials={"token": "s3cret-token-value"},
        poll_every_seconds=600,
    )


def test_a_new_polling_source_is_due_at_once(source):
    assert list(sources.due_sources()) == [source]


def test_a_successful_poll_stores_posts_cursor_and_health(source, fake_network):
    fake_network.script = [page(1, 2, cursor={"since": 2})]
    before = timezone.now()
    outcome = sources.poll(source)
    assert outcome.status == "ok"
    assert outcome.received is not None
    assert len(outcome.received.created) == 2
    assert fake_network.tokens_seen == ["s3cret-token-value"]  # decrypted for the connector
    source.refresh_from_db()
    assert source.cursor == {"since": 2}
    assert source.last_success_at >= before
    assert source.last_polled_at >= before
    assert source.consecutive_failures == 0
    assert source.posts_received == 2
    assert source.next_poll_at >= before + timedelta(seconds=600)
    assert Post.objects.filter(source=source).count() == 2


def test_polling_continues_from_the_stored_cursor_after_a_restart(source, fake_network):
    fake_network.script = [page(1, cursor={"since": 1}), page(2, cursor={"since": 2})]
    sources.poll(source)
    # A restart: nothing in memory survives, the next poll reads the source afresh.
    again = Source.objects.get(pk=source.pk)
    sources.poll(again)
    assert fake_network.cursors_seen == [None, {"since": 1}]
    again.refresh_from_db()
    assert again.cursor == {"since": 2}


def test_a_batch_without_a_cursor_keeps_the_stored_one(source, fake_network):
    fake_network.script = [page(1, cursor={"since": 1}), page()]
    sources.poll(source)
    sources.poll(source)
    source.refresh_from_db()
    assert source.cursor == {"since": 1}


def test_a_failure_is_recorded_and_backs_off_exponentially(source, fake_network):
    fake_network.script = [
        ConnectorError("Mastodon answered 503: try later"),
        requests.ConnectionError("connection refused"),
        page(1, cursor={"since": 1}),
    ]
    t0 = timezone.now()
    first = sources.poll(source)
    assert first.status == "failed"
    source.refresh_from_db()
    assert source.last_error == "Mastodon answered 503: try later"
    assert source.consecutive_failures == 1
    assert source.last_error_at >= t0
    assert source.last_success_at is None
    assert source.next_poll_at - source.last_error_at == timedelta(minutes=5)
    assert source not in sources.due_sources()

    sources.poll(source)
    source.refresh_from_db()
    assert source.consecutive_failures == 2
    assert "ConnectionError: connection refused" in source.last_error
    assert source.next_poll_at - source.last_error_at == timedelta(minutes=10)
    assert source.cursor is None  # nothing was stored, so nothing is skipped

    sources.poll(source)
    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert source.last_error == "ConnectionError: connection refused"  # kept for people to read
    assert source.cursor == {"since": 1}


def test_backoff_doubles_and_is_capped_at_six_hours():
    assert [sources.backoff_seconds(n) for n in range(1, 5)] == [300, 600, 1200, 2400]
    assert sources.backoff_seconds(7) == 300 * 64
    assert sources.backoff_seconds(8) == 6 * 3600
    assert sources.backoff_seconds(500) == 6 * 3600


def test_an_error_never_keeps_a_credential(source, fake_network):
    fake_network.script = [
        ConnectorError("401 for https://x.example/api?access_token=abc123&q=acme"),
        ConnectorError("the token s3cret-token-value was refused"),
    ]
    sources.poll(source)
    source.refresh_from_db()
    assert "abc123" not in source.last_error
    assert "access_token=***" in source.last_error
    sources.poll(source)
    source.refresh_from_db()
    assert "s3cret-token-value" not in source.last_error
    assert "***" in source.last_error


def test_a_batch_that_cannot_be_stored_leaves_the_cursor_where_it_was(
    source, fake_network, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sources, "receive", broken)
    fake_network.script = [page(1, cursor={"since": 1})]
    outcome = sources.poll(source)
    assert outcome.status == "failed"
    source.refresh_from_db()
    assert source.cursor is None
    assert source.last_error == "disk full"
    assert source.consecutive_failures == 1


def test_credentials_that_cannot_be_decrypted_are_a_clear_failure(source, settings):
    settings.SECRET_KEY = "another-secret-key-that-is-long-enough-0123456789"
    outcome = sources.poll(source)
    assert outcome.status == "failed"
    source.refresh_from_db()
    assert "cannot be decrypted" in source.last_error
    assert "Enter the credentials again" in source.last_error


def test_paused_sources_are_never_polled_and_resume_polls_at_once(owner, source, fake_network):
    actions.pause_source(owner, source)
    assert source not in sources.due_sources(timezone.now() + timedelta(days=30))
    assert sources.poll(source).status == "skipped"
    assert poll_source.call(source.pk)["status"] == "skipped"
    assert fake_network.cursors_seen == []
    assert enqueue_due_polls() == []

    actions.resume_source(owner, source)
    assert list(sources.due_sources()) == [source]
    fake_network.script = [page(1)]
    assert sources.poll(source).status == "ok"


def test_resume_forgets_the_backoff(owner, source, fake_network):
    fake_network.script = [ConnectorError("down"), ConnectorError("down")]
    sources.poll(source)
    sources.poll(source)
    actions.pause_source(owner, source)
    actions.resume_source(owner, source)
    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert source in sources.due_sources()
    assert source.last_error == "down"


def test_due_sources_are_enqueued_once(source, owner):
    later = actions.create_source(owner, name="Later", connector="fake")
    Source.objects.filter(pk=later.pk).update(next_poll_at=timezone.now() + timedelta(hours=1))
    assert enqueue_due_polls() == [source.pk]
    assert enqueue_due_polls() == []  # claimed: a second scheduler does not enqueue it again


def test_webhook_sources_are_not_polled(owner):
    hook = actions.create_source(owner, name="Zapier", connector="webhook")
    assert hook.next_poll_at is None
    assert hook not in sources.due_sources()
    assert sources.poll(hook).status == "skipped"


def test_the_poll_task_reports_counts(source, fake_network):
    fake_network.script = [page(1, 2)]
    result = poll_source.call(source.pk)
    assert result["status"] == "ok"
    assert result["created"] == 2
    assert poll_source.call(999_999)["status"] == "skipped"


def test_listen_poll_command(source, fake_network):
    fake_network.script = [page(1, 2, cursor={"since": 2}), ConnectorError("down")]
    out = StringIO()
    call_command("listen", "poll", "--source", "fake", "--workspace", "acme", stdout=out)
    assert "Fake: 2 new" in out.getvalue()
    Source.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())
    with pytest.raises(CommandError, match="1 of 1 source"):
        call_command("listen", "poll", "--due", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="No source called"):
        call_command("listen", "poll", "--source", "nope")


def test_listen_schedule_once_enqueues_due_polls(source):
    out = StringIO()
    call_command("listen", "schedule", "--once", stdout=out)
    assert "Enqueued polls of 1 source" in out.getvalue()


def test_credentials_are_encrypted_at_rest(source):
    raw = Source.objects.filter(pk=source.pk).values_list("credentials_encrypted", flat=True)[0]
    assert "s3cret" not in raw
    assert crypto.decrypt_credentials(raw) == {"token": "s3cret-token-value"}
