"""Reads of listening: posts and their search, the overview's charts, queries, source health.

Every selector takes the caller's Membership and reads only that workspace; ids from outside
go through `rapport.listening.access` (another workspace's query is a 404).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.listening import search
from rapport.listening.access import access_query
from rapport.listening.models import (
    ListeningQuery,
    Post,
    PostMatch,
    QuarantinedPayload,
    Sentiment,
    Source,
)

TERMS_SAMPLE = 2_000  # top terms are counted over this many of the period's newest posts
TOP = 10

STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are aren't as at be because been before
    being below between both but by can cannot could did do does doing don't down during each
    even ever every few for from get got had has have having he her here hers him his how i i'm
    if in into is isn't it it's its just like me more most much my no nor not now of off on
    once one only or other our ours out over own really same she should so some still such
    than that that's the their them then there these they this those through to too under
    until up us very via was wasn't we were what when where which while who whom why will
    with would yet you your yours you're i've i'll can't won't didn't doesn't rt amp https
    http www com le la les un une des et est en du de pour pas que qui avec sur mon ma mes
    der die das und ist nicht ein eine mit für auf ich es zu den von el los las y es por con
    para una del se lo mi het een en van ik niet op te dat
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_TERM = re.compile(r"[#@]?\w[\w'\u2019-]*\w|[#@]?\w")
_URL = re.compile(r"https?://\S+")


def posts_of(viewer: Membership) -> QuerySet[Post]:
    """The workspace's posts a person is shown: text not deleted, copies folded into originals."""
    return Post.objects.filter(
        workspace=viewer.workspace, deleted_at__isnull=True, duplicate_of__isnull=True
    )


def search_posts(
    viewer: Membership,
    *,
    query_id: object = None,
    q: str = "",
    network: str = "",
    sentiment: str = "",
    intent: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Post]:
    """Matching posts, newest first, each with its matched queries and its copies (as links)."""
    posts = posts_of(viewer)
    if query_id not in (None, ""):
        posts = posts.filter(matches__query=access_query(viewer, query_id))
    if network:
        posts = posts.filter(network=network)
    if sentiment:
        posts = posts.filter(sentiment=sentiment)
    if intent:
        posts = posts.filter(intent=intent)
    if since is not None:
        posts = posts.filter(posted_at__gte=since)
    if until is not None:
        posts = posts.filter(posted_at__lt=until)
    posts = search.search(posts, q)
    return (
        posts.select_related("identity", "source")
        .prefetch_related(
            Prefetch("queries", queryset=ListeningQuery.objects.order_by("name")),
            Prefetch(
                "copies",
                queryset=Post.objects.filter(deleted_at__isnull=True).order_by("posted_at"),
            ),
        )
        .order_by("-posted_at", "-id")
    )


def workspace_queries(viewer: Membership) -> QuerySet[ListeningQuery]:
    """The workspace's queries with how many posts each has matched."""
    return ListeningQuery.objects.filter(workspace=viewer.workspace).annotate(
        match_count=Count("matches")
    )


def networks(viewer: Membership) -> list[str]:
    """The networks this workspace has heard from, for the filter. One index probe per network
    (the next one after the last found, along the (workspace, network, external id) key): a
    DISTINCT would read every post of the workspace on each listening page."""
    found: list[str] = []
    posts = Post.objects.filter(workspace=viewer.workspace).order_by("network")
    while True:
        after = posts.filter(network__gt=found[-1]) if found else posts
        network = after.values_list("network", flat=True).first()
        if network is None:
            return found
        found.append(network)


@dataclass(frozen=True)
class DayVolume:
    day: date
    posts: int
    negative: int
    neutral: int
    positive: int


@dataclass(frozen=True)
class Voice:
    query: ListeningQuery
    posts: int
    percent: float

    @property
    def is_brand(self) -> bool:
        return self.query.label == ListeningQuery.Label.BRAND


@dataclass(frozen=True)
class AuthorReach:
    network: str
    handle: str
    name: str
    reach: int
    posts: int
    identity_id: int | None

    @property
    def reach_display(self) -> str:
        return f"{self.reach:,}"


@dataclass
class Overview:
    query: ListeningQuery | None
    days: int
    since: datetime
    per_day: list[DayVolume] = field(default_factory=list)
    share_of_voice: list[Voice] = field(default_factory=list)
    top_authors: list[AuthorReach] = field(default_factory=list)
    top_terms: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(d.posts for d in self.per_day)

    @property
    def max_per_day(self) -> int:
        return max((d.posts for d in self.per_day), default=0)

    @property
    def sentiment_totals(self) -> dict[str, int]:
        return {
            "negative": sum(d.negative for d in self.per_day),
            "neutral": sum(d.neutral for d in self.per_day),
            "positive": sum(d.positive for d in self.per_day),
        }


def period_start(days: int) -> datetime:
    """Midnight (local time) at the start of the last `days` days, today included."""
    today = timezone.localdate()
    start = datetime.combine(today - timedelta(days=days - 1), datetime.min.time())
    return timezone.make_aware(start)


def listening_overview(viewer: Membership, query_id: object = None, days: int = 14) -> Overview:
    """Volume and sentiment per day, share of voice, top authors and top terms of the period."""
    days = max(1, min(int(days), 366))
    query = access_query(viewer, query_id) if query_id not in (None, "") else None
    since = period_start(days)
    posts = posts_of(viewer).filter(posted_at__gte=since)
    if query is not None:
        posts = posts.filter(matches__query=query)
    overview = Overview(query=query, days=days, since=since)

    tz = timezone.get_current_timezone()
    counts: dict[date, Counter[str]] = {}
    for row in (
        posts.annotate(day=TruncDate("posted_at", tzinfo=tz))
        .values("day", "sentiment")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["day"], Counter())[row["sentiment"] or "neutral"] += row["n"]
    for offset in range(days):
        day = since.astimezone(tz).date() + timedelta(days=offset)
        c = counts.get(day, Counter())
        overview.per_day.append(
            DayVolume(
                day=day,
                posts=sum(c.values()),
                negative=c[Sentiment.NEGATIVE],
                neutral=c[Sentiment.NEUTRAL],
                positive=c[Sentiment.POSITIVE],
            )
        )

    overview.share_of_voice = share_of_voice(viewer, since)
    overview.top_authors = top_authors(posts)
    overview.top_terms = top_terms(posts)
    return overview


def share_of_voice(viewer: Membership, since: datetime) -> list[Voice]:
    """Mentions per brand and competitor query since `since`, as shares of their sum."""
    rows = (
        PostMatch.objects.filter(
            query__workspace=viewer.workspace,
            query__label__in=[ListeningQuery.Label.BRAND, ListeningQuery.Label.COMPETITOR],
            post__posted_at__gte=since,
            post__deleted_at__isnull=True,
            post__duplicate_of__isnull=True,
        )
        .values("query")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted = {row["query"]: row["n"] for row in rows}
    queries = ListeningQuery.objects.filter(
        workspace=viewer.workspace,
        label__in=[ListeningQuery.Label.BRAND, ListeningQuery.Label.COMPETITOR],
    )
    total = sum(counted.values())
    voices = [
        Voice(q, counted.get(q.pk, 0), round(100 * counted.get(q.pk, 0) / total, 1) if total else 0)
        for q in queries
    ]
    voices.sort(key=lambda v: (not v.is_brand, -v.posts, v.query.name))
    return voices


def top_authors(posts: QuerySet[Post], limit: int = TOP) -> list[AuthorReach]:
    """The authors who reach the most people, with how many of `posts` they wrote."""
    rows = (
        posts.exclude(author_handle="")
        .values("network", "author_handle")
        .annotate(
            reach=Max("author_reach"),
            n=Count("id"),
            name=Max("author_name"),
            identity_pk=Max("identity"),
        )
        .order_by("-reach", "-n", "author_handle")[:limit]
    )
    return [
        AuthorReach(
            network=r["network"],
            handle=r["author_handle"],
            name=r["name"] or "",
            reach=r["reach"] or 0,
            posts=r["n"],
            identity_id=r["identity_pk"],
        )
        for r in rows
    ]


def top_terms(posts: QuerySet[Post], limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent words (not stopwords) of the newest TERMS_SAMPLE posts; #tags kept."""
    counter: Counter[str] = Counter()
    sample = posts.order_by("-posted_at").values_list("title", "text")[:TERMS_SAMPLE]
    for title, text in sample:
        seen = set()
        for term in _TERM.findall(_URL.sub(" ", f"{title} {text}".lower())):
            bare = term.lstrip("#@")
            if len(bare) < 3 or bare.isdigit() or bare in STOPWORDS or term.startswith("@"):
                continue
            seen.add(term)
        counter.update(seen)  # a word counts once per post: one rant does not make a trend
    return counter.most_common(limit)


def source_health(viewer: Membership) -> QuerySet[Source]:
    """Every source with its health and how many payloads it sent to quarantine (admins)."""
    require(viewer, Verb.SOURCE_HEALTH)
    return Source.objects.filter(workspace=viewer.workspace).annotate(
        quarantine_count=Count("quarantined", distinct=True)
    )


def quarantined(
    viewer: Membership, *, source_id: int | None = None
) -> QuerySet[QuarantinedPayload]:
    """What could not be parsed, newest first (admins)."""
    require(viewer, Verb.SOURCE_HEALTH)
    items = QuarantinedPayload.objects.filter(workspace=viewer.workspace).select_related("source")
    if source_id not in (None, ""):
        items = items.filter(source__pk=source_id)
    return items.order_by("-received_at", "-id")


__all__ = [
    "AuthorReach",
    "DayVolume",
    "Overview",
    "Voice",
    "listening_overview",
    "networks",
    "posts_of",
    "quarantined",
    "search_posts",
    "share_of_voice",
    "source_health",
    "top_authors",
    "top_terms",
    "workspace_queries",
]
