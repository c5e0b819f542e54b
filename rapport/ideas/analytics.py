"""Who asks for what: counted votes by tier, by segment and by lifetime value, the ideas our most
valuable customers ask for, and votes per week for the ideas trending now.

A vote keeps the voter's tier and lifetime value when they voted (`Vote.tier`, `Vote.value`), so
these figures say who asked at the time; the segment is the contact's current one. Only counted
votes are read (one per person per idea), so a merge of people or of ideas never counts twice.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from rapport.contacts.models import Tier
from rapport.core.models import Membership
from rapport.ideas.models import Area, Idea, Vote

#: Lifetime-value bands, highest first: (the least value in the band, its name).
VALUE_BANDS: list[tuple[Decimal, str]] = [
    (Decimal(100_000), "100,000 and more"),
    (Decimal(10_000), "10,000 to 100,000"),
    (Decimal(1_000), "1,000 to 10,000"),
    (Decimal(0), "Under 1,000"),
]
TIERS = [Tier.PLATINUM, Tier.GOLD, Tier.SILVER, Tier.STANDARD]
SEGMENTS = 8
VALUABLE = 10
TRENDING = 5
WEEKS = 12


@dataclass
class Row:
    """One bar: a group of votes (or an idea), how many and the value of their voters."""

    label: str
    votes: int
    value: Decimal
    idea: Idea | None = None
    percent: float = 0.0  # of the largest row's measure, for the bar's length


def counted_votes(member: Membership, area: Area | None = None) -> QuerySet[Vote]:
    votes = Vote.objects.filter(
        workspace=member.workspace, counted=True, idea__merged_into__isnull=True
    )
    return votes.filter(idea__area=area) if area is not None else votes


def _scaled(rows: list[Row], by: str = "votes") -> list[Row]:
    top = max((float(getattr(r, by)) for r in rows), default=0.0)
    for r in rows:
        r.percent = round(100 * float(getattr(r, by)) / top, 1) if top else 0.0
    return rows


def by_tier(votes: QuerySet[Vote]) -> list[Row]:
    """Votes per tier at the time of the vote, highest tier first; "No tier" last."""
    found = {
        r["tier"]: r
        for r in votes.order_by().values("tier").annotate(n=Count("id"), value=Sum("value"))
    }
    rows = [
        Row(tier.label, found[tier.value]["n"], found[tier.value]["value"] or Decimal(0))
        for tier in TIERS
        if tier.value in found
    ]
    untiered = [r for key, r in found.items() if key not in Tier.values]
    if untiered:
        rows.append(
            Row(
                "No tier",
                sum(r["n"] for r in untiered),
                sum((r["value"] or Decimal(0) for r in untiered), Decimal(0)),
            )
        )
    return _scaled(rows)


def by_segment(votes: QuerySet[Vote], limit: int = SEGMENTS) -> tuple[list[Row], int]:
    """The segments with most votes (the voters' segment now), and how many others there are."""
    found = list(
        votes.order_by()
        .values("contact__segment")
        .annotate(n=Count("id"), value=Sum("value"))
        .order_by("-n", "contact__segment")
    )
    rows = [
        Row(r["contact__segment"] or "No segment", r["n"], r["value"] or Decimal(0))
        for r in found[:limit]
    ]
    return _scaled(rows), max(0, len(found) - limit)


def by_value_band(votes: QuerySet[Vote]) -> list[Row]:
    """Votes per lifetime-value band of the voter when they voted, highest band first."""
    rows = []
    upper: Decimal | None = None
    for least, name in VALUE_BANDS:
        band = votes.filter(value__gte=least) if least else votes
        if upper is not None:
            band = band.filter(value__lt=upper)
        total = band.order_by().aggregate(n=Count("id"), value=Sum("value"))
        rows.append(Row(name, total["n"], total["value"] or Decimal(0)))
        upper = least
    return _scaled(rows)


def most_valuable(votes: QuerySet[Vote], limit: int = VALUABLE) -> list[Row]:
    """ "What our most valuable customers ask for": ideas ranked by the summed lifetime value of
    their voters, then by votes."""
    found = list(
        votes.filter(value__gt=0)
        .order_by()
        .values("idea_id")
        .annotate(n=Count("id"), value=Sum("value"))
        .order_by("-value", "-n", "idea_id")[:limit]
    )
    ideas = Idea.objects.select_related("area").in_bulk([r["idea_id"] for r in found])
    rows = [
        Row(ideas[r["idea_id"]].title, r["n"], r["value"], idea=ideas[r["idea_id"]])
        for r in found
        if r["idea_id"] in ideas
    ]
    return _scaled(rows, by="value")


@dataclass
class Trend:
    idea: Idea
    weeks: list[tuple[date, int]]  # (Monday, votes that week), oldest first

    @property
    def total(self) -> int:
        return sum(n for _, n in self.weeks)


def _monday(moment: datetime) -> date:
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def week_starts(weeks: int = WEEKS) -> list[date]:
    this = _monday(timezone.now())
    return [this - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _per_week(votes: QuerySet[Vote], since: date, *by: str) -> list[dict[str, Any]]:
    """Counted votes per week from `since` (a Monday), grouped by `by` too."""
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    return list(
        votes.filter(created_at__gte=start)
        .order_by()
        .annotate(week=TruncWeek("created_at"))
        .values(*by, "week")
        .annotate(n=Count("id"))
    )


def _week_key(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def weekly_votes(votes: QuerySet[Vote], weeks: int = WEEKS) -> list[tuple[date, int]]:
    """Counted votes per week over the last `weeks` weeks (this one included), oldest first."""
    starts = week_starts(weeks)
    found = {_week_key(r["week"]): r["n"] for r in _per_week(votes, starts[0])}
    return [(week, found.get(week, 0)) for week in starts]


def trending(
    member: Membership, area: Area | None = None, limit: int = TRENDING, weeks: int = WEEKS
) -> list[Trend]:
    """The ideas trending now (recent votes weigh more) and their votes per week."""
    ideas = Idea.objects.filter(
        workspace=member.workspace, merged_into__isnull=True, vote_count__gt=0
    )
    if area is not None:
        ideas = ideas.filter(area=area)
    top = list(ideas.order_by("-trend", "-id")[:limit])
    starts = week_starts(weeks)
    counts = {
        (r["idea_id"], _week_key(r["week"])): r["n"]
        for r in _per_week(counted_votes(member).filter(idea__in=top), starts[0], "idea_id")
    }
    return [Trend(idea, [(w, counts.get((idea.pk, w), 0)) for w in starts]) for idea in top]
