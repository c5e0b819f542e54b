"""Receive: store a connector's batch once, whatever happens, and tell the others.

Idempotent and at-least-once: a post is unique per (workspace, network, external id), so a batch
received twice stores each post once; the whole batch is one transaction, so a crash stores
nothing and the batch can simply be received again. An edit replaces the stored text, a deletion
removes it. What cannot be stored (no text, an unknown network, a reject from the parser) goes to
quarantine with its reason, and the rest of the batch goes on.

While the batch is stored, the `post.storing` hook lets triage label the new posts before they
are inserted, so each row is written once; after the commit, `post.stored` (and `post.edited`,
`post.deleted`) tell whoever listens. Listening knows nothing of who that is.

This is machine ingestion, not a person's action: the posts and the source's health are its
record, not the audit log.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rapport.connectors.base import Batch, NormalisedPost, Reject
from rapport.connectors.registry import CONNECTORS
from rapport.core import hooks, links
from rapport.core.bulk import INSERT_BATCH, bulk_insert, row_maker
from rapport.core.events import emit
from rapport.core.models import Workspace
from rapport.listening.events import POST_DELETED, POST_EDITED, POST_STORED, POST_STORING
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
    #: posts of the batch replaced by a later one with the same id in the same batch (the last
    #: wins): with these, the counts add up to the posts and rejects of the batch
    repeated: int = 0

    @property
    def total(self) -> int:
        """Every post and reject received, each in exactly one count."""
        return (
            len(self.created) + self.updated + self.deleted + self.duplicates + self.quarantined
            + self.repeated
        )  # fmt: skip

    def merge(self, other: "Received") -> None:
        self.created += other.created
        self.edited += other.edited
        self.updated += other.updated
        self.deleted += other.deleted
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.repeated += other.repeated


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
        url=links.safe_url(p.url)[:1000],  # a network's javascript: link is never kept
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


def _insert(new: list[Post]) -> None:
    """Inserts new posts, originals before the copies of them made in the same batch."""
    waiting = new
    while waiting:  # a copy of a post of this batch needs the original's id
        ready = [p for p in waiting if not _waits_for_original(p)]
        for post in ready:
            if post.duplicate_of_id is None and post.duplicate_of is not None:
                post.duplicate_of_id = post.duplicate_of.pk
        bulk_insert(ready)
        waiting = [p for p in waiting if p.pk is None]


def _store(workspace: Workspace, source: Source | None, batch: Batch) -> Received:
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
            key = (p.network, p.external_id)
            if key in latest:
                result.repeated += 1
            latest[key] = p  # the last version in the batch wins
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
    edited = [p for p in changed if p.deleted_at is None]
    then: list[Callable[[], None]] = []
    hooks.run(POST_STORING, workspace_id=workspace.pk, new=new, edited=edited, then=then)
    _insert(new)
    for after_insert in then:
        after_insert()
    result.created = [p.pk for p in new]
    result.edited = [p.pk for p in edited]
    if source is not None and new:
        Source.objects.filter(pk=source.pk).update(posts_received=F("posts_received") + len(new))
    if result.created:
        emit(POST_STORED, workspace.pk, ids=result.created, source=source.pk if source else None)
    if result.edited:
        emit(POST_EDITED, workspace.pk, ids=result.edited)
    deleted = [p.pk for p in changed if p.deleted_at is not None]
    if deleted:
        emit(POST_DELETED, workspace.pk, ids=deleted)
    return result


def receive(workspace: Workspace, batch: Batch, *, source: Source | None = None) -> Received:
    """Stores `batch` for `workspace` in one transaction; new and edited posts are labelled as
    they are stored (`post.storing`), and `post.stored` tells the others once it commits."""
    if source is not None and source.workspace_id != workspace.pk:
        raise ValueError("the source belongs to another workspace")
    try:
        with transaction.atomic():
            return _store(workspace, source, batch)
    except IntegrityError:
        # Another receiver stored some of these posts at the same moment: read them again.
        logger.info("receive: concurrent insert, retrying the batch")
    with transaction.atomic():
        return _store(workspace, source, batch)


def receive_all(
    workspace: Workspace, batches: Iterable[Batch], *, source: Source | None = None
) -> Received:
    total = Received()
    for batch in batches:
        total.merge(receive(workspace, batch, source=source))
    return total


__all__ = ["Batch", "NormalisedPost", "Received", "Reject", "receive", "receive_all"]
