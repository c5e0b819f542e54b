"""`rapport bench ideas`: a workspace with N ideas and M votes, then the latency of the idea
portal's list (each sort, a status filter, an area filter, a search), of an idea's page and of
similar ideas; and how well similar ideas finds the idea a post asks for (`ideas_quality.py`).

The votes go to the ideas as interest does, a few ideas with thousands and most with a handful
(Zipf), each from a distinct person; each idea keeps its counted votes and trend, as the votes
module keeps them. The rows are written with bulk inserts (COPY on PostgreSQL, many-row INSERTs
on SQLite); building is not timed.

Where the portal's pages are served (`web:portal`, `/portal/<slug>/`), they are timed as web
requests through Django's test client, as a visitor signed in on the portal; otherwise the reads
those pages make are timed (`PortalReads`, the same queries as the portal's views). Figures are
measured, never asserted: this is a benchmark, not a test.
"""

import math
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django.core.management.base import CommandParser
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from rapport.bench import ideas_quality
from rapport.bench.timing import RequestTimer, in_ms, percentiles, report
from rapport.bench.workspace import (
    building,
    drop_workspace,
    empty_tables,
    fresh_statistics,
    in_rounds,
    staffed_workspace,
)
from rapport.contacts.models import Contact
from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.models import Workspace
from rapport.ideas import routing, similar
from rapport.ideas.models import (
    VOTABLE,
    Area,
    Comment,
    Follower,
    Idea,
    Portal,
    Status,
    StatusChange,
    Vote,
)
from rapport.ideas.votes import EPOCH, NO_TREND, TREND_SECONDS

HELP = "Time the idea portal's list and idea page and similar ideas over N ideas and M votes."

CHUNK = 20_000  # rows written per round
PER_PAGE = 20
SORTS = {
    "trending": ("-trend", "-vote_count", "-id"),
    "top": ("-vote_count", "-id"),
    "new": ("-created_at", "-id"),
}
AREAS = ["Mobile app", "Cards", "Payments", "Savings", "Mortgages", "Branches", "Business", "Web"]
STATUSES = [
    (Status.NEW, 60),
    (Status.UNDER_REVIEW, 15),
    (Status.PLANNED, 10),
    (Status.IN_PROGRESS, 5),
    (Status.SHIPPED, 6),
    (Status.DECLINED, 4),
]
WANT = ["Add", "Let me", "Please support", "I want to", "Offer", "Allow", "Make it possible to"]
THINGS = [
    "dark mode", "bigger text", "Apple Pay", "Google Pay", "card freeze", "virtual cards",
    "round-ups", "savings goals", "spending categories", "budget alerts", "instant alerts",
    "Face ID login", "CSV export", "PDF statements", "bill splitting", "payment links",
    "scheduled payments", "standing orders", "cheap transfers abroad", "euro balances",
    "travel dates", "an overdraft buffer", "early salary", "joint accounts", "kids' cards",
    "Saturday opening", "live chat", "call backs", "cheque scanning", "mortgage tracking",
    "mortgage overpayments", "a credit score", "subscription blocking", "a gambling block",
    "spending limits", "contactless limits", "PIN viewing", "paperless letters",
    "carbon tracking", "cashback", "invoices", "accountant access", "open banking",
    "a balance widget", "a watch app", "screen reader support", "Welsh", "SMS fraud checks",
    "payee checks", "cardless cash", "an ATM map", "loan quotes", "instalments",
    "better savings rates", "ISAs", "pensions", "account nicknames", "transaction search",
    "receipts", "disputes in the app", "an authenticator app", "safe-to-spend",
]  # fmt: skip
WHERE = [
    "in the app", "on the website", "for business accounts", "for students", "on my card",
    "for joint accounts", "when I travel", "in branches", "for savings pots", "on Android",
    "on iPhone", "by text message",
]  # fmt: skip
WHY = [
    "Every other bank has it.", "It would save me a trip to the branch.",
    "I check my account every day and this is what I miss most.",
    "My partner and I both asked for this.", "It would make budgeting much easier.",
    "Please, it has been years.", "This is why I am thinking of switching banks.",
]  # fmt: skip
SEARCHES = ["dark mode", "apple pay", "savings", "mortgage overpayments", "card", "cashback app"]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--ideas", type=int, default=10_000, help="How many ideas (N).")
    parser.add_argument("--votes", type=int, default=1_000_000, help="How many votes (M).")
    parser.add_argument("--requests", type=int, default=200, help="Requests per kind of read.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark workspace.")
    parser.add_argument(
        "--quality-only",
        action="store_true",
        help="Only the quality of similar ideas (no workspace is built).",
    )
    parser.add_argument(
        "--tune",
        action="store_true",
        help="Choose similar ideas' weights and threshold on the tune split, then report both.",
    )


@dataclass
class Built:
    workspace: Workspace
    visitor: Contact
    ideas: int
    votes: int
    contacts: int
    idea_ids: tuple[int, int]
    areas: list[int]
    seconds: float


def vote_counts(ideas: int, votes: int, people: int, rng: random.Random) -> list[int]:
    """Votes per idea, Zipf-like (the k-th idea has about 1/k^0.8 of the top one's), summing to
    `votes`, none above the number of people."""
    weights = [1 / (k + 1) ** 0.8 for k in range(ideas)]
    rng.shuffle(weights)
    total = sum(weights)
    counts = [min(people, int(votes * w / total)) for w in weights]
    short = votes - sum(counts)
    i = 0
    while short > 0:
        if counts[i % ideas] < people:
            counts[i % ideas] += 1
            short -= 1
        i += 1
    return counts


def _trend(stamps: np.ndarray) -> float:
    """The idea's trend from its votes' times (seconds since the epoch), as votes.py keeps it."""
    if not len(stamps):
        return NO_TREND
    w = (stamps - EPOCH.timestamp()) / TREND_SECONDS
    high = float(w.max())
    return high + math.log(float(np.exp(w - high).sum()))


def build(
    ideas: int, votes: int, *, seed: int = 1, progress: Callable[[int], None] | None = None
) -> Built:
    """A new workspace bench-ideas-<time> with its portal, `ideas` ideas and `votes` votes."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    nrng = np.random.default_rng(seed)
    started = time.perf_counter()
    slug = f"bench-ideas-{timezone.now():%Y%m%d%H%M%S}"
    people = max(1_000, votes // 10)
    now = timezone.now()
    with transaction.atomic():
        workspace, members, _ = staffed_workspace(slug, [])
        Portal.objects.create(workspace=workspace, title="Acme Bank ideas")
        areas = [Area.objects.create(workspace=workspace, name=n).pk for n in AREAS]
    ws = workspace.pk
    new_contact = row_maker(Contact)
    contact_ids: list[int] = []
    for offset, size in in_rounds(people, CHUNK):
        with transaction.atomic():
            customers = [
                new_contact(
                    workspace_id=ws, name=f"Customer {i}", email=f"c{i}@example.co.uk",
                    email_key=f"c{i}@example.co.uk", tier=rng.choice(["", "silver", "gold"]),
                    lifetime_value=Decimal(rng.randint(0, 5000)), source="portal",
                    preferred_channel="email", tags=[], attributes={},
                )
                for i in range(offset, offset + size)
            ]  # fmt: skip
            bulk_insert(customers)
            contact_ids += [c.pk for c in customers]
    counts = vote_counts(ideas, votes, people, rng)
    statuses = [s for s, _ in STATUSES]
    status_weights = [w for _, w in STATUSES]
    new_idea, new_vote = row_maker(Idea), row_maker(Vote)
    new_change, new_comment = row_maker(StatusChange), row_maker(Comment)
    new_follower = row_maker(Follower)
    first = last = 0
    contacts = np.array(contact_ids, dtype=np.int64)
    span = 365 * 86_400
    zone = timezone.get_current_timezone()
    for offset, size in in_rounds(ideas, max(1, CHUNK // 10), progress):
        with transaction.atomic():
            rows: list[Idea] = []
            stamps: list[np.ndarray] = []
            for i in range(offset, offset + size):
                n = counts[i]
                at = np.sort(now.timestamp() - nrng.random(n) * span)
                stamps.append(at)
                status = rng.choices(statuses, status_weights)[0]
                created = datetime.fromtimestamp(
                    (float(at[0]) if n else now.timestamp()) - rng.randint(0, 86_400 * 30),
                    tz=timezone.get_current_timezone(),
                )
                rows.append(
                    new_idea(
                        workspace_id=ws,
                        title=f"{rng.choice(WANT)} {rng.choice(THINGS)} {rng.choice(WHERE)}",
                        body=f"{rng.choice(WHY)} {rng.choice(WHY)} (idea {i})",
                        area_id=rng.choice(areas), status=status, origin="portal",
                        status_note="" if status == Status.NEW else "We read every vote.",
                        status_changed_at=None if status == Status.NEW else now,
                        vote_count=n, trend=_trend(at), created_at=created, updated_at=created,
                    )
                )  # fmt: skip
            bulk_insert(rows)
            first, last = first or rows[0].pk, rows[-1].pk
            voting: list[Vote] = []
            extra: list[Follower | StatusChange | Comment] = []
            for idea, at in zip(rows, stamps, strict=True):
                who = nrng.choice(contacts, size=len(at), replace=False)
                voting += [
                    new_vote(
                        workspace_id=ws, idea_id=idea.pk, contact_id=int(c), source="portal",
                        tier="", value=Decimal(0), counted=True,
                                created_at=datetime.fromtimestamp(float(t), tz=zone),
                    )
                    for c, t in zip(who, at, strict=True)
                ]  # fmt: skip
                if len(at):
                    extra.append(
                        new_follower(workspace_id=ws, idea_id=idea.pk, contact_id=int(who[0]))
                    )
                if idea.status != Status.NEW:
                    extra.append(
                        new_change(
                            workspace_id=ws, idea_id=idea.pk, before=Status.NEW,
                            after=idea.status, note="We read every vote.", by_id=members[0].pk,
                            at=now,
                        )
                    )  # fmt: skip
                for k in range(rng.choice([0, 0, 1, 2, 5])):
                    extra.append(
                        new_comment(
                            workspace_id=ws, idea_id=idea.pk, body=f"Me too ({k}).",
                            author_contact_id=int(contacts[rng.randrange(len(contacts))]),
                            public=True,
                        )
                    )  # fmt: skip
            for start in range(0, len(voting), CHUNK * 5):
                bulk_insert(voting[start : start + CHUNK * 5])
            for kind in (Follower, StatusChange, Comment):
                bulk_insert([r for r in extra if isinstance(r, kind)])
    fresh_statistics()
    return Built(
        workspace=workspace,
        visitor=Contact.objects.get(pk=contact_ids[0]),
        ideas=ideas,
        votes=sum(counts),
        contacts=people,
        idea_ids=(first, last),
        areas=areas,
        seconds=time.perf_counter() - started,
    )


class PortalReads:
    """The reads the portal's pages make (rapport/ideas/portal.py and web/views/portal/), for a
    branch where the pages are not served: a list page and an idea page, as a signed-in
    visitor."""

    def __init__(self, workspace: Workspace, visitor: Contact) -> None:
        self.workspace, self.visitor = workspace, visitor

    def _decorate(self, ideas: list[Idea]) -> None:
        comments = dict(
            Comment.objects.filter(idea__in=ideas, public=True)
            .values("idea")
            .annotate(n=Count("id"))
            .values_list("idea", "n")
        )
        voted = set(
            Vote.objects.filter(idea__in=ideas, contact=self.visitor, counted=True).values_list(
                "idea_id", flat=True
            )
        )
        for idea in ideas:
            idea.public_comments = comments.get(idea.pk, 0)  # type: ignore[attr-defined]
            idea.voted = idea.pk in voted  # type: ignore[attr-defined]
            idea.open = idea.status in VOTABLE  # type: ignore[attr-defined]

    def ideas(self, q: str = "", sort: str = "trending", status: str = "", area: str = "") -> int:
        ws = self.workspace
        chosen_area = Area.objects.filter(workspace=ws, pk=area).first() if area else None
        ideas: QuerySet[Idea] = Idea.objects.filter(
            workspace=ws, merged_into__isnull=True
        ).select_related("area")
        if status:
            ideas = ideas.filter(status=status)
        if chosen_area is not None:
            ideas = ideas.filter(area=chosen_area)
        for word in q.split()[:8]:
            ideas = ideas.filter(Q(title__icontains=word) | Q(body__icontains=word))
        page = Paginator(ideas.order_by(*SORTS[sort]), PER_PAGE).get_page(1)
        shown = list(page.object_list)
        self._decorate(shown)
        counts = dict(
            Idea.objects.filter(workspace=ws, merged_into__isnull=True)
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        list(Area.objects.filter(workspace=ws).order_by("name"))
        return len(shown) + len(counts)

    def idea(self, idea_id: int) -> int:
        found = Idea.objects.select_related("area").get(pk=idea_id, workspace=self.workspace)
        self._decorate([found])
        comments = Paginator(
            Comment.objects.filter(idea=found, public=True)
            .select_related("author_contact", "author_member__user")
            .order_by("created_at", "id"),
            50,
        ).get_page(1)
        shown = list(comments.object_list)
        history = list(StatusChange.objects.filter(idea=found).order_by("at", "id"))
        following = Follower.objects.filter(idea=found, contact=self.visitor).exists()
        return len(shown) + len(history) + following


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _similar(workspace_id: int, text: str) -> float:
    return _timed(lambda: similar.similar_ideas(workspace_id, text))


def served() -> bool:
    """Whether this branch serves the portal's pages."""
    try:
        reverse("web:portal", args=["x"])
    except NoReverseMatch:
        return False
    return True


def list_params(built: Built) -> dict[str, dict[str, str]]:
    return {
        "list trending": {"sort": "trending"},
        "list top": {"sort": "top"},
        "list new": {"sort": "new"},
        "list planned": {"status": Status.PLANNED, "sort": "top"},
        "list area": {"area": str(built.areas[0]), "sort": "trending"},
        "list search": {"q": SEARCHES[0], "sort": "trending"},
    }


def measure(
    built: Built, *, requests: int = 200, seed: int = 2
) -> Iterator[tuple[str, dict[str, float]]]:
    """(name, percentiles in ms) for each list, the idea page and similar ideas."""
    rng = random.Random(seed)  # noqa: S311 - which ideas to open
    low, high = built.idea_ids
    ids = [rng.randint(low, high) for _ in range(requests)]
    slug = built.workspace.slug
    web = served()
    if web:
        timer = RequestTimer()
        client = Client()
        session = client.session
        session[f"portal:{built.workspace.pk}"] = built.visitor.pk  # signed in, as a voter
        session.save()

        def list_page(params: dict[str, str]) -> float:
            return timer(client, f"/portal/{slug}/?{urlencode(params)}")

        def idea_page(pk: int) -> float:
            return timer(client, f"/portal/{slug}/ideas/{pk}/")
    else:
        reads = PortalReads(built.workspace, built.visitor)

        def list_page(params: dict[str, str]) -> float:
            return _timed(lambda: reads.ideas(**params))

        def idea_page(pk: int) -> float:
            return _timed(lambda: reads.idea(pk))

    everything: list[float] = []
    for name, params in list_params(built).items():
        varied = [params] * requests
        if "q" in params:
            varied = [{**params, "q": SEARCHES[i % len(SEARCHES)]} for i in range(requests)]
        list_page(varied[0])  # warm
        samples = [list_page(p) for p in varied]
        everything += samples
        yield name, percentiles(samples)
    yield "list (all)", percentiles(everything)
    idea_page(ids[0])
    yield "idea page", percentiles([idea_page(pk) for pk in ids])

    texts = [
        f"{rng.choice(WANT)} {rng.choice(THINGS)} {rng.choice(WHERE)}. {rng.choice(WHY)}"
        for _ in range(requests)
    ]
    workspace_id = built.workspace.pk
    similar.similar_ideas(workspace_id, texts[0])  # builds the index, as the first lookup
    yield "similar ideas", percentiles([_similar(workspace_id, t) for t in texts])


def delete(workspace: Workspace) -> None:
    """Removes the benchmark workspace, table by table (the ORM would load a million votes)."""
    tables = [
        "ideas_announcement", "ideas_vote", "ideas_follower", "ideas_comment",
        "ideas_statuschange", "ideas_idea", "ideas_area", "ideas_portal", "contacts_contact",
    ]  # fmt: skip
    empty_tables(workspace, tables)
    drop_workspace(workspace)


def quality(say: Callable[[str], Any], *, tune: bool = False) -> dict[str, Any]:
    """Recall@5 and the routing threshold's figures, on the test split (and the tune split)."""
    chosen: dict[str, Any] = {}
    if tune:
        chosen = ideas_quality.tune()
        say(
            f"tuned on the tune split: lexical weight {chosen['lexical_weight']}, title "
            f"{chosen['title_times']}x, routing threshold {chosen['threshold']}"
        )
    settings = ideas_quality.settings(
        chosen.get("lexical_weight", similar.LEXICAL_WEIGHT),
        chosen.get("title_times", similar.TITLE_TIMES),
    )
    threshold = chosen.get("threshold", routing.THRESHOLD)
    out: dict[str, Any] = {}
    with settings:
        for split in ("tune", "test"):
            figures = ideas_quality.evaluate(split, threshold)
            say(
                f"similar ideas on the {split} split ({figures['posts']} posts): recall@1 "
                f"{figures['recall_at_1']:.3f}, recall@5 {figures['recall_at_5']:.3f}, MRR "
                f"{figures['mrr']:.3f}; at threshold {threshold}: "
                f"{figures['added_right']:.0%} added to the right idea, "
                f"{figures['precision_of_added']:.0%} of votes added right, "
                f"{figures['no_idea_added_anyway']:.0%} of {figures['posts_for_no_idea']} "
                "posts for no idea added anyway"
            )
            out[split] = figures
    if chosen:
        out["tuned"] = {k: v for k, v in chosen.items() if k != "grid"}
    return out


def run(
    say: Callable[[str], Any],
    *,
    ideas: int,
    votes: int,
    requests: int,
    seed: int,
    keep: bool,
    quality_only: bool = False,
    tune: bool = False,
    **_: Any,
) -> dict[str, Any]:
    """Builds, measures, prints each figure with `say`, cleans up; returns the JSON figures."""
    if ideas < 1:
        raise ValueError("--ideas must be at least 1")
    if votes < 0:
        raise ValueError("--votes must be 0 or more")
    if requests < 1:
        raise ValueError("--requests must be at least 1")
    found = quality(say, tune=tune)
    figures_out: dict[str, Any] = {
        "similar_recall_at_5_test": found["test"]["recall_at_5"],
        "similar_recall_at_1_test": found["test"]["recall_at_1"],
        "similar_mrr_test": found["test"]["mrr"],
        "routing_threshold": found["test"]["threshold"],
        "routing_added_right_test": found["test"]["added_right"],
        "routing_precision_test": found["test"]["precision_of_added"],
        "routing_no_idea_added_test": found["test"]["no_idea_added_anyway"],
        "similar_recall_at_5_tune": found["tune"]["recall_at_5"],
    }
    if "tuned" in found:
        figures_out["tuned"] = found["tuned"]
    if quality_only:
        return figures_out
    with building(ideas, "idea") as bar:
        built = build(ideas, votes, seed=seed, progress=bar.update)
    say(
        f"built {built.ideas:,} ideas, {built.votes:,} votes from {built.contacts:,} people in "
        f"{built.seconds:.0f}s ({connection.vendor}); timing "
        + ("the portal's pages as web requests" if served() else "the portal's reads")
    )
    try:
        figures = report(say, measure(built, requests=requests, seed=seed + 1), width=16)
    finally:
        if not keep:
            delete(built.workspace)
    return {
        "ideas": built.ideas,
        "votes": built.votes,
        "requests": requests,
        "how": "web requests" if served() else "portal reads",
        **{
            key: value
            for name in list_params(built)
            for key, value in in_ms(name.replace(" ", "_"), figures[name], ("p50", "p95")).items()
        },
        **in_ms("list", figures["list (all)"]),
        **in_ms("idea_page", figures["idea page"]),
        **in_ms("similar", figures["similar ideas"]),
        **figures_out,
        "load_average": round(os.getloadavg()[0], 1),
        "database": connection.vendor,
    }
