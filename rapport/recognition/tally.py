"""The ledger counted per person, kind, team at the time, crossing and span of days (`Tally`):
kept as contributions are recorded, read for any period as whole months, whole weeks and days.

Why: a quarter of a 500-person company is some 600,000 contributions, and grouping them on
each request took seconds; its tallies are some 20,000 month rows. A day is one of the server's
time zone (`TIME_ZONE`), as a `selectors.Period` is: after changing it, `recount` each
workspace.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from rapport.core.bulk import bulk_insert, row_maker
from rapport.recognition.models import Contribution, Span, Tally, TeamTally

ONE_DAY = dt.timedelta(days=1)
#: What a tally is counted by: member, span, start, kind, crossed, team (0: none).
Key = tuple[int, str, dt.date, str, bool, int]
#: And a team's tally: span, start, team, kind.
TeamKey = tuple[str, dt.date, int, str]
#: Tallies written per statement when recounting.
CHUNK = 5_000


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(timezone.get_default_timezone()).date()


# Keeping ------------------------------------------------------------------------------------


def add(workspace_id: int, contributions: Iterable[Contribution]) -> None:
    """Counts newly written contributions in (call in their transaction)."""
    counts: Counter[Key] = Counter()
    for c in contributions:
        for span, start in spans_of(local_day(c.at)):
            counts[(c.member_id, span, start, c.kind, bool(c.crossed), c.team_id or 0)] += 1
    if counts:
        _upsert(Tally, workspace_id, _MEMBER_KEY, counts)
        _upsert(TeamTally, workspace_id, _TEAM_KEY, per_team(counts))


_MEMBER_KEY = ["member_id", "span", "start", "kind", "crossed", "team_id"]
_TEAM_KEY = ["workspace_id", "span", "start", "team_id", "kind"]


def per_team(counts: Counter[Key]) -> Counter[TeamKey]:
    teams: Counter[TeamKey] = Counter()
    for (_, span, start, kind, _, team), n in counts.items():
        teams[(span, start, team, kind)] += n
    return teams


def _upsert(
    model: type[Tally | TeamTally], workspace_id: int, key: list[str], counts: Counter[Any]
) -> None:
    """Adds each count to its tally (keyed by the `key` columns, without the workspace), made
    at 0 if new: one statement, however many people record at once (a conflict on the unique
    key adds instead of failing). Rows go in the keys' order, so two transactions adding to the
    same teams' tallies lock them in the same order: one waits, neither deadlocks."""
    ops, quote = connection.ops, connection.ops.quote_name
    table = quote(model._meta.db_table)
    named = [c for c in key if c != "workspace_id"]
    columns = ["workspace_id", *named, "n"]
    params: list[Any] = []
    for values, n in sorted(counts.items()):
        params.append(workspace_id)
        for column, value in zip(named, values, strict=True):
            if column == "start":
                value = ops.adapt_datefield_value(value)
            params.append(str(value) if column in ("span", "kind") else value)
        params.append(n)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(counts))} "
        f"ON CONFLICT ({', '.join(quote(c) for c in key)}) "
        f"DO UPDATE SET {quote('n')} = {table}.{quote('n')} + excluded.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def counted(workspace_id: int) -> Iterator[list[Tally] | list[TeamTally]]:
    """The tallies the workspace's ledger makes, counted from it afresh, in batches (one
    person's at a time, so memory stays small), then the teams' tallies."""
    make = row_maker(Tally)
    rows = (
        Contribution.objects.filter(workspace_id=workspace_id)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_default_timezone()))
        .values_list("member_id", "day", "kind", "crossed", "team_id")
        .annotate(n=Count("id"))
        .order_by("member_id")
    )
    batch: list[Tally] = []
    current: int | None = None
    longer: Counter[Key] = Counter()  # the person's weeks and months
    teams: Counter[TeamKey] = Counter()

    def flush() -> None:
        teams.update(per_team(longer))
        for (m, span, start, kind, crossed, team), n in longer.items():
            batch.append(
                make(workspace_id=workspace_id, member_id=m, span=span, start=start, kind=kind,
                     crossed=crossed, team_id=team, n=n)
            )  # fmt: skip
        longer.clear()

    for member, day, kind, crossed, team, n in rows.iterator(chunk_size=CHUNK):
        if member != current:
            flush()
            current = member
            if len(batch) >= CHUNK:
                yield batch
                batch = []
        team = team or 0
        spans = spans_of(day)
        teams[(Span.DAY, day, team, kind)] += n
        batch.append(
            make(workspace_id=workspace_id, member_id=member, span=Span.DAY, start=day,
                 kind=kind, crossed=crossed, team_id=team, n=n)
        )  # fmt: skip
        for span, start in spans[1:]:
            longer[(member, span, start, kind, crossed, team)] += n
    flush()
    if batch:
        yield batch
    make_team = row_maker(TeamTally)
    team_rows = [
        make_team(workspace_id=workspace_id, span=span, start=start, team_id=team, kind=kind, n=n)
        for (span, start, team, kind), n in teams.items()
    ]
    for at in range(0, len(team_rows), CHUNK):
        yield team_rows[at : at + CHUNK]


def recount(workspace_id: int) -> int:
    """Counts the workspace's tallies again from its ledger (after a bulk load, or a change of
    `TIME_ZONE`); returns how many tallies there are."""
    written = 0
    with transaction.atomic():
        forget(workspace_id)
        for batch in counted(workspace_id):
            bulk_insert(batch)
            written += len(batch)
    return written


def forget(workspace_id: int) -> None:
    """Deletes the workspace's tallies, the people's and the teams'."""
    Tally.objects.filter(workspace_id=workspace_id).delete()
    TeamTally.objects.filter(workspace_id=workspace_id).delete()


def _key(t: Tally | TeamTally) -> tuple[Any, ...]:
    if isinstance(t, TeamTally):
        return ("team", str(t.span), t.start, t.team_id, str(t.kind))
    return (t.member_id, str(t.span), t.start, str(t.kind), bool(t.crossed), t.team_id)


def differences(workspace_id: int) -> int:
    """How many tallies (the people's and the teams') differ from the ledger counted afresh
    (0: they agree)."""
    want = {_key(t): t.n for batch in counted(workspace_id) for t in batch}
    have = {
        _key(t): t.n
        for model in (Tally, TeamTally)
        for t in model.objects.filter(workspace_id=workspace_id)
    }
    return len(set(want.items()) ^ set(have.items()))


# Reading ------------------------------------------------------------------------------------


class Piece(NamedTuple):
    span: str
    first: dt.date  # the first span's start
    last: dt.date  # the last one's


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


#: The spans longer than a day, longest first: the first day of the one a day is in, and a
#: number of days that takes any span's first day into the next span.
LONGER = [(Span.QUARTER, _quarter, 93), (Span.MONTH, _month, 32), (Span.WEEK, _week, 7)]


def spans_of(day: dt.date) -> list[tuple[str, dt.date]]:
    """The day, its week (from Monday), its month and its quarter, each by its first day."""
    return [(Span.DAY, day), *((span, first_of(day)) for span, first_of, _ in reversed(LONGER))]


def pieces(first: dt.date, last: dt.date, *, months: bool = True) -> list[Piece]:
    """Runs of spans whose days are, together, exactly `first` to `last` (inclusive): the
    whole quarters inside, then the whole months inside what is left (unless `months` is off:
    neither), then whole weeks, then days."""
    return [p for p in _cover(first, last, LONGER if months else LONGER[2:]) if p.first <= p.last]


def _cover(a: dt.date, b: dt.date, levels: list[Any]) -> list[Piece]:
    if a > b:
        return []
    if not levels:
        return [Piece(Span.DAY, a, b)]
    span, first_of, jump = levels[0]
    start = a if first_of(a) == a else first_of(first_of(a) + dt.timedelta(days=jump))
    end = first_of(b + ONE_DAY)  # the spans starting before it end by b
    if start >= end:
        return _cover(a, b, levels[1:])
    return [
        Piece(span, start, first_of(end - ONE_DAY)),
        *_cover(a, start - ONE_DAY, levels[1:]),
        *_cover(end, b, levels[1:]),
    ]


def whole_days(since: dt.datetime, until: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """`since` to `until` (excluded) as the first and last day, when both are midnights of
    the server's time zone; else None (the ledger itself must be read)."""
    if timezone.is_naive(since) or timezone.is_naive(until):
        return None
    zone = timezone.get_default_timezone()
    start, end = since.astimezone(zone), until.astimezone(zone)
    if start.time() != dt.time.min or end.time() != dt.time.min:
        return None
    return start.date(), end.date() - ONE_DAY


def summed(
    workspace_id: int,
    first: dt.date,
    last: dt.date,
    by: tuple[str, ...],
    sums: dict[str, Any] | None = None,
    *,
    months: bool = True,
    members: Iterable[int] | None = None,
    crossed: bool | None = None,
    team_id: int | None = None,
) -> list[tuple[Any, ...]]:
    """[(*by, *sums)]: the contributions from `first` to `last` (inclusive) grouped by the
    fields `by` (of member_id, team_id, kind, crossed, start), each of `sums` (by default `n`,
    their count) added up, for some people, crossed or not, one team. Values come as the
    database gives them (crossed is 0 or 1 on SQLite; a start is text there).

    Each piece of the period is summed on its own, from the span index alone, and the pieces
    added up: an OR of the pieces is read through the table (PostgreSQL's bitmap, SQLite's
    rows), thousands of rows looked up one by one. A count by team, kind or span that names
    no person is read from the teams' tallies.
    """
    who = None if members is None else list(members)
    if who == []:
        return []
    model: type[Tally | TeamTally] = Tally
    if sums is None and who is None and crossed is None and set(by) <= {"team_id", "kind", "start"}:
        model = TeamTally
    sums = sums or {"n": Sum("n")}
    arms: list[tuple[str, tuple[Any, ...]]] = []
    for p in pieces(first, last, months=months):
        rows: QuerySet[Any] = model.objects.filter(workspace_id=workspace_id, span=p.span)
        if p.first == p.last:  # one start: read in the index's order, grouped as it is read
            rows = rows.filter(start=p.first)
        else:
            rows = rows.filter(start__gte=p.first, start__lte=p.last)
        if who is not None:
            rows = rows.filter(member_id__in=who)
        if crossed is not None:
            rows = rows.filter(crossed=crossed)
        if team_id is not None:
            rows = rows.filter(team_id=team_id)
        arm = rows.order_by().values_list(*by).annotate(**sums)
        sql, params = arm.query.sql_with_params()
        arms.append((sql, tuple(params)))
    if not arms:
        return []
    if len(arms) == 1:
        sql, params = arms[0]
    else:
        quote = connection.ops.quote_name
        keys = ", ".join(quote(b) for b in by)
        added = ", ".join(f"CAST(SUM({quote(s)}) AS BIGINT)" for s in sums)
        union = " UNION ALL ".join(sql for sql, _ in arms)
        sql = f"SELECT {keys}, {added} FROM ({union}) AS pieces GROUP BY {keys}"  # noqa: S608
        params = tuple(v for _, arm_params in arms for v in arm_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def totals(
    workspace_id: int,
    first: dt.date,
    last: dt.date,
    by: tuple[str, ...],
    *,
    members: Iterable[int] | None = None,
    crossed: bool | None = None,
    team_id: int | None = None,
) -> list[tuple[Any, ...]]:
    """[(*by, n)]: the contributions from `first` to `last` (inclusive) counted by the fields
    `by`, for some people, crossed or not, one team (`summed`)."""
    return summed(workspace_id, first, last, by, members=members, crossed=crossed, team_id=team_id)


def weeks(
    workspace_id: int,
    first: dt.date,
    last: dt.date,
    *,
    members: Iterable[int] | None = None,
    team_id: int | None = None,
) -> dict[int, dict[dt.date, Counter[str]]]:
    """member id -> {Monday: {kind: count}} from `first` to `last` (inclusive), for some
    people, in one team: the weeks at either end hold only the period's days."""
    result: dict[int, dict[dt.date, Counter[str]]] = {}
    for member, start, kind, n in summed(
        workspace_id,
        first,
        last,
        ("member_id", "start", "kind"),
        months=False,
        members=members,
        team_id=team_id,
    ):
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
        monday = day - dt.timedelta(days=day.weekday())
        result.setdefault(member, {}).setdefault(monday, Counter())[kind] += n
    return result
