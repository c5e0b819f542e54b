"""Builds a throwaway workspace bench-inbox-<time> with N conversations and 10 posts each (bulk
inserts), then times the inbox page under several filters and random conversations through
Django's test client. Prints p50/p95/p99 in ms; the last line is JSON. Building is not counted.

The workspace is written with bulk inserts (COPY on PostgreSQL, many-row INSERTs on SQLite), in
chunks, with the denormalised facts the inbox reads already set, as grouping would have set them.
Figures are measured, never asserted: this is a benchmark, not a test.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from rapport.bench.timing import RequestTimer, in_ms, report, time_pages, time_urls
from rapport.bench.workspace import (
    building,
    drop_workspace,
    empty_tables,
    fresh_statistics,
    in_rounds,
    staffed_workspace,
    throwaway,
)
from rapport.contacts.models import Identity
from rapport.core.bulk import bulk_insert
from rapport.core.models import Membership, Workspace
from rapport.inbox.models import (
    Activity,
    Conversation,
    ConversationPost,
    ConversationQuery,
    ConversationTag,
    Note,
    Status,
    Tag,
)
from rapport.listening.models import ListeningQuery, Post, PostMatch

HELP = "Time the inbox list and a conversation at N conversations of 10 posts each."

POSTS_PER_CONVERSATION = 10
CHUNK = 2_000  # conversations written per round
NETWORKS = ["x", "mastodon", "bluesky", "reddit", "hackernews", "rss"]
STATUSES = [Status.NEW] * 30 + [Status.OPEN] * 20 + [Status.WAITING] * 10
STATUSES += [Status.RESOLVED] * 25 + [Status.CLOSED] * 15
INTENTS = ["complaint"] * 30 + ["question"] * 25 + ["praise"] * 15 + ["lead"] * 10
INTENTS += ["idea"] * 5 + ["other"] * 15
SENTIMENTS = ["negative"] * 35 + ["neutral"] * 40 + ["positive"] * 25
TEAMS = ["Social Care", "Sales", "R&D", "Credit"]
QUERIES = [
    ("Acme Bank", "brand"),
    ("Acme mortgages", "product"),
    ("Acme app", "product"),
    ("Globex", "competitor"),
    ("Spring campaign", "campaign"),
]
SUBJECTS = [
    "my card was declined again at {place}, third time this week @acmebank",
    "is the acme app down? can't log in since {when}",
    "looking for a mortgage with a small deposit, does acme do {product}?",
    "love the new savings rate, well done acme",
    "why does a transfer to {place} take {when}??",
    "idea: let me freeze my card from the {product} screen",
    "acme charged me twice for {product}, nobody answers",
    "switching from globex to acme, any tips for the {product}?",
]
FILL = {
    "place": ["Tesco", "the airport", "Leeds", "Amazon", "a petrol station", "Berlin"],
    "when": ["monday", "two days", "this morning", "a week", "yesterday"],
    "product": ["app", "ISA", "business account", "credit card", "overdraft", "mortgage"],
}
REPLIES = [
    "still waiting for an answer",
    "same here, it's been ages",
    "thanks for the quick reply!",
    "DM sent with my details",
    "any update on this?",
    "it works now, cheers",
    "this is getting ridiculous",
    "ok I will try that",
    "the branch told me something else",
]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--conversations", type=int, default=100_000, help="How many (N).")
    parser.add_argument("--repeat", type=int, default=20, help="Requests per inbox filter.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the benchmark workspace afterwards."
    )


@dataclass
class Built:
    workspace: Workspace
    viewer: Membership
    conversations: int
    posts: int
    seconds: float
    teams: dict[str, int]
    query_ids: list[int]


def _text(rng: random.Random) -> str:
    template = rng.choice(SUBJECTS)
    return template.format(**{k: rng.choice(v) for k, v in FILL.items()})


def build(
    conversations: int, *, seed: int = 1, progress: Callable[[int], None] | None = None
) -> Built:
    """A new workspace bench-inbox-<time> with `conversations` conversations of 10 posts."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    started = time.perf_counter()
    slug = f"bench-inbox-{timezone.now():%Y%m%d%H%M%S}"
    with transaction.atomic():
        workspace, members, teams = staffed_workspace(slug, TEAMS)
        queries = [
            ListeningQuery.objects.create(workspace=workspace, name=n, query=n.lower(), label=lbl)
            for n, lbl in QUERIES
        ]
        tags = [Tag.objects.create(workspace=workspace, name=n) for n in ("vip", "cards", "app")]
    now = timezone.now()
    authors = max(100, conversations // 3)
    identity_ids: list[int] = []
    for start, count in in_rounds(authors, 5_000):
        with transaction.atomic():
            rows = [
                Identity(
                    workspace_id=workspace.pk,
                    network=NETWORKS[i % len(NETWORKS)],
                    external_id=f"author-{i}",
                    handle=f"user{i}",
                    display_name=f"User {i}",
                    reach=int(rng.lognormvariate(5.5, 1.6)),
                )
                for i in range(start, start + count)
            ]
            bulk_insert(rows)
            identity_ids += [r.pk for r in rows]
    for start, size in in_rounds(conversations, CHUNK, progress):
        with transaction.atomic():
            _chunk(workspace, rng, size, start, now, members, teams, queries, tags, identity_ids)
    fresh_statistics()
    return Built(
        workspace=workspace,
        viewer=members[3],
        conversations=conversations,
        posts=conversations * POSTS_PER_CONVERSATION,
        seconds=time.perf_counter() - started,
        teams=teams,
        query_ids=[q.pk for q in queries],
    )


def _chunk(
    workspace: Workspace,
    rng: random.Random,
    size: int,
    offset: int,
    now: datetime,
    members: list[Membership],
    teams: dict[str, int],
    queries: list[ListeningQuery],
    tags: list[Tag],
    identity_ids: list[int],
) -> None:
    convs, firsts = [], []
    for _ in range(size):
        last = now - timedelta(seconds=rng.uniform(0, 90 * 86_400))
        identity = rng.choice(identity_ids)
        status = rng.choice(STATUSES)
        assigned = rng.random() < 0.6
        team_name = rng.choice(TEAMS)
        text = _text(rng)
        first = last - timedelta(hours=rng.uniform(1, 48))
        convs.append(
            Conversation(
                workspace_id=workspace.pk,
                subject=text[:120],
                status=status,
                priority=rng.choice([0, 1, 1, 1, 2, 2, 3]),
                team_id=teams[team_name] if assigned or rng.random() < 0.3 else None,
                assignee_id=rng.choice(members).pk if assigned else None,
                identity_id=identity,
                network=NETWORKS[identity % len(NETWORKS)],
                label=rng.choice(["brand", "product", "competitor"]),
                sentiment=rng.choice(SENTIMENTS),
                intent=rng.choice(INTENTS),
                post_count=POSTS_PER_CONVERSATION,
                last_activity_at=last,
                created_at=first,
                resolved_at=last if status in (Status.RESOLVED, Status.CLOSED) else None,
            )
        )
        firsts.append((first, text))
    bulk_insert(convs)
    posts: list[Post] = []
    for n, (conv, (first, text)) in enumerate(zip(convs, firsts, strict=True)):
        step = (conv.last_activity_at - first) / (POSTS_PER_CONVERSATION - 1)
        root = f"c{offset + n}-0"
        for k in range(POSTS_PER_CONVERSATION):
            by_author = k % 2 == 0
            posts.append(
                Post(
                    workspace_id=workspace.pk,
                    network=conv.network,
                    external_id=f"c{offset + n}-{k}",
                    url=f"https://{conv.network}.example/p/c{offset + n}-{k}",
                    identity_id=conv.identity_id if by_author else None,
                    author_external_id=f"author-{conv.identity_id}" if by_author else f"o{k}",
                    author_handle=f"user{conv.identity_id}" if by_author else f"other{k}",
                    author_reach=100,
                    text=text if k == 0 else rng.choice(REPLIES),
                    language="en",
                    posted_at=first + step * k,
                    reply_to_external_id="" if k == 0 else root,
                    thread_external_id="" if k == 0 else root,
                    sentiment=conv.sentiment,
                    intent=conv.intent if k == 0 else "other",
                    priority=50,
                    triaged_at=now,
                    metrics={},
                )
            )
    bulk_insert(posts)
    links, first_ids = [], []
    for n, conv in enumerate(convs):
        chunk = posts[n * POSTS_PER_CONVERSATION : (n + 1) * POSTS_PER_CONVERSATION]
        first_ids.append((conv, chunk[0].pk))
        links += [ConversationPost(conversation_id=conv.pk, post_id=p.pk) for p in chunk]
    bulk_insert(links)
    for conv, post_id in first_ids:
        conv.first_post_id = post_id
    Conversation.objects.bulk_update(convs, ["first_post"], batch_size=1_000)
    matches, conv_queries, conv_tags, activities, notes = [], [], [], [], []
    for conv, post_id in first_ids:
        query = rng.choice(queries)
        matches.append(PostMatch(post_id=post_id, query_id=query.pk))
        conv_queries.append(ConversationQuery(conversation_id=conv.pk, query_id=query.pk))
        if rng.random() < 0.1:
            conv_tags.append(ConversationTag(conversation_id=conv.pk, tag_id=rng.choice(tags).pk))
        for message in ("Rule “Complaints to Social Care”: assigned", "Status changed"):
            activities.append(
                Activity(
                    workspace_id=workspace.pk,
                    conversation_id=conv.pk,
                    kind=Activity.Kind.RULE,
                    message=message,
                    created_at=conv.last_activity_at,
                )
            )
        if rng.random() < 0.2:
            notes.append(
                Note(
                    workspace_id=workspace.pk,
                    conversation_id=conv.pk,
                    body="Called the customer; waiting for their statement.",
                    created_at=conv.last_activity_at,
                )
            )
    for rows in (matches, conv_queries, conv_tags, activities, notes):
        bulk_insert(rows)


def inbox_urls(built: Built) -> dict[str, str]:
    base = f"/w/{built.workspace.slug}/inbox/"
    team = built.teams["Social Care"]
    return {
        "open (default)": base,
        "my open": base + "?view=mine",
        "negative unassigned": base + "?view=negative-unassigned",
        "leads": base + "?view=leads",
        "team + status": base + f"?team={team}&status=open",
        "query + sentiment": base + f"?query={built.query_ids[1]}&sentiment=negative",
        "priority urgent, any status": base + "?priority=urgent&status=",
        "search": base + "?q=mortgage+deposit",
        "tag": base + "?tag=vip&status=",
    }


def measure(
    built: Built, *, repeat: int = 20, conversations: int = 200, seed: int = 2
) -> Iterator[tuple[str, dict[str, float]]]:
    """(name, percentiles in ms) per inbox URL, then all inbox requests, then conversations."""
    timer = RequestTimer()
    client = Client()
    client.force_login(built.viewer.user)
    rng = random.Random(seed)  # noqa: S311 - which conversations to open

    yield from time_urls(
        timer, client, inbox_urls(built), repeat=repeat, together="inbox, all filters"
    )
    convs = Conversation.objects.filter(workspace=built.workspace)
    base = f"/w/{built.workspace.slug}/inbox/"
    yield "conversation", time_pages(timer, client, convs, base, conversations, rng)


def delete(workspace: Workspace) -> None:
    """Removes the benchmark workspace, table by table (the ORM would load a million rows)."""
    tables = [
        ("inbox_activity", "workspace_id = %s"),
        ("inbox_note_mentions", "note_id IN (SELECT id FROM inbox_note WHERE workspace_id = %s)"),
        ("inbox_note", "workspace_id = %s"),
        (
            "inbox_ruleapplication",
            "conversation_id IN (SELECT id FROM inbox_conversation WHERE workspace_id = %s)",
        ),
        (
            "inbox_conversationtag",
            "conversation_id IN (SELECT id FROM inbox_conversation WHERE workspace_id = %s)",
        ),
        (
            "inbox_conversationquery",
            "conversation_id IN (SELECT id FROM inbox_conversation WHERE workspace_id = %s)",
        ),
        (
            "inbox_conversationpost",
            "conversation_id IN (SELECT id FROM inbox_conversation WHERE workspace_id = %s)",
        ),
        ("inbox_conversation", "workspace_id = %s"),
        (
            "listening_postmatch",
            "post_id IN (SELECT id FROM listening_post WHERE workspace_id = %s)",
        ),
        ("listening_post", "workspace_id = %s"),
        ("contacts_identity", "workspace_id = %s"),
    ]
    empty_tables(workspace, tables)
    drop_workspace(workspace)


def run(
    say: Callable[[str], Any], *, conversations: int, repeat: int, seed: int, keep: bool, **_: Any
) -> dict[str, Any]:
    """Builds, measures, prints each figure with `say`, cleans up; returns the JSON figures."""
    if conversations < 1:
        raise ValueError("--conversations must be at least 1")
    with building(conversations, "conv") as bar:
        built = build(conversations, seed=seed, progress=bar.update)
    say(
        f"built {built.conversations:,} conversations and {built.posts:,} posts in "
        f"{built.seconds:.0f}s ({connection.vendor})"
    )
    with throwaway(built.workspace, delete, keep=keep):
        figures = report(say, measure(built, repeat=repeat), width=30)
    return {
        "conversations": built.conversations,
        "posts": built.posts,
        **in_ms("inbox", figures["inbox, all filters"]),
        **in_ms("conversation", figures["conversation"]),
        "database": connection.vendor,
    }
