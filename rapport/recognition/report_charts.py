"""The HR report's charts as geometry for inline SVG, which WeasyPrint renders: a person's
contributions per week, stacked by what they were for, and a team's contributions per group.

Each colour's bars are one SVG path, not a rectangle each: WeasyPrint styles and lays out
every element, and 500 pages of charts made of rectangles cost seconds more than of paths.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from rapport.recognition.models import Kind
from rapport.recognition.selectors import RESOLUTION, RESPONSE


@dataclass(frozen=True)
class Group:
    key: str  # the CSS class of its legend's swatch
    label: str
    kinds: tuple[str, ...]
    colour: str  # of its bars (an SVG attribute: WeasyPrint's SVG takes no stylesheet)
    short: str  # beside a bar


#: What a week's bar is stacked by, bottom up.
GROUPS = [
    Group("customers", "Answering customers", tuple(RESPONSE), "#2563eb", "Customers"),
    Group("resolving", "Resolving matters", tuple(RESOLUTION), "#059669", "Resolving"),
    Group(
        "colleagues",
        "Helping colleagues, ideas",
        (Kind.COLLEAGUE_HELP, Kind.IDEA_PROMOTED, Kind.IDEA_SHIPPED),
        "#d97706",
        "Colleagues, ideas",
    ),
    Group(
        "thanked",
        "Thanked (kudos, customers' praise)",
        (Kind.KUDOS, Kind.PRAISE),
        "#db2777",
        "Thanked",
    ),
]
assert sorted(k for g in GROUPS for k in g.kinds) == sorted(Kind.values)


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    #: colour -> an SVG path of all its bars
    bars: dict[str, str] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)
    #: the value axis: (y, text) of each gridline, and the gridlines as one SVG path
    ticks: list[tuple[float, str]] = field(default_factory=list)
    grid: str = ""
    #: the chart in words, for whoever cannot see it
    summary: str = ""

    def bar(self, colour: str, x: float, y: float, width: float, height: float) -> None:
        step = f"M{x:.1f} {y:.1f}h{width:.1f}v{height:.1f}h{-width:.1f}z"
        self.bars[colour] = self.bars.get(colour, "") + step


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
    weeks: list[dt.date], series: dict[dt.date, Counter[str]], width: int = 500, height: int = 200
) -> Chart:
    """Stacked bars: `series` is week -> contributions per group (keyed by `Group.key`)."""
    left, bottom, top = 30.0, 22.0, 6.0
    plot_w, plot_h = width - left - 4, height - bottom - top
    totals = {w: sum(series.get(w, Counter()).values()) for w in weeks}
    peak = _nice_max(max(totals.values(), default=0))
    slot = plot_w / max(len(weeks), 1)
    bar = slot * 0.7
    chart = Chart(width, height)
    # a label under the first, the middle and the last week: each text costs WeasyPrint a layout
    labelled = {0, len(weeks) // 2, len(weeks) - 1}
    for i, week in enumerate(weeks):
        counts = series.get(week, Counter())
        x = left + i * slot + (slot - bar) / 2
        base = top + plot_h
        for group in GROUPS:
            n = counts.get(group.key, 0)
            if n:
                h = plot_h * n / peak
                base -= h
                chart.bar(group.colour, x, base, bar, h)
        if i in labelled:
            chart.labels.append(Label(round(x + bar / 2, 1), height - 6, f"{week:%-d %b}"))
    chart.ticks = [(round(top + plot_h * (1 - f), 1), f"{round(peak * f):,}") for f in (0, 1)]
    chart.grid = "".join(
        f"M{left - 2:.1f} {top + plot_h * (1 - f):.1f}H{width}" for f in (0, 0.5, 1)
    )
    busiest = max(weeks, key=lambda w: totals[w]) if weeks else None
    chart.summary = f"{sum(totals.values()):,} contributions over {len(weeks)} weeks" + (
        f"; the busiest was the week of {busiest:%-d %b} ({totals[busiest]:,})"
        if busiest and totals[busiest]
        else ""
    )
    return chart


def by_group(counts: Counter[str], width: int = 160, row: int = 12) -> Chart:
    """Horizontal bars, one per group of kinds (answering customers, resolving…)."""
    label_w, number_w = 70.0, 28.0
    plot_w = width - label_w - number_w
    totals = [(g, sum(counts.get(k, 0) for k in g.kinds)) for g in GROUPS]
    peak = max((n for _, n in totals), default=0) or 1
    chart = Chart(width, len(totals) * row)
    for i, (group, n) in enumerate(totals):
        y = i * row
        w = plot_w * n / peak
        if n:
            chart.bar(group.colour, label_w, y + 2, max(w, 0.5), row - 4)
        chart.labels.append(Label(0, y + row - 3, group.short))
        chart.labels.append(Label(round(label_w + w + 3, 1), y + row - 3, f"{n:,}"))
    chart.summary = ", ".join(f"{g.label}: {n:,}" for g, n in totals)
    return chart
