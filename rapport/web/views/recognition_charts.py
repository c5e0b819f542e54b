"""The recognition pages' charts and comparisons, computed on the server: SVG geometry (no
inline style under the Content-Security-Policy), each chart with its table in the template."""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapport.recognition.models import Kind
from rapport.recognition.selectors import RESOLUTION, RESPONSE, Period, TeamRow

WIDTH, HEIGHT = 600, 150
MAX_TICKS = 8


@dataclass(frozen=True)
class Group:
    """Kinds of contribution drawn as one colour of the weekly chart."""

    key: str
    label: str
    kinds: tuple[str, ...]


GROUPS = (
    Group("responses", "Answering customers", tuple(RESPONSE)),
    Group("resolutions", "Getting things resolved", tuple(RESOLUTION)),
    Group("colleagues", "Helping colleagues", (Kind.COLLEAGUE_HELP,)),
    Group(
        "thanks",
        "Ideas, kudos and praise",
        (Kind.IDEA_PROMOTED, Kind.IDEA_SHIPPED, Kind.KUDOS, Kind.PRAISE),
    ),
)


@dataclass
class Segment:
    group: Group
    value: int
    y: float = 0.0
    h: float = 0.0


@dataclass
class Column:
    week: dt.date
    x: float
    w: float
    total: int
    stack: list[Segment]


@dataclass
class WeeklyChart:
    width: int
    height: int
    top: int
    columns: list[Column]
    ticks: list[dict[str, object]]
    totals: list[tuple[Group, int]]
    rows: list[tuple[dt.date, list[int], int]] = field(default_factory=list)  # the table

    @property
    def empty(self) -> bool:
        return self.top == 0


def week_starts(period: Period) -> list[dt.date]:
    """The Mondays of the weeks the period touches."""
    monday = period.since - dt.timedelta(days=period.since.weekday())
    weeks = []
    while monday <= period.until:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def weekly(period: Period, weeks: Sequence[tuple[dt.date, Counter[str]]]) -> WeeklyChart:
    """Contributions per week, stacked by group, every week of the period (empty ones too)."""
    counts = dict(weeks)
    starts = week_starts(period)
    per_week = [
        (week, [sum(counts.get(week, Counter())[k] for k in g.kinds) for g in GROUPS])
        for week in starts
    ]
    top = max((sum(parts) for _, parts in per_week), default=0)
    slot = WIDTH / max(1, len(per_week))
    columns = []
    for i, (week, parts) in enumerate(per_week):
        base = float(HEIGHT)
        stack = []
        for group, n in zip(GROUPS, parts, strict=True):
            h = round(HEIGHT * n / top, 2) if top else 0.0
            base = round(base - h, 2)
            stack.append(Segment(group, n, base, h))
        columns.append(
            Column(week, round(i * slot + slot * 0.15, 2), round(slot * 0.7, 2), sum(parts), stack)
        )
    every = max(1, -(-len(columns) // MAX_TICKS))
    ticks: list[dict[str, object]] = [
        {"x": round(c.x + c.w / 2, 2), "label": c.week}
        for i, c in enumerate(columns)
        if i % every == 0
    ]
    totals = [(g, sum(parts[i] for _, parts in per_week)) for i, g in enumerate(GROUPS)]
    rows = [(week, parts, sum(parts)) for week, parts in per_week]
    return WeeklyChart(WIDTH, HEIGHT, top, columns, ticks, totals, rows)


@dataclass(frozen=True)
class Delta:
    """A change against the period before, in words and as an arrow (never a bare number)."""

    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def direction(self) -> str:
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    @property
    def arrow(self) -> str:
        return {"up": "▲", "down": "▼", "same": "="}[self.direction]

    @property
    def words(self) -> str:
        n = abs(self.change)
        if not n:
            return "the same as the period before"
        more = "more" if self.change > 0 else "fewer"
        return f"{n:,} point{'s' * (n != 1)} {more} than the period before ({self.before:,})"


@dataclass
class TeamBars:
    row: TeamRow
    response: Delta
    resolution: Delta
    # Bar lengths and the previous period's marks, in percent of the largest value shown.
    response_pc: float
    resolution_pc: float
    previous_response_pc: float
    previous_resolution_pc: float


def team_bars(rows: Sequence[TeamRow]) -> list[TeamBars]:
    top = max(
        (
            v
            for r in rows
            for v in (
                r.response.points,
                r.resolution.points,
                r.previous_response,
                r.previous_resolution,
            )
        ),
        default=0,
    )

    def pc(v: int) -> float:
        return round(100 * v / top, 1) if top else 0.0

    return [
        TeamBars(
            r,
            Delta(r.response.points, r.previous_response),
            Delta(r.resolution.points, r.previous_resolution),
            pc(r.response.points),
            pc(r.resolution.points),
            pc(r.previous_response),
            pc(r.previous_resolution),
        )
        for r in rows
    ]
