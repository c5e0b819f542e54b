"""`rapport bench recognition`: a company of P people in twelve teams with N contributions in its
ledger over two years (kudos among them), then the time of what the recognition pages read: a
person's page (`selectors.person`, for people at random, the last 30 days and a quarter), the
team view (`selectors.team_view`, a quarter, for the whole company and for one team) and the HR
report for everyone and a quarter (`reports.build` where it exists; else the reads it makes:
everyone's counts and weekly series). p50/p95/max in ms; the last line is JSON.

The ledger is written as the spine would have written it, in realistic proportions: front-line
teams answer and capture, back-office teams work cases and approve, experts answer hand-offs,
a few people do most of the work, weekdays far more than weekends; help across teams is
marked crossed. The rows are copied in bulk (COPY on PostgreSQL, many-row INSERTs on SQLite)
with the ledger's indexes dropped and made again afterwards; its tallies are then counted
from it (`tally.recount`). Each contribution's event is a negative number: there is no journal
behind this ledger (nothing here replays it). Building is not timed, and `--keep` keeps the
company for the next run, which reuses it. Figures are measured, never asserted.
"""

import datetime as dt
import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from unittest import mock

import numpy as np
from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.utils import timezone

from rapport.bench.timing import in_ms, percentiles, report
from rapport.bench.workspace import building, drop_workspace, empty_tables, fresh_statistics
from rapport.cases.models import Case
from rapport.contacts.models import Contact, Identity
from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.models import Membership, Team, User, Workspace
from rapport.core.roles import Role
from rapport.inbox.models import Conversation
from rapport.recognition import reports, scores, selectors, tally
from rapport.recognition.models import Contribution, Kind, Kudos, Report, Settings, Tally

HELP = "Time a person's recognition, the team view and the HR report over a ledger of N."

TEAMS = {
    # name: the kind of work (front line, back office, experts)
    "Customer care": "front", "Social care": "front", "Sales": "front", "Branches": "front",
    "Back office": "back", "Credit": "back", "Mortgages": "back", "Cards": "back",
    "Payments": "back", "R&D": "expert", "Compliance": "expert", "Marketing": "expert",
}  # fmt: skip
#: The ledger's kinds, their share of it, and how much more each kind of team does them.
KINDS: list[tuple[str, float, dict[str, float]]] = [
    (Kind.PUBLIC_REPLY, 0.26, {"front": 4, "back": 0.5, "expert": 0.5}),
    (Kind.FIRST_RESPONSE, 0.14, {"front": 4, "back": 0.3, "expert": 0.2}),
    (Kind.CAPTURED, 0.06, {"front": 2, "back": 0.5, "expert": 1}),
    (Kind.CASE_NOTE, 0.12, {"front": 0.5, "back": 3, "expert": 0.5}),
    (Kind.TASK_DONE, 0.12, {"front": 0.5, "back": 3, "expert": 1}),
    (Kind.CASE_RESOLVED, 0.08, {"front": 1, "back": 3, "expert": 0.3}),
    (Kind.EXPERT_ANSWER, 0.04, {"front": 0.1, "back": 1, "expert": 6}),
    (Kind.COLLEAGUE_HELP, 0.04, {"front": 0.5, "back": 1, "expert": 4}),
    (Kind.APPROVAL_IN_TIME, 0.05, {"front": 0.1, "back": 4, "expert": 0.2}),
    (Kind.PRAISE, 0.03, {"front": 3, "back": 0.3, "expert": 1}),
    (Kind.KUDOS, 0.03, {"front": 1, "back": 1, "expert": 1.5}),
    (Kind.IDEA_PROMOTED, 0.015, {"front": 1, "back": 0.5, "expert": 2}),
    (Kind.IDEA_SHIPPED, 0.005, {"front": 0.3, "back": 0.3, "expert": 3}),
]
#: What each kind points at, and how often it is help outside the person's team.
OBJECTS: dict[str, str] = {
    Kind.PUBLIC_REPLY: "conversation", Kind.FIRST_RESPONSE: "conversation",
    Kind.CAPTURED: "conversation", Kind.EXPERT_ANSWER: "conversation",
    Kind.COLLEAGUE_HELP: "conversation", Kind.CASE_NOTE: "case", Kind.TASK_DONE: "case",
    Kind.CASE_RESOLVED: "case", Kind.APPROVAL_IN_TIME: "approval", Kind.PRAISE: "post",
    Kind.KUDOS: "kudos", Kind.IDEA_PROMOTED: "idea", Kind.IDEA_SHIPPED: "idea",
}  # fmt: skip
CROSSED: dict[str, float] = {
    Kind.EXPERT_ANSWER: 0.7,
    Kind.COLLEAGUE_HELP: 0.6,
    Kind.APPROVAL_IN_TIME: 0.5,
}
CROSSED |= {Kind.KUDOS: 0.4, Kind.CASE_NOTE: 0.12, Kind.TASK_DONE: 0.12}
OTHERS_CROSS = 0.05
#: Kinds whose contribution names the colleague helped.
WITH_COLLEAGUE = {Kind.EXPERT_ANSWER, Kind.COLLEAGUE_HELP, Kind.APPROVAL_IN_TIME, Kind.KUDOS}
DAYS = 730
CHUNK = 100_000  # contributions written per round
FIRST = ["Sam", "Ravi", "Ingrid", "Olivia", "Tom", "Aisha", "Jonas", "Mei", "Pedro", "Zoe"]
LAST = ["Okafor", "Patel", "Larsen", "Brown", "Nguyen", "Silva", "Kowalski", "Dubois", "Khan"]
THANKS = ["Thanks for jumping on this!", "You saved the day with that answer.", "Great catch."]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--entries", type=int, default=5_000_000, help="Contributions (N).")
    parser.add_argument("--people", type=int, default=500, help="People in the company (P).")
    parser.add_argument("--repeat", type=int, default=100, help="Times each read is timed.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the company afterwards, and reuse one kept from a run with the same "
        "--entries, --people and --seed instead of building it again.",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="Leave the HR report out (minutes at 5M)."
    )
    parser.add_argument(
        "--ledger",
        action="store_true",
        help="Also time a quarter counted from the ledger itself (without the tallies), "
        "for comparison; seconds per read at 5M.",
    )


@dataclass
class Built:
    workspace: Workspace
    viewer: Membership
    people: list[int]
    teams: list[int]
    entries: int
    tallies: int
    seconds: float
    reused: bool


def kept_slug(entries: int, people: int, seed: int) -> str:
    return f"bench-recognition-{people}p-{entries}-s{seed}"


def people_and_teams(
    workspace: Workspace, people: int, rng: random.Random
) -> tuple[list[Membership], dict[int, str], dict[int, list[int]]]:
    """The company: a few managers and admins, the others agents, in teams of unequal sizes
    (one in twenty in two teams). Returns the people, each team's kind of work, and each
    person's teams."""
    slug = workspace.slug
    users = [
        User(
            email=f"person{i}@{slug}.example",
            first_name=FIRST[i % len(FIRST)],
            last_name=f"{LAST[i // len(FIRST) % len(LAST)]}-{i}",
            full_name=f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]}-{i}",
            password="!",  # unusable
        )
        for i in range(people)
    ]
    User.objects.bulk_create(users, batch_size=500)
    users = list(User.objects.filter(email__endswith=f"@{slug}.example").order_by("pk"))
    roles = [Role.ADMIN] * 2 + [Role.MANAGER] * max(1, people // 50)
    members = Membership.objects.bulk_create(
        [
            Membership(workspace=workspace, user=u, role=roles[i] if i < len(roles) else Role.AGENT)
            for i, u in enumerate(users)
        ],
        batch_size=500,
    )
    teams = Team.objects.bulk_create([Team(workspace=workspace, name=n) for n in TEAMS])
    sizes = [rng.uniform(0.5, 2.0) for _ in teams]
    of: dict[int, list[int]] = {}
    links = []
    for m in members:
        chosen = rng.choices(teams, sizes)[0]
        mine = [chosen.pk]
        if rng.random() < 0.05:
            mine.append(rng.choice(teams).pk)
        of[m.pk] = sorted(set(mine))
        links += [Team.members.through(team_id=t, membership_id=m.pk) for t in of[m.pk]]
    Team.members.through.objects.bulk_create(links, batch_size=1_000)
    return members, {t.pk: TEAMS[t.name] for t in teams}, of


def customers(workspace: Workspace, entries: int, rng: random.Random) -> tuple[Any, Any]:
    """Contacts with an identity each, conversations and cases for them: what the ledger's
    contributions point at (arrays of conversation and case ids)."""
    ws = workspace.pk
    new_contact, new_identity = row_maker(Contact), row_maker(Identity)
    new_conversation, new_case = row_maker(Conversation), row_maker(Case)
    contacts = [
        new_contact(
            workspace_id=ws, name=f"Customer {i}", email=f"c{i}@example.co.uk",
            email_key=f"c{i}@example.co.uk", source="bench", tags=[], attributes={},
            lifetime_value=Decimal(rng.randint(0, 5000)),
        )
        for i in range(max(100, entries // 250))
    ]  # fmt: skip
    bulk_insert(contacts)
    identities = [
        new_identity(
            workspace_id=ws, network="x", external_id=f"u{c.pk}", handle=f"user{c.pk}",
            display_name=c.name, contact_id=c.pk,
        )
        for c in contacts
    ]  # fmt: skip
    bulk_insert(identities)
    now = timezone.now()
    conversation_ids: list[int] = []
    for start in range(0, max(100, entries // 25), 20_000):
        rows = [
            new_conversation(
                workspace_id=ws, subject=f"Question {start + i}", status="resolved",
                identity_id=rng.choice(identities).pk, network="x", created_at=now,
                last_activity_at=now,
            )
            for i in range(min(20_000, max(100, entries // 25) - start))
        ]  # fmt: skip
        bulk_insert(rows)
        conversation_ids += [r.pk for r in rows]
    cases = [
        new_case(
            workspace_id=ws, subject=f"Case {i}", customer_id=rng.choice(contacts).pk,
            status="resolved", custom_fields={}, tags=[],
        )
        for i in range(max(100, entries // 100))
    ]  # fmt: skip
    bulk_insert(cases)
    return np.array(conversation_ids), np.array([c.pk for c in cases])


@contextmanager
def without_indexes(table: str) -> Iterator[None]:
    """Drops the table's own indexes (not those of its constraints) while rows are copied in,
    and makes them again afterwards: one sort per index instead of millions of inserts."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                # Inside a transaction (a test's), the rows' foreign keys are still to be
                # checked, and PostgreSQL makes no index on a table with checks pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _, sql in found:
                cursor.execute(sql)


def copy_rows(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows of plain values into `table`: COPY on PostgreSQL, many-row INSERTs on SQLite."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)
            return
        per = max(1, 30_000 // len(columns))
        mark = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([mark] * len(chunk))}"  # noqa: S608
            cursor.execute(sql, [v for row in chunk for v in row])


def write_ledger(
    workspace: Workspace,
    members: list[Membership],
    work: dict[int, str],
    teams_of: dict[int, list[int]],
    entries: int,
    seed: int,
    progress: Callable[[int], Any] | None = None,
) -> None:
    """`entries` contributions over the last two years, oldest first, with their kudos."""
    nrng = np.random.default_rng(seed)
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    conversations, cases = customers(workspace, entries, rng)
    people = np.array([m.pk for m in members])
    home = np.array([teams_of[m.pk][0] for m in members])
    team_ids = sorted(work)
    kinds = [str(k) for k, _, _ in KINDS]
    # How busy each person is (a few do most), and what they do, from their team's work.
    busy = nrng.lognormal(0, 0.8, len(members))
    mix = np.array([[share * by[work[t]] for _, share, by in KINDS] for t in home])
    mix /= mix.sum(axis=1, keepdims=True)
    rate = busy[:, None] * mix  # person x kind
    rate *= np.array([share for _, share, _ in KINDS]) / (rate.sum(axis=0) / rate.sum())
    weight = (rate / rate.sum()).ravel()
    crossed_p = np.array([CROSSED.get(k, OTHERS_CROSS) for k in kinds])
    helped = [kinds.index(k) for k in WITH_COLLEAGUE]
    # Weekdays take far more than weekends, and the company grew by half over the two years.
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=DAYS - 1)
    days = np.arange(DAYS)
    by_day = np.array(
        [(1.0 if (first_day + dt.timedelta(days=int(d))).weekday() < 5 else 0.12) for d in days]
    ) * (1 + 0.5 * days / DAYS)
    by_day /= by_day.sum()
    zone = timezone.get_default_timezone()
    midnight0 = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone).timestamp()
    postgres = connection.vendor == "postgresql"
    ws = workspace.pk
    columns = [
        "workspace_id", "member_id", "kind", "at", "event", "object_type", "object_id",
        "team_id", "object_team_id", "crossed", "colleague_id",
    ]  # fmt: skip
    new_kudos = row_maker(Kudos)
    at_field = Kudos._meta.get_field("created_at")
    with without_indexes(Contribution._meta.db_table):
        for start in range(0, entries, CHUNK):
            size = min(CHUNK, entries - start)
            # This round's days, in order, so rows go in as time went.
            lo = int(np.searchsorted(np.cumsum(by_day), start / entries))
            hi = int(np.searchsorted(np.cumsum(by_day), (start + size) / entries))
            span = by_day[lo : hi + 1] / by_day[lo : hi + 1].sum()
            day = lo + nrng.choice(len(span), size=size, p=span)
            seconds = np.clip(nrng.normal(13.5 * 3600, 2.5 * 3600, size), 0, 86_399)
            stamps = np.sort(midnight0 + day * 86_400.0 + seconds.astype(np.int64))
            pick = nrng.choice(len(weight), size=size, p=weight)
            who, kind = pick // len(kinds), pick % len(kinds)
            crossed = nrng.random(size) < crossed_p[kind]
            other = nrng.integers(0, len(members), size)
            other = np.where(other == who, (other + 1) % len(members), other)
            foreign = nrng.integers(0, len(team_ids), size)
            conv = nrng.choice(conversations, size)
            case = nrng.choice(cases, size)
            kudos_at = np.flatnonzero(kind == kinds.index(Kind.KUDOS)).tolist()
            kudos = [
                new_kudos(
                    workspace_id=ws, giver_id=int(people[other[i]]),
                    receiver_id=int(people[who[i]]), about="conversation",
                    object_id=int(conv[i]), message=rng.choice(THANKS),
                    created_at=dt.datetime.fromtimestamp(float(stamps[i]), tz=dt.UTC),
                )
                for i in kudos_at
            ]  # fmt: skip
            what = np.array([OBJECTS[k] for k in kinds], dtype=object)[kind]
            object_id = np.where(what == "conversation", conv, np.where(what == "case", case, -1))
            mine = home[who]
            away = np.array(team_ids)[foreign]
            away = np.where(away == mine, np.array(team_ids)[(foreign + 1) % len(team_ids)], away)
            object_team = np.where(crossed, away, mine)
            on_matter = (what == "conversation") | (what == "case")
            colleague = np.where(np.isin(kind, helped), people[other], 0)
            seconds_utc = stamps.astype("datetime64[s]")
            at = np.char.replace(np.datetime_as_string(seconds_utc, unit="s"), "T", " ")
            if postgres:
                at = np.char.add(at, "+00")
            with transaction.atomic(), mock.patch.object(at_field, "auto_now_add", False):
                bulk_insert(kudos)
                ids = object_id.tolist()
                for i, k in zip(kudos_at, kudos, strict=True):
                    ids[i] = k.pk
                rows = list(
                    zip(
                        [ws] * size,
                        people[who].tolist(),
                        np.array(kinds, dtype=object)[kind].tolist(),
                        at.tolist(),
                        (-np.arange(start + 1, start + size + 1)).tolist(),
                        what.tolist(),
                        [n if n >= 0 else start + i + 1 for i, n in enumerate(ids)],
                        mine.tolist(),
                        [
                            t if o else None
                            for t, o in zip(object_team.tolist(), on_matter.tolist(), strict=True)
                        ],
                        crossed.tolist(),
                        [c or None for c in colleague.tolist()],
                        strict=True,
                    )
                )
                copy_rows(Contribution._meta.db_table, columns, rows)
            if progress:
                progress(size)


def build(
    entries: int,
    people: int,
    *,
    seed: int = 1,
    keep: bool = False,
    progress: Callable[[int], Any] | None = None,
    say: Callable[[str], Any] = print,
) -> Built:
    """The company: reused when kept by an earlier run (and complete), else built."""
    started = time.perf_counter()
    slug = kept_slug(entries, people, seed) if keep else f"bench-recognition-{time.time_ns()}"
    found = Workspace.objects.filter(slug=slug).first()
    if found is not None and Settings.objects.filter(workspace=found).exists():
        return _built(found, entries, started, reused=True)
    if found is not None:
        say(f"{slug} was left half built; deleting it first")
        delete(found)
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    with transaction.atomic():
        workspace = Workspace.objects.create(name=f"Benchmark {slug}", slug=slug)
        members, work, teams_of = people_and_teams(workspace, people, rng)
    write_ledger(workspace, members, work, teams_of, entries, seed, progress)
    counting = time.perf_counter()
    tallies = tally.recount(workspace.pk)
    say(f"counted {tallies:,} tallies from the ledger in {time.perf_counter() - counting:.0f}s")
    fresh_statistics()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum would have by the time anyone reads it: the visibility map lets the
        # covering indexes be read alone.
        with connection.cursor() as cursor:
            for table in ("recognition_contribution", "recognition_tally", "recognition_kudos"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    Settings.objects.create(workspace=workspace)  # last: the company is complete
    return _built(workspace, entries, started, reused=False)


def _built(workspace: Workspace, entries: int, started: float, *, reused: bool) -> Built:
    members = Membership.objects.filter(workspace=workspace).order_by("pk")
    viewer = members.filter(role=Role.MANAGER).first()
    assert viewer is not None
    return Built(
        workspace=workspace,
        viewer=viewer,
        people=list(members.values_list("pk", flat=True)),
        teams=list(Team.objects.filter(workspace=workspace).values_list("pk", flat=True)),
        entries=Contribution.objects.filter(workspace=workspace).count() if reused else entries,
        tallies=Tally.objects.filter(workspace=workspace).count(),
        seconds=time.perf_counter() - started,
        reused=reused,
    )


def delete(workspace: Workspace) -> None:
    """Removes the company, table by table (the ORM would load millions of rows first)."""
    tables: list[str | tuple[str, str]] = [
        "recognition_tally", "recognition_contribution", "recognition_kudos",
        "recognition_settings",
        ("cases_case_watchers", "case_id IN (SELECT id FROM cases_case WHERE workspace_id = %s)"),
        "cases_case", "inbox_conversation", "contacts_identity", "contacts_contact",
    ]  # fmt: skip
    empty_tables(workspace, tables)
    drop_workspace(workspace)


def person_of(viewer: Membership, member: Membership, *, when: selectors.Period) -> object:
    return selectors.person(viewer, member, when)


def _times(call: Callable[[Any], object], arguments: list[Any]) -> dict[str, float]:
    """The percentiles (ms) of `call` on each argument in turn."""
    samples = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def last_quarter(today: dt.date) -> selectors.Period:
    return selectors.quarter_of(selectors.quarter_of(today).since - dt.timedelta(days=1))


def measure(
    built: Built, *, repeat: int, seed: int, ledger_too: bool = False
) -> Iterator[tuple[str, dict[str, float]]]:
    """(name, percentiles in ms) of each read."""
    rng = random.Random(seed)  # noqa: S311 - whom to open
    viewer = built.viewer
    members = Membership.objects.in_bulk(built.people)
    month = selectors.period(None, None)
    quarter = last_quarter(timezone.localdate())
    teams = Team.objects.in_bulk(built.teams)
    for name, when in (("person, 30 days", month), ("person, a quarter", quarter)):
        selectors.person(viewer, members[built.people[0]], when)  # warm
        chosen = [members[rng.choice(built.people)] for _ in range(repeat)]
        yield name, _times(partial(person_of, viewer, when=when), chosen)
    everyone = [None] * repeat
    selectors.team_view(viewer, quarter)  # warm
    yield (
        "team view, company, quarter",
        _times(lambda t: selectors.team_view(viewer, quarter, t), everyone),
    )
    picked = [teams[rng.choice(built.teams)] for _ in range(repeat)]
    yield (
        "team view, one team, quarter",
        _times(lambda t: selectors.team_view(viewer, quarter, t), picked),
    )
    yield (
        "team view, company, 30 days",
        _times(lambda t: selectors.team_view(viewer, month, t), everyone),
    )
    if ledger_too:
        # The same quarter counted from the ledger itself: bounds a second off midnight are
        # not whole days, so `counts_by_member` groups the contributions.
        since = quarter.start + dt.timedelta(seconds=1)
        yield (
            "quarter from the ledger",
            _times(
                lambda _: scores.counts_by_member(built.workspace.pk, since, quarter.end), [0] * 3
            ),
        )


def report_seconds(built: Built, quarter: selectors.Period) -> tuple[str, float]:
    """The HR report (CSV and PDF) for everyone and a quarter, in seconds."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a line per step otherwise
    made = Report.objects.create(
        workspace=built.workspace,
        requested_by=built.viewer,
        since=quarter.since,
        until=quarter.until,
    )
    started = time.perf_counter()
    reports.build(made)
    return "reports.build", time.perf_counter() - started


def run(
    say: Callable[[str], Any],
    *,
    entries: int,
    people: int,
    repeat: int,
    seed: int,
    keep: bool,
    ledger: bool = False,
    no_report: bool = False,
    **_: Any,
) -> dict[str, Any]:
    """Builds (or reuses), measures, prints each figure with `say`, cleans up unless kept;
    returns the JSON figures."""
    if entries < 1:
        raise ValueError("--entries must be at least 1")
    if people < len(TEAMS):
        raise ValueError(f"--people must be at least {len(TEAMS)} (one a team)")
    if repeat < 1:
        raise ValueError("--repeat must be at least 1")
    with building(entries, "contribution") as bar:
        built = build(entries, people, seed=seed, keep=keep, progress=bar.update, say=say)
    say(
        f"{'reused' if built.reused else 'built'} {len(built.people):,} people in "
        f"{len(built.teams)} teams with {built.entries:,} contributions ({built.tallies:,} "
        f"tallies) in {built.seconds:.0f}s ({connection.vendor}); load {os.getloadavg()[0]:.1f}"
    )
    try:
        figures = report(say, measure(built, repeat=repeat, seed=seed + 1, ledger_too=ledger))
        quarter = last_quarter(timezone.localdate())
        how, seconds = ("left out", 0.0) if no_report else report_seconds(built, quarter)
        say(f"HR report, {len(built.people)} people, {quarter}: {seconds:.2f}s ({how})")
    finally:
        if not keep:
            delete(built.workspace)
    out: dict[str, Any] = {
        "entries": built.entries,
        "people": len(built.people),
        "tallies": built.tallies,
        "repeat": repeat,
        **in_ms("person_30d", figures["person, 30 days"], ("p50", "p95", "max")),
        **in_ms("person_quarter", figures["person, a quarter"], ("p50", "p95", "max")),
        **in_ms("team_view", figures["team view, company, quarter"], ("p50", "p95", "max")),
        **in_ms("team_view_team", figures["team view, one team, quarter"], ("p50", "p95", "max")),
        **in_ms("team_view_30d", figures["team view, company, 30 days"], ("p50", "p95", "max")),
        "report_seconds": round(seconds, 2),
        "report_how": how,
    }
    if ledger:
        out |= in_ms("ledger_quarter", figures["quarter from the ledger"], ("p50", "max"))
    return out | {"load_average": round(os.getloadavg()[0], 1), "database": connection.vendor}
