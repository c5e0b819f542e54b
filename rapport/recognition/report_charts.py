"""The HR report's charts as geometry for inline SVG (the template draws the rectangles;
WeasyPrint renders inline SVG): a person's contributions per week, stacked by what they were
for, and a team's contributions per kind."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from rapport.recognition.models import Kind
from rapport.recognition.selectors import RESOLUTION, RESPONSE


@dataclass(frozen=True)
class Group:
    key: str  # the CSS class of its bars
    label: str
    kinds: tuple[str, ...]


#: What a week's bar is stacked by, bottom up.
GROUPS = [
    Group("customers", "Answering customers", tuple(RESPONSE)),
    Group("resolving", "Resolving matters", tuple(RESOLUTION)),
    Group(
        "colleagues",
        "Helping colleagues, ideas",
        (Kind.COLLEAGUE_HELP, Kind.IDEA_PROMOTED, Kind.IDEA_SHIPPED),
    ),
    Group("thanked", "Thanked (kudos, customers' praise)", (Kind.KUDOS, Kind.PRAISE)),
]
assert sorted(k for g in GROUPS for k in g.kinds) == sorted(Kind.values)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    key: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    rects: list[Rect]
    labels: list[Label]
    #: the value axis: (y, text) of each gridline
    ticks: list[tuple[float, str]]
    #: the chart in words, for whoever cannot see it (and for text extraction)
    summary: str


def _nice_max(value: int) -> int:
    """The axis' top: the value rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 5:
        return max(value, 1)
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step * 5:
                return m * step * 5
        step *= 10


def weekly(
    weeks: list[dt.date], series: dict[dt.date, Counter[str]], width: int = 500, height: int = 170
) -> Chart:
    left, bottom, top = 30.0, 22.0, 6.0
    plot_w, plot_h = width - left - 4, height - bottom - top
    totals = {w: sum(series.get(w, Counter()).values()) for w in weeks}
    peak = _nice_max(max(totals.values(), default=0))
    slot = plot_w / max(len(weeks), 1)
    bar = slot * 0.7
    rects: list[Rect] = []
    labels: list[Label] = []
    every = max(1, round(len(weeks) / 8))
    for i, week in enumerate(weeks):
        counts = series.get(week, Counter())
        x = left + i * slot + (slot - bar) / 2
        base = top + plot_h
        for group in GROUPS:
            n = sum(counts.get(k, 0) for k in group.kinds)
            if not n:
                continue
            h = plot_h * n / peak
            base -= h
            rects.append(
                Rect(
                    round(x, 2),
                    round(base, 2),
                    round(bar, 2),
                    round(h, 2),
                    group.key,
                    f"week of {week:%-d %b}: {n} {group.label.lower()}",
                )
            )
        if i % every == 0:
            labels.append(Label(round(x + bar / 2, 2), height - 6, f"{week:%-d %b}"))
    ticks = [(round(top + plot_h * (1 - f), 2), f"{round(peak * f):,}") for f in (0, 0.5, 1)]
    busiest = max(weeks, key=lambda w: totals[w]) if weeks else None
    summary = f"{sum(totals.values()):,} contributions over {len(weeks)} weeks" + (
        f"; the busiest was the week of {busiest:%-d %b} ({totals[busiest]:,})"
        if busiest and totals[busiest]
        else ""
    )
    return Chart(width, height, rects, labels, ticks, summary)


def by_kind(counts: Counter[str], width: int = 250, row: int = 13) -> Chart:
    """Horizontal bars, one per kind with any contribution, biggest first."""
    shown = sorted(((k, n) for k, n in counts.items() if n), key=lambda kn: (-kn[1], kn[0]))
    label_w, number_w = 120.0, 34.0
    plot_w = width - label_w - number_w
    peak = max((n for _, n in shown), default=1)
    rects, labels = [], []
    for i, (kind, n) in enumerate(shown):
        y = i * row
        group = next(g.key for g in GROUPS if kind in g.kinds)
        w = max(plot_w * n / peak, 0.5)
        rects.append(Rect(label_w, y + 2, round(w, 2), row - 4, group, f"{n} {Kind(kind).label}"))
        labels.append(Label(0, y + row - 3, Kind(kind).label))
        labels.append(Label(round(label_w + w + 3, 2), y + row - 3, f"{n:,}"))
    summary = ", ".join(f"{Kind(k).label}: {n:,}" for k, n in shown) or "nothing recorded"
    return Chart(width, max(len(shown), 1) * row, rects, labels, [], summary)
