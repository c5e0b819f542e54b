"""Consuming a source's live stream (Mastodon streaming, Bluesky Jetstream), in its own process.

A stream is broad (Jetstream carries every post on Bluesky), so each batch first passes the
workspace's listening queries and only matching posts are stored; edits and deletions pass too,
and `receive` applies them only to posts it holds. Each batch is stored with the cursor it
reached in one transaction, so a restarted consumer resumes where the last stored batch ended.
When the connection fails, the failure is recorded on the source's health and the consumer
reconnects after a backoff; it stops when the source is paused.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from rapport.connectors.base import Batch, Capability
from rapport.connectors.registry import connector_class
from rapport.listening.ingest import Received, receive
from rapport.listening.matcher import Matcher, features
from rapport.listening.models import ListeningQuery, Source
from rapport.listening.sources import POLL_ERRORS, build_connector, record_failure

logger = logging.getLogger(__name__)

RECONNECT_MAX_SECONDS = 60.0
QUERIES_REFRESH_SECONDS = 30.0


def streams(source: Source) -> bool:
    try:
        return Capability.STREAM in connector_class(source.connector).capabilities
    except (KeyError, ImportError):
        return False


def workspace_matcher(workspace_id: int) -> Matcher:
    rows = ListeningQuery.objects.filter(workspace_id=workspace_id, is_active=True).values_list(
        "pk", "query"
    )
    return Matcher(rows)


def keep_matching(batch: Batch, matcher: Matcher) -> Batch:
    """The batch less the posts no listening query wants; edits and deletions always pass."""
    kept = [
        p
        for p in batch.posts
        if p.deleted
        or p.edited_at is not None
        or matcher.match(
            features(
                f"{p.title} {p.text}",
                language=p.language,
                author=p.author.handle,
                network=p.network,
            )
        )
    ]
    return Batch(posts=kept, rejects=batch.rejects, cursor=batch.cursor)


@dataclass
class StreamRun:
    batches: int = 0
    heard: int = 0  # posts the stream carried
    received: Received = field(default_factory=Received)
    failures: int = 0


def consume(
    source: Source,
    *,
    max_batches: int | None = None,
    max_failures: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> StreamRun:
    """Consumes `source`'s stream until it is paused (or the limits, for tests and one-offs)."""
    run = StreamRun()
    matcher, matcher_at = workspace_matcher(source.workspace_id), time.monotonic()
    while True:
        source.refresh_from_db()
        if source.status != Source.Status.ACTIVE:
            logger.info("Source %s is paused: the stream stops", source.pk)
            return run
        try:
            for batch in build_connector(source).stream(source.cursor):
                if time.monotonic() - matcher_at > QUERIES_REFRESH_SECONDS:
                    matcher, matcher_at = workspace_matcher(source.workspace_id), time.monotonic()
                run.heard += len(batch.posts)
                wanted = keep_matching(batch, matcher)
                with transaction.atomic():
                    run.received.merge(receive(source.workspace, wanted, source=source))
                    now = timezone.now()
                    fields: dict[str, object] = {
                        "last_success_at": now,
                        "consecutive_failures": 0,
                        "last_polled_at": now,
                    }
                    if batch.cursor is not None:
                        fields["cursor"] = source.cursor = batch.cursor
                    Source.objects.filter(pk=source.pk).update(**fields)
                run.batches += 1
                if max_batches is not None and run.batches >= max_batches:
                    return run
            # The server ended the stream: reconnect from the stored cursor.
        except POLL_ERRORS as error:
            run.failures += 1
            record_failure(source, error)
            if max_failures is not None and run.failures >= max_failures:
                return run
            sleep(min(RECONNECT_MAX_SECONDS, 2.0**run.failures))
