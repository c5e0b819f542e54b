"""Reading the ledger: counts per kind, points with the workspace's weights, and the sentence
that explains a score ("12 first responses, 3 expert answers…"), never a bare number."""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncWeek

from rapport.recognition import tally
from rapport.recognition.models import DEFAULT_WEIGHTS, Contribution, Kind, Weight

#: How a count reads: (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    Kind.CAPTURED: ("post captured", "posts captured"),
    Kind.FIRST_RESPONSE: ("first response", "first responses"),
    Kind.PUBLIC_REPLY: ("public reply", "public replies"),
    Kind.EXPERT_ANSWER: ("expert answer", "expert answers"),
    Kind.COLLEAGUE_HELP: ("colleague's note answered", "colleagues' notes answered"),
    Kind.CASE_NOTE: ("case helped with a note", "cases helped with a note"),
    Kind.TASK_DONE: ("task done", "tasks done"),
    Kind.APPROVAL_IN_TIME: ("approval decided in time", "approvals decided in time"),
    Kind.CASE_RESOLVED: ("case resolved", "cases resolved"),
    Kind.IDEA_PROMOTED: ("idea promoted", "ideas promoted"),
    Kind.IDEA_SHIPPED: ("idea shipped", "ideas shipped"),
    Kind.KUDOS: ("kudos", "kudos"),
    Kind.PRAISE: ("customer's praise", "customers' praise"),
}


def weights(workspace_id: int) -> dict[str, int]:
    """The workspace's points per kind (the defaults where it changed nothing)."""
    table = {str(k): v for k, v in DEFAULT_WEIGHTS.items()}
    table.update(Weight.objects.filter(workspace_id=workspace_id).values_list("kind", "points"))
    return table


def points(counts: Mapping[str, int], table: Mapping[str, int]) -> int:
    return sum(n * table.get(kind, 0) for kind, n in counts.items())


def explain(counts: Mapping[str, int], table: Mapping[str, int] | None = None) -> str:
    """ "12 first responses, 3 expert answers and 1 kudos", biggest share first (points when a
    table is given, else counts); "nothing recorded" when empty."""
    shown = [(k, n) for k, n in counts.items() if n]
    if not shown:
        return "nothing recorded"
    weight = table or {}
    shown.sort(key=lambda kn: (-(kn[1] * weight.get(kn[0], 1)), -kn[1], kn[0]))
    parts = [f"{n:,} {NOUNS[k][0] if n == 1 else NOUNS[k][1]}" for k, n in shown]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def counts_by_member(
    workspace_id: int,
    since: datetime,
    until: datetime,
    *,
    members: Iterable[int] | None = None,
    crossed: bool | None = None,
) -> dict[int, Counter[str]]:
    """member id -> {kind: count} for contributions at since <= at < until (counted from the
    tallies when both are midnights, as a period's bounds are)."""
    days = tally.whole_days(since, until)
    if days is not None:
        result: dict[int, Counter[str]] = {}
        for member, kind, n in tally.totals(
            workspace_id, *days, ("member_id", "kind"), members=members, crossed=crossed
        ):
            result.setdefault(member, Counter())[kind] = n
        return result
    rows = Contribution.objects.filter(workspace_id=workspace_id, at__gte=since, at__lt=until)
    if members is not None:
        rows = rows.filter(member_id__in=list(members))
    if crossed is not None:
        rows = rows.filter(crossed=crossed)
    result = {}
    for member, kind, n in rows.order_by().values_list("member_id", "kind").annotate(n=Count("id")):
        result.setdefault(member, Counter())[kind] = n
    return result


def weeks_by_member(
    workspace_id: int,
    since: datetime,
    until: datetime,
    *,
    members: Iterable[int] | None = None,
) -> dict[int, dict[date, Counter[str]]]:
    """member id -> {Monday: {kind: count}} for contributions at since <= at < until, for a
    chart by week (the weeks at either end count only the period's days)."""
    days = tally.whole_days(since, until)
    if days is not None:
        return tally.weeks(workspace_id, *days, members=members)
    rows = Contribution.objects.filter(workspace_id=workspace_id, at__gte=since, at__lt=until)
    if members is not None:
        rows = rows.filter(member_id__in=list(members))
    result: dict[int, dict[date, Counter[str]]] = {}
    for member, week, kind, n in (
        rows.order_by()
        .annotate(week=TruncWeek("at"))
        .values_list("member_id", "week", "kind")
        .annotate(n=Count("id"))
    ):
        monday = week.date() if isinstance(week, datetime) else week
        result.setdefault(member, {}).setdefault(monday, Counter())[kind] = n
    return result
