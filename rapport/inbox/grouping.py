"""Grouping: which conversation each new post belongs to, a batch at a time.

A post joins the conversation of the post it replies to (or of its thread's first post); else
its author's open conversation on the same query label if that saw activity within WINDOW;
else it starts a conversation. A constant number of queries per batch, never one per post.

This is machine work done for triage, not a person's action: the conversations and their
Activity rows are its record, not the audit log (as for `listening.ingest.receive`). Each batch
tells of the conversations it opened, and of those a new post reopened.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connections, router
from django.utils import timezone

from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.events import emit
from rapport.core.priority import Priority
from rapport.inbox.events import CONVERSATION_OPENED, CONVERSATION_REOPENED
from rapport.inbox.models import (
    OPEN_STATUSES,
    Activity,
    Conversation,
    ConversationPost,
    ConversationQuery,
    Status,
)
from rapport.listening.models import Post

WINDOW = timedelta(hours=24)
CHUNK = 500
SUBJECT_LENGTH = 120
#: The most specific label names a post's topic: a product question beats a brand mention.
LABEL_ORDER = ("product", "campaign", "person", "competitor", "brand")


@dataclass
class Placed:
    """A post and the conversation it is in now."""

    post: Post
    conversation: Conversation
    created: bool  # the post started the conversation
    changed: bool = False  # an edit of a post already in it


@dataclass
class Grouped:
    placed: list[Placed] = field(default_factory=list)

    @property
    def conversations(self) -> list[Conversation]:
        seen: dict[int, Conversation] = {}
        for p in self.placed:
            seen.setdefault(id(p.conversation), p.conversation)
        return list(seen.values())


def primary_label(labels: Sequence[str]) -> str:
    for label in LABEL_ORDER:
        if label in labels:
            return label
    return ""


def subject_of(post: Post) -> str:
    text = " ".join((post.title or post.text or "").split())
    if len(text) > SUBJECT_LENGTH:
        text = text[: SUBJECT_LENGTH - 1].rstrip() + "…"
    return text or f"Post by @{post.author_handle or 'someone'}"


def priority_of(post: Post) -> int:
    """The conversation's first priority from the triage score; rules and people change it."""
    if post.priority >= 60:
        return Priority.HIGH
    if post.priority < 15:
        return Priority.LOW
    return Priority.NORMAL


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _replied_conversations(workspace_id: int, posts: Sequence[Post]) -> dict[tuple[str, str], int]:
    """(network, external id) of the posts these reply to -> the conversation holding them."""
    wanted: set[tuple[str, str]] = set()
    for p in posts:
        for ref in (p.reply_to_external_id, p.thread_external_id):
            if ref:
                wanted.add((p.network, ref))
    found: dict[tuple[str, str], int] = {}
    ids = sorted({ref for _, ref in wanted})
    for chunk in _chunks(ids):
        rows = (
            ConversationPost.objects.filter(
                post__workspace_id=workspace_id, post__external_id__in=chunk
            )
            .order_by()
            .values_list("post__network", "post__external_id", "conversation_id")
        )
        for network, external_id, conversation_id in rows:
            if (network, external_id) in wanted:
                found[(network, external_id)] = conversation_id
    return found


def group(
    workspace_id: int,
    posts: Sequence[Post],
    matches: dict[int, list[int]],
    query_labels: dict[int, str],
    *,
    now: datetime | None = None,
) -> Grouped:
    """Puts saved posts in conversations; `matches` maps a post's id to the queries it matched.

    Posts already in a conversation (edits) stay there and are reported as `changed`.
    """
    now = now or timezone.now()
    posts = [p for p in posts if p.pk and p.deleted_at is None and p.duplicate_of_id is None]
    result = Grouped()
    if not posts:
        return result
    existing = dict(
        ConversationPost.objects.filter(post_id__in=[p.pk for p in posts])
        .order_by()
        .values_list("post_id", "conversation_id")
    )
    new_posts = sorted((p for p in posts if p.pk not in existing), key=lambda p: p.posted_at)
    replied = _replied_conversations(workspace_id, new_posts)
    identities = {p.identity_id for p in new_posts if p.identity_id}
    candidates: list[Conversation] = []
    if identities:
        since = min(p.posted_at for p in new_posts) - WINDOW
        candidates = list(
            Conversation.objects.filter(
                workspace_id=workspace_id,
                identity_id__in=identities,
                status__in=OPEN_STATUSES,
                last_activity_at__gte=since,
                merged_into__isnull=True,
            ).order_by("last_activity_at")
        )
    needed = {*existing.values(), *replied.values()}
    needed -= {c.pk for c in candidates}
    loaded = {c.pk: c for c in candidates}
    if needed:
        loaded.update(Conversation.objects.in_bulk(list(needed)))
    # A merged conversation's posts live on in the one it was merged into.
    for start in list(loaded.values()):
        hops, here = 0, start
        while here.merged_into_id and hops < 5:
            target = loaded.get(here.merged_into_id) or Conversation.objects.get(
                pk=here.merged_into_id
            )
            loaded[here.pk] = loaded[start.pk] = loaded[target.pk] = target
            here, hops = target, hops + 1
    by_author: dict[tuple[int, str], Conversation] = {}
    for c in candidates:
        by_author[(c.identity_id, c.label)] = loaded[c.pk]  # type: ignore[index]
    by_ref: dict[tuple[str, str], Conversation] = {
        ref: loaded[conv_id] for ref, conv_id in replied.items() if conv_id in loaded
    }

    for p in posts:
        if p.pk in existing:
            result.placed.append(Placed(p, loaded[existing[p.pk]], created=False, changed=True))
    created: list[Conversation] = []
    conv: Conversation | None
    make = row_maker(Conversation)
    for p in new_posts:
        label = primary_label([query_labels.get(q, "") for q in matches.get(p.pk, ())])
        conv = by_ref.get((p.network, p.reply_to_external_id)) if p.reply_to_external_id else None
        if conv is None and p.thread_external_id:
            conv = by_ref.get((p.network, p.thread_external_id))
        if conv is None and p.identity_id:
            conv = by_author.get((p.identity_id, label))
            if conv is not None and conv.last_activity_at < p.posted_at - WINDOW:
                conv = None
        is_new = conv is None
        if conv is None:
            conv = make(
                workspace_id=workspace_id,
                subject=subject_of(p),
                priority=priority_of(p),
                identity_id=p.identity_id,
                network=p.network,
                label=label,
                sentiment=p.sentiment,
                intent=p.intent,
                last_activity_at=p.posted_at,
                created_at=now,
            )
            conv.first_post = p
            created.append(conv)
        result.placed.append(Placed(p, conv, created=is_new))
        by_ref[(p.network, p.external_id)] = conv
        if p.identity_id:
            by_author.setdefault((p.identity_id, label), conv)
    reopened = _save(result, created, matches, now)
    if created:
        emit(CONVERSATION_OPENED, workspace_id, ids=[c.pk for c in created])
    if reopened:
        emit(CONVERSATION_REOPENED, workspace_id, ids=reopened)
    return result


def _save(
    result: Grouped, created: list[Conversation], matches: dict[int, list[int]], now: datetime
) -> list[int]:
    """Writes the batch; returns the conversations it reopened that were resolved or closed."""
    counts: dict[int, int] = {}  # id(conversation) -> posts added
    for placed in result.placed:
        if not placed.changed:
            key = id(placed.conversation)
            counts[key] = counts.get(key, 0) + 1
    for conv in created:
        conv.post_count = counts.get(id(conv), 0)
    bulk_insert(created)  # plain rows: building them through the ORM was most of the intake
    links: list[ConversationPost] = []
    link = row_maker(ConversationPost)
    reopened: list[Activity] = []
    again: list[int] = []  # resolved or closed until now
    touched: dict[int, Conversation] = {}
    for placed in result.placed:
        conv, p = placed.conversation, placed.post
        touched[conv.pk] = conv
        if placed.changed:  # triaged again (an edit): the conversation follows
            if p.sentiment and p.posted_at >= conv.last_activity_at:
                conv.sentiment = p.sentiment
            if p.pk == conv.first_post_id and p.intent:
                conv.intent = p.intent
            continue
        links.append(link(conversation_id=conv.pk, post_id=p.pk, added_at=now))
        if p.posted_at > conv.last_activity_at:
            conv.last_activity_at = p.posted_at
        if p.sentiment and p.posted_at >= conv.last_activity_at:
            conv.sentiment = p.sentiment
        if not placed.created and conv.status in (Status.RESOLVED, Status.CLOSED, Status.WAITING):
            was = conv.get_status_display()
            if conv.status != Status.WAITING:
                again.append(conv.pk)
            conv.status = Status.OPEN
            conv.resolved_at = None
            reopened.append(
                Activity(
                    workspace_id=conv.workspace_id,
                    conversation_id=conv.pk,
                    kind=Activity.Kind.STATUS,
                    message=f"Reopened by a new post from @{p.author_handle or 'the customer'} "
                    f"(was {was.lower()})",
                    data={"post": p.pk, "from": was, "to": Status.OPEN},
                    created_at=now,
                )
            )
    bulk_insert(links)
    pairs = {
        (placed.conversation.pk, query_id)
        for placed in result.placed
        for query_id in matches.get(placed.post.pk, ())
    }
    bulk_insert(
        [ConversationQuery(conversation_id=c, query_id=q) for c, q in sorted(pairs)],
        ignore_conflicts=True,
    )
    Activity.objects.bulk_create(reopened)
    fresh = {c.pk for c in created}
    stale = [c for pk, c in touched.items() if pk not in fresh]
    if stale:
        _update(stale, counts)
    return again


_UPDATED = ("last_activity_at", "sentiment", "intent", "status", "resolved_at")


def _update(convs: list[Conversation], counts: dict[int, int]) -> None:
    """Writes what a batch changed in conversations it did not create: one prepared UPDATE run
    for every row (a bulk_update's CASE per column grows with the batch and was slow), the post
    count added in SQL since a concurrent batch may add to the same conversation."""
    connection = connections[router.db_for_write(Conversation)]
    meta = Conversation._meta
    fields = [f for name in _UPDATED for f in meta.concrete_fields if f.name == name]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    count = quote("post_count")
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments}, "  # noqa: S608 - names from the model
        f"{count} = {count} + %s WHERE {quote('id')} = %s"
    )
    rows = [
        [
            *(f.get_db_prep_save(getattr(conv, f.attname), connection) for f in fields),
            counts.get(id(conv), 0),
            conv.pk,
        ]
        for conv in sorted(convs, key=lambda c: c.pk)  # one lock order for concurrent batches
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for conv in convs:
        conv.post_count += counts.get(id(conv), 0)
