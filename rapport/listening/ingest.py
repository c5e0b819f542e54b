"""Receive: store a connector's batch once, whatever happens, then hand it to triage.

Idempotent and at-least-once: a post is unique per (workspace, network, external id), so a batch
received twice stores each post once; the whole batch is one transaction, so a crash stores
nothing and the batch can simply be received again. An edit replaces the stored text, a deletion
removes it. What cannot be stored (no text, an unknown network, a reject from the parser) goes to
quarantine with its reason, and the rest of the batch goes on.

This is machine ingestion, not a person's action: the posts and the source's health are its
record, not the audit log.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rapport.connectors.base import Batch, NormalisedPost, Reject
from rapport.connectors.registry import CONNECTORS
from rapport.core.bulk import INSERT_BATCH, bulk_insert, row_maker
from rapport.core.models import Workspace
from rapport.listening.models import Post, QuarantinedPayload, Source

logger = logging.getLogger(__name__)

MAX_TEXT = 40_000


@dataclass
class Received:
    created: list[int] = field(default_factory=list)  # ids of new posts, in batch order
    edited: list[int] = field(default_factory=list)  # ids of posts whose text an edit replaced
    updated: int = 0  # edits applied
    deleted: int = 0  # deletions applied
    duplicates: int = 0  # already stored and unchanged
    quarantined: int = 0

    def merge(self, other: "Received") -> None:
        self.created += other.created
        self.edited += other.edited
        self.updated += other.updated
        self.deleted += other.deleted
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined


def _raw_bytes(raw: object) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return json.dumps(raw, default=str, ensure_ascii=False).encode()


def _problem(post: NormalisedPost) -> str:
    if post.network not in CONNECTORS:
        return f"unknown network {post.network!r}"
    if not post.external_id:
        return "the post has no id"
    if not post.deleted and not post.text.strip() and not post.title.strip():
        return "the post has no text"
    if post.created_at.tzinfo is None:
        return "the post's time has no time zone"
    return ""


def _new_post(
    workspace: Workspace, source: Source | None, p: NormalisedPost, make: Callable[..., Post]
) -> Post:
    return make(
        workspace_id=workspace.pk,
        source_id=source.pk if source else None,
        network=p.network,
        external_id=p.external_id[:200],
        url=p.url[:1000],
        author_external_id=p.author.external_id[:200],
        author_handle=p.author.handle[:200],
        author_name=p.author.display_name[:200],
        author_reach=max(0, p.author.reach),
        author_verified=p.author.verified,
        title=p.title[:500],
        text="" if p.deleted else p.text[:MAX_TEXT],
        language=p.language[:8],
        posted_at=p.created_at,
        edited_at=p.edited_at,
        deleted_at=timezone.now() if p.deleted else None,
        reply_to_external_id=p.reply_to_id[:200],
        thread_external_id=p.thread_id[:200],
        repost_of_external_id=p.repost_of_id[:200],
        metrics=p.metrics,
        raw=p.raw,
    )


def _waits_for_original(post: Post) -> bool:
    """A copy of a post of the same batch not inserted yet."""
    return (
        post.duplicate_of_id is None
        and Post.duplicate_of.is_cached(post)
        and post.duplicate_of is not None
        and post.duplicate_of.pk is None
    )


def _insert(workspace: Workspace, new: list[Post], triage: bool, hand_over: bool) -> None:
    """Inserts new posts; with `triage`, triaged first, so each row is written once."""
    if not triage:
        Post.objects.bulk_create(new, batch_size=INSERT_BATCH)
        return
    from rapport.triage.pipeline import context_for, post_matches, process, saved

    ctx = context_for(workspace.pk)
    ctx.hand_over = hand_over
    ctx = process(workspace.pk, new, ctx)
    waiting = new
    while waiting:  # originals first: a copy of a post of this batch needs the original's id
        ready = [p for p in waiting if not _waits_for_original(p)]
        for post in ready:
            if post.duplicate_of_id is None and post.duplicate_of is not None:
                post.duplicate_of_id = post.duplicate_of.pk
        bulk_insert(ready)
        waiting = [p for p in waiting if p.pk is None]
    bulk_insert(post_matches(new, ctx))
    saved(new, ctx)  # steps that need the posts' ids (the inbox's route step) act now


def _store(
    workspace: Workspace,
    source: Source | None,
    batch: Batch,
    triage: bool = False,
    hand_over: bool = False,
) -> Received:
    result = Received()
    network_name = source.connector if source else "unknown"
    quarantine = [
        QuarantinedPayload(
            workspace=workspace, source=source, network=network_name, reason=r.reason, raw=r.raw
        )
        for r in batch.rejects
    ]
    latest: dict[tuple[str, str], NormalisedPost] = {}
    for p in batch.posts:
        problem = _problem(p)
        if problem:
            quarantine.append(
                QuarantinedPayload(
                    workspace=workspace,
                    source=source,
                    network=p.network[:30] or network_name,
                    reason=problem,
                    raw=_raw_bytes(p.raw),
                )
            )
        else:
            latest[(p.network, p.external_id)] = p  # the last version in the batch wins
    QuarantinedPayload.objects.bulk_create(quarantine)
    result.quarantined = len(quarantine)

    by_network: dict[str, list[str]] = {}
    for network, external_id in latest:
        by_network.setdefault(network, []).append(external_id)
    existing: dict[tuple[str, str], Post] = {}
    for network, ids in by_network.items():
        for start in range(0, len(ids), INSERT_BATCH):
            for post in (
                Post.objects.filter(
                    workspace=workspace,
                    network=network,
                    external_id__in=ids[start : start + INSERT_BATCH],
                )
                .order_by()
                .only("id", "network", "external_id", "text", "edited_at", "deleted_at")
            ):
                existing[(post.network, post.external_id)] = post

    new, changed = [], []
    make = row_maker(Post)
    for key, p in latest.items():
        stored = existing.get(key)
        if stored is None:
            if p.deleted:  # the deletion of a post never heard: nothing to remove
                result.duplicates += 1
            else:
                new.append(_new_post(workspace, source, p, make))
        elif p.deleted:
            if stored.deleted_at is None:
                stored.text, stored.deleted_at = "", timezone.now()
                changed.append(stored)
                result.deleted += 1
            else:
                result.duplicates += 1
        elif p.edited_at and (stored.edited_at is None or p.edited_at > stored.edited_at):
            stored.text, stored.edited_at = p.text[:MAX_TEXT], p.edited_at
            changed.append(stored)
            result.updated += 1
        else:
            result.duplicates += 1
    if changed:
        Post.objects.bulk_update(
            changed, ["text", "edited_at", "deleted_at"], batch_size=INSERT_BATCH
        )
    _insert(workspace, new, triage, hand_over)
    result.created = [p.pk for p in new]
    result.edited = [p.pk for p in changed if p.deleted_at is None]
    if triage and result.edited:
        from rapport.triage.pipeline import process_posts

        process_posts(workspace.pk, result.edited, hand_over=hand_over)
    if source is not None and new:
        Source.objects.filter(pk=source.pk).update(posts_received=F("posts_received") + len(new))
    return result


def receive(
    workspace: Workspace,
    batch: Batch,
    *,
    source: Source | None = None,
    triage: Literal["queue", "inline", "none"] = "queue",
    inbox: Literal["now", "queue"] = "now",
) -> Received:
    """Store `batch` for `workspace`; new and edited posts then go through triage.

    `triage="queue"` enqueues one triage task for the batch after commit (the default);
    "inline" runs triage in this transaction (imports, benchmarks); "none" leaves it to the caller.
    With inline triage, `inbox="queue"` hands the batch to the inbox as one task after commit
    (bulk imports, benchmarks) instead of grouping and routing it in this transaction ("now": a
    captured post, whose conversation is wanted at once). Queued triage always queues the inbox.
    """
    if source is not None and source.workspace_id != workspace.pk:
        raise ValueError("the source belongs to another workspace")
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                result = _store(
                    workspace, source, batch, triage=triage == "inline", hand_over=inbox == "queue"
                )
            break
        except IntegrityError:
            # Another receiver stored some of these posts at the same moment: read them again.
            if attempt == 2:
                raise
            logger.info("receive: concurrent insert, retrying the batch")
    if triage == "queue" and (result.created or result.edited):
        from rapport.triage.tasks import triage_posts

        ids = result.created + result.edited
        transaction.on_commit(lambda: triage_posts.enqueue(workspace.pk, ids))
    return result


def receive_all(workspace: Workspace, batches: Iterable[Batch], **kwargs: object) -> Received:
    total = Received()
    for batch in batches:
        total.merge(receive(workspace, batch, **kwargs))  # type: ignore[arg-type]
    return total


__all__ = ["Batch", "NormalisedPost", "Received", "Reject", "receive", "receive_all"]
