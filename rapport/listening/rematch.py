"""Match recent posts against a query that has just been created or changed.

Triage matches each post against the queries that exist when it arrives; a new query would
otherwise show nothing until new posts come in. This is machine work on posts already heard
(like triage, it writes no audit event): it adds the matches a new query would have had.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from rapport.listening.matcher import Matcher, features
from rapport.listening.models import ListeningQuery, Post, PostMatch

RECENT_DAYS = 14
RECENT_POSTS = 10_000
CHUNK = 1_000


def rematch_query(
    query: ListeningQuery,
    *,
    days: int = RECENT_DAYS,
    limit: int = RECENT_POSTS,
    replace: bool = False,
) -> int:
    """Adds `query`'s matches among the workspace's newest posts; returns how many it found.

    With `replace` (the query's text changed), its recent matches are recomputed: older ones,
    made under its earlier wording, stay as they were.
    """
    since = timezone.now() - timedelta(days=days)
    if replace:
        PostMatch.objects.filter(query=query, post__posted_at__gte=since).delete()
    if not query.is_active:
        return 0
    matcher = Matcher([(query.pk, query.query)])
    recent = (
        Post.objects.filter(
            workspace_id=query.workspace_id,
            posted_at__gte=since,
            deleted_at__isnull=True,
            duplicate_of__isnull=True,
        )
        .order_by("-posted_at")
        .values_list("pk", "title", "text", "language", "author_handle", "network")[:limit]
    )
    found = [
        PostMatch(post_id=pk, query_id=query.pk)
        for pk, title, text, language, author, network in recent.iterator(chunk_size=CHUNK)
        if matcher.match(
            features(f"{title} {text}", language=language, author=author, network=network)
        )
    ]
    with transaction.atomic():
        PostMatch.objects.bulk_create(found, batch_size=CHUNK, ignore_conflicts=True)
    return len(found)
