"""Where triaged posts reach the inbox: grouped into conversations, then routed by the rules.

`intake_stored` runs for every `post.triaged` batch (a queued listener, `wiring.py`), and when a
person waits for the conversation (capture); `reroute` evaluates a conversation's rules again
after a change.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max

from rapport.core.models import Workspace
from rapport.inbox.grouping import Grouped, Placed, group
from rapport.inbox.models import Conversation, ConversationPost
from rapport.inbox.routing import Plan, Router
from rapport.listening.models import ListeningQuery, Post, PostMatch

#: Post columns grouping and routing read (not the raw payload, the largest).
INTAKE_FIELDS = (
    "id", "workspace_id", "network", "external_id", "author_handle", "author_reach", "title",
    "text", "language", "posted_at", "deleted_at", "reply_to_external_id", "thread_external_id",
    "duplicate_of_id", "identity_id", "sentiment", "intent", "priority",
)  # fmt: skip


def intake_stored(workspace_id: int, post_ids: Sequence[int]) -> Grouped:
    """Groups and routes stored posts by id, with their stored query matches (one query each).

    Copies of earlier posts stay out (their original is in the conversation); a post already
    placed is not placed again, so a batch taken twice changes nothing.
    """
    with transaction.atomic():
        posts = list(
            Post.objects.filter(
                workspace_id=workspace_id, pk__in=list(post_ids), duplicate_of__isnull=True
            )
            .order_by("pk")
            .only(*INTAKE_FIELDS)
        )
        by_post: dict[int, list[int]] = {}
        for post_id, query_id in (
            PostMatch.objects.filter(post_id__in=[p.pk for p in posts])
            .order_by()
            .values_list("post_id", "query_id")
        ):
            by_post.setdefault(post_id, []).append(query_id)
        query_labels = dict(
            ListeningQuery.objects.filter(workspace_id=workspace_id).values_list("pk", "label")
        )
        grouped = group(workspace_id, posts, by_post, query_labels)
        if grouped.placed:
            labels = {
                p.post.pk: [query_labels.get(q, "") for q in by_post.get(p.post.pk, ())]
                for p in grouped.placed
            }
            workspace = Workspace.objects.get(pk=workspace_id)
            Router(workspace, labels=labels).route(grouped.placed)
        return grouped


def latest_posts(conversations: Iterable[Conversation]) -> list[Placed]:
    """Each conversation with its latest post, as rules see it on a change."""
    by_pk = {c.pk: c for c in conversations}
    latest = (
        ConversationPost.objects.filter(conversation_id__in=by_pk)
        .values("conversation_id")
        .annotate(post=Max("post_id"))
        .values_list("conversation_id", "post")
    )
    post_ids = {post_id: conv_id for conv_id, post_id in latest}
    posts = Post.objects.in_bulk(list(post_ids))
    return [
        Placed(posts[post_id], by_pk[conv_id], created=False, changed=True)
        for post_id, conv_id in post_ids.items()
        if post_id in posts
    ]


def labels_of(posts: Iterable[Post]) -> dict[int, list[str]]:
    labels: dict[int, list[str]] = {}
    for post_id, label in PostMatch.objects.filter(post__in=list(posts)).values_list(
        "post_id", "query__label"
    ):
        labels.setdefault(post_id, []).append(label)
    return labels


def reroute(
    workspace: Workspace, conversations: Iterable[Conversation], *, dry_run: bool = False
) -> Plan:
    """Runs the rules again on conversations that changed (a triage correction, new rules).

    Rules that already acted on a conversation are skipped, as always.
    """
    placed = latest_posts(conversations)
    router = Router(workspace, labels=labels_of(p.post for p in placed), dry_run=dry_run)
    return router.route(placed)


def refresh_facts(conversations: Iterable[Conversation]) -> list[Conversation]:
    """Takes a conversation's intent from its first post and its sentiment from its latest,
    after triage changed them (a correction); returns the conversations that changed."""
    convs = [c for c in conversations if c.first_post_id]
    latest = dict(
        ConversationPost.objects.filter(conversation__in=convs)
        .values("conversation_id")
        .annotate(post=Max("post_id"))
        .values_list("conversation_id", "post")
    )
    posts = Post.objects.in_bulk([*{c.first_post_id for c in convs}, *latest.values()])
    changed = []
    for conv in convs:
        first, last = posts.get(conv.first_post_id or 0), posts.get(latest.get(conv.pk, 0))
        intent = first.intent if first else conv.intent
        sentiment = last.sentiment if last and last.sentiment else conv.sentiment
        if (intent, sentiment) != (conv.intent, conv.sentiment):
            conv.intent, conv.sentiment = intent, sentiment
            changed.append(conv)
    Conversation.objects.bulk_update(changed, ["intent", "sentiment"], batch_size=500)
    return changed


def posts_changed(workspace_id: int, post_ids: Sequence[int]) -> Plan | None:
    """Triage's verdict on these posts changed: the conversations follow, and rules that have
    not acted on them yet may act now."""
    convs = list(
        Conversation.objects.filter(
            workspace_id=workspace_id, links__post_id__in=post_ids, merged_into__isnull=True
        ).distinct()
    )
    if not convs:
        return None
    refresh_facts(convs)
    return reroute(Workspace.objects.get(pk=workspace_id), convs)
