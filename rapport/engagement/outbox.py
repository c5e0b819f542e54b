"""The outbox: publishes queued replies through their network's connector, once each.

A reply is claimed (queued -> sending) by a compare-and-set before the network is called, so two
workers, or one task run twice, never publish it twice. A failure the network reports puts it
back in the queue with a growing wait (30 s, 1 min, 2 min ... at most 1 h); after MAX_ATTEMPTS
it is failed, with the network's message, for a person to retry. A reply left `sending` (the
worker died mid-call) is never retried by itself: nobody knows whether the network took it, so
it is failed after SENDING_TIMEOUT with a message that says to check the network first.

In record-only mode (the demo workspace, demo sources, or a policy that says so) nothing is sent:
the outbox records what would have been posted.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rapport.connectors.base import Author, ConnectorError, NormalisedPost
from rapport.core.audit import record
from rapport.core.events import emit
from rapport.engagement.events import REPLY_FAILED, REPLY_PUBLISHED
from rapport.engagement.models import Reply
from rapport.engagement.policy import network_label, policy_for
from rapport.listening import sources
from rapport.listening.models import Post

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
SENDING_TIMEOUT = timedelta(minutes=10)


def backoff_seconds(attempts: int) -> int:
    """How long to wait after `attempts` failed tries: 30 s doubled each time, at most 1 h."""
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def record_only(reply: Reply) -> bool:
    """True when the outbox only records what it would post (demo workspace or demo source)."""
    if policy_for(reply.workspace).record_only:
        return True
    source = reply.post.source
    return bool(source is not None and (source.config or {}).get("demo"))


def would_post(reply: Reply) -> str:
    """What the outbox says it would have posted, in record-only mode."""
    post = reply.post
    to = f" to @{post.author_handle}" if post.author_handle else ""
    kind = "reply" if reply.visibility == Reply.Visibility.PUBLIC else "private message"
    return f"Would post on {network_label(reply.network)} a {kind}{to}: {reply.text}"


def as_normalised(post: Post) -> NormalisedPost:
    """The post as the connector's `publish` expects it."""
    return NormalisedPost(
        network=post.network,
        external_id=post.external_id,
        text=post.text,
        author=Author(
            external_id=post.author_external_id,
            handle=post.author_handle,
            display_name=post.author_name,
        ),
        created_at=post.posted_at,
        url=post.url,
        title=post.title,
        reply_to_id=post.reply_to_external_id,
        thread_id=post.thread_external_id,
        raw=post.raw,
    )


def enqueue(reply_ids: list[int]) -> None:
    """Publishes these replies after the current transaction commits (one task per batch)."""
    from rapport.engagement.tasks import publish_replies

    if reply_ids:
        ids = list(reply_ids)
        transaction.on_commit(lambda: publish_replies.enqueue(ids))


def _schedule_retry(reply_id: int, at: datetime) -> None:
    from rapport.engagement.tasks import publish_replies

    backend = publish_replies.get_backend()
    if backend.supports_defer:
        step = publish_replies.using(run_after=at)
        transaction.on_commit(lambda: step.enqueue([reply_id]))
    # else `rapport outbox send` (or the next publish_due) picks it up when it is due


def _claim(reply_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (
        Reply.objects.filter(due, pk=reply_id, status=Reply.Status.QUEUED).update(
            status=Reply.Status.SENDING, attempts=F("attempts") + 1, updated_at=now
        )
        == 1
    )


def publish(reply_id: int, now: datetime | None = None) -> str:
    """Publishes one queued reply; returns sent, recorded, retry, failed or skipped."""
    now = now or timezone.now()
    if not _claim(reply_id, now):
        return "skipped"  # not queued (sent already, sending elsewhere, waiting) or not due
    reply = Reply.objects.select_related("post__source", "workspace").get(pk=reply_id)
    post = reply.post
    if record_only(reply):
        return _sent(reply, network_id="", url="", recorded=True)
    try:
        if post.source is None:
            raise ConnectorError(
                f"This post reached Rapport without a source: there is no "
                f"{network_label(reply.network)} account to reply from."
            )
        connector = sources.build_connector(post.source)
        published = connector.publish(as_normalised(post), reply.text)
    except sources.POLL_ERRORS as error:
        message = sources.describe_error(post.source, error) if post.source else str(error)
        return _failed(reply, message, now)
    return _sent(reply, network_id=published.external_id, url=published.url, recorded=False)


def _sent(reply: Reply, *, network_id: str, url: str, recorded: bool) -> str:
    now = timezone.now()
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk, status=Reply.Status.SENDING).update(
            status=Reply.Status.SENT,
            network_id=network_id[:200],
            network_url=url[:1000],
            recorded_only=recorded,
            sent_at=now,
            last_error="",
            next_attempt_at=None,
            updated_at=now,
        )
        reply.refresh_from_db()
        record(
            actor=None,
            workspace=reply.workspace,
            verb="reply.published",
            obj=reply,
            after={
                "network": reply.network,
                "network_id": reply.network_id,
                "recorded_only": recorded,
                "post": reply.post_id,
                "author": reply.author_id,
            },
        )
        emit(
            REPLY_PUBLISHED,
            reply.workspace_id,
            object_id=reply.pk,
            post=reply.post_id,
            network=reply.network,
            visibility=reply.visibility,
            author=reply.author_id,
            recorded_only=recorded,
        )
    if recorded:
        logger.info("outbox: %s", would_post(reply))
    return "recorded" if recorded else "sent"


def _failed(reply: Reply, message: str, now: datetime) -> str:
    reply.refresh_from_db()
    with transaction.atomic():
        if reply.attempts >= MAX_ATTEMPTS:
            Reply.objects.filter(pk=reply.pk, status=Reply.Status.SENDING).update(
                status=Reply.Status.FAILED, last_error=message, next_attempt_at=None, updated_at=now
            )
            record(
                actor=None,
                workspace=reply.workspace,
                verb="reply.failed",
                obj=reply,
                after={"attempts": reply.attempts, "error": message},
            )
            _gave_up(reply)
            outcome = "failed"
        else:
            at = now + timedelta(seconds=backoff_seconds(reply.attempts))
            Reply.objects.filter(pk=reply.pk, status=Reply.Status.SENDING).update(
                status=Reply.Status.QUEUED, last_error=message, next_attempt_at=at, updated_at=now
            )
            _schedule_retry(reply.pk, at)
            outcome = "retry"
    logger.warning("outbox: reply %s attempt %s failed: %s", reply.pk, reply.attempts, message)
    return outcome


def _gave_up(reply: Reply) -> None:
    emit(
        REPLY_FAILED,
        reply.workspace_id,
        object_id=reply.pk,
        post=reply.post_id,
        attempts=reply.attempts,
    )


def publish_due(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Publishes every queued reply that is due, and fails the ones stuck in `sending`."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    stuck = Reply.objects.filter(status=Reply.Status.SENDING, updated_at__lte=now - SENDING_TIMEOUT)
    for reply in stuck.select_related("workspace")[:limit]:
        with transaction.atomic():
            changed = Reply.objects.filter(pk=reply.pk, status=Reply.Status.SENDING).update(
                status=Reply.Status.FAILED,
                last_error="Sending stopped half-way: the network may or may not have taken it. "
                "Check the network before you retry.",
                updated_at=now,
            )
            if changed:
                record(
                    actor=None,
                    workspace=reply.workspace,
                    verb="reply.failed",
                    obj=reply,
                    after={"attempts": reply.attempts, "error": "stuck in sending"},
                )
                _gave_up(reply)
        counts["stuck"] = counts.get("stuck", 0) + changed
    due = Reply.objects.filter(status=Reply.Status.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    for reply_id in due.order_by("queued_at", "id").values_list("pk", flat=True)[:limit]:
        outcome = publish(reply_id, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
