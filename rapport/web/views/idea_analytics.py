"""Ideas analytics: counted votes by tier, segment and lifetime value, the ideas our most valuable
customers ask for, and votes per week (all ideas, and the ideas trending now). Charts are SVG
drawn from numbers computed here (no inline style under the Content-Security-Policy), each with
its table."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from rapport.core.access import access_workspace
from rapport.core.ids import parse_id
from rapport.ideas import analytics, browse
from rapport.ideas.access import access_area
from rapport.ideas.models import Area
from rapport.web.views.common import member_view, render_page
from rapport.web.views.ideas import tabs

WIDTH, HEIGHT = 600, 140
SPARK_W, SPARK_H = 120, 28


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    value: int
    week: date


def columns(weeks: list[tuple[date, int]], width: float, height: float, top: int) -> list[Bar]:
    """Vertical bars, one per week, scaled so `top` reaches the full height."""
    slot = width / max(1, len(weeks))
    bars = []
    for i, (week, n) in enumerate(weeks):
        h = round(height * n / top, 2) if top else 0.0
        x, w = round(i * slot + slot * 0.15, 2), round(slot * 0.7, 2)
        bars.append(Bar(x, round(height - h, 2), w, h, n, week))
    return bars


def _area(request: HttpRequest, membership: Any) -> tuple[Area | None, str]:
    raw = request.GET.get("area", "").strip()
    if not raw:
        return None, ""
    try:
        return access_area(membership, parse_id(raw)), ""
    except Http404:
        return None, "That product area is not in this workspace; showing every area."


@member_view
def ideas_analytics(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    area, problem = _area(request, membership)
    votes = analytics.counted_votes(membership, area)
    weekly = analytics.weekly_votes(votes)
    week_top = max((n for _, n in weekly), default=0)
    week_bars = columns(weekly, WIDTH, HEIGHT, week_top)
    trends = analytics.trending(membership, area)
    trend_top = max((n for t in trends for _, n in t.weeks), default=0)
    segments, other_segments = analytics.by_segment(votes)
    tiers = analytics.by_tier(votes)
    context = {
        "area": area,
        "problem": problem,
        "areas": browse.areas(membership),
        "total": votes.count(),
        "tiers": tiers,
        "top_tier": max(tiers, key=lambda row: row.votes, default=None),
        "segments": segments,
        "other_segments": other_segments,
        "bands": analytics.by_value_band(votes),
        "valuable": analytics.most_valuable(votes),
        "weekly": weekly,
        "week_bars": week_bars,
        "week_top": week_top,
        "week_ticks": [
            {"x": round(bar.x + bar.w / 2, 2), "label": bar.week}
            for i, bar in enumerate(week_bars)
            if i % 2 == 0
        ],
        "trends": [
            {"trend": t, "bars": columns(t.weeks, SPARK_W, SPARK_H, trend_top)} for t in trends
        ],
        "chart": {"width": WIDTH, "height": HEIGHT, "spark_w": SPARK_W, "spark_h": SPARK_H},
        "weeks": analytics.WEEKS,
        "tabs": tabs(membership, "ideas_analytics"),
    }
    return render_page(request, membership, "web/ideas/analytics.html", context, section="ideas")
