"""What the staff's idea pages read: the list (search, filters, sort), the board by status and
one idea's page (its votes, status history, comments, links, merged duplicates and the
announcements of its changes). Every read is scoped to the caller's workspace.

Merged duplicates leave the list and the board: their votes and comments live on the idea they
were merged into, and their own page says so.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from rapport.cases.models import Task
from rapport.core.ids import parse_id
from rapport.core.models import Membership
from rapport.ideas.models import (
    Announcement,
    Area,
    Comment,
    Idea,
    Origin,
    Status,
    StatusChange,
    Vote,
)

#: How each sort orders the list; trending weighs recent votes more (`votes.trend`).
SORTS: dict[str, tuple[str, ...]] = {
    "trending": ("-trend", "-vote_count", "-id"),
    "top": ("-vote_count", "-id"),
    "new": ("-created_at", "-id"),
}
SORT_LABELS = {"trending": "Trending", "top": "Most votes", "new": "Newest"}
Q_MAX = 200
BOARD_COLUMN = 25


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    area: str = ""
    origin: str = ""
    sort: str = "trending"

    @property
    def any(self) -> bool:
        return bool(self.q or self.status or self.area or self.origin)


def read_filters(raw: Mapping[str, Any]) -> tuple[Filters, list[str]]:
    """The filters a query string asks for, and a message for each value that is not one (its
    filter is then left out, so the page still answers)."""
    problems: list[str] = []
    found = Filters(q=" ".join(str(raw.get("q", "")).split())[:Q_MAX])
    status = str(raw.get("status", "")).strip()
    if status and status not in Status.values:
        problems.append(f"Unknown status “{status}”; choose one of the list.")
    else:
        found.status = status
    area = str(raw.get("area", "")).strip()
    if area and area != "none" and parse_id(area) is None:
        problems.append("The area must be one of the list.")
    else:
        found.area = area
    origin = str(raw.get("origin", "")).strip()
    if origin and origin not in Origin.values:
        problems.append(f"Unknown origin “{origin}”; choose one of the list.")
    else:
        found.origin = origin
    sort = str(raw.get("sort", "")).strip() or "trending"
    if sort not in SORTS:
        problems.append(f"Unknown sort “{sort}”; sort by trending, top or new.")
    else:
        found.sort = sort
    return found, problems


def _search(qs: QuerySet[Idea], q: str) -> QuerySet[Idea]:
    number = parse_id(q.lstrip("#")) if q.startswith("#") else None
    if number is not None:
        return qs.filter(pk=number)
    for word in q.split()[:10]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return qs


def filter_ideas(member: Membership, filters: Filters) -> QuerySet[Idea]:
    """The workspace's ideas (merged duplicates left out) matching the filters, sorted."""
    qs = Idea.objects.filter(workspace=member.workspace, merged_into__isnull=True)
    if filters.q:
        qs = _search(qs, filters.q)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.area == "none":
        qs = qs.filter(area__isnull=True)
    elif filters.area:
        qs = qs.filter(area_id=parse_id(filters.area) or 0)
    if filters.origin:
        qs = qs.filter(origin=filters.origin)
    return qs.select_related("area", "author_member__user").order_by(
        *SORTS.get(filters.sort, SORTS["trending"])
    )


def comment_counts(ideas: list[Idea]) -> dict[int, int]:
    """How many comments each idea of a page has, in one query."""
    rows = (
        Comment.objects.filter(idea__in=ideas)
        .order_by()
        .values_list("idea_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def areas(member: Membership) -> QuerySet[Area]:
    return Area.objects.filter(workspace=member.workspace).order_by("name")


def areas_with_counts(member: Membership, q: str = "") -> QuerySet[Area]:
    """The areas whose name has `q`, each with `idea_count` (merged duplicates left out)."""
    qs = areas(member).filter(name__icontains=q) if q else areas(member)
    return qs.annotate(idea_count=Count("ideas", filter=Q(ideas__merged_into__isnull=True)))


# The board ----------------------------------------------------------------------------------


@dataclass
class Column:
    status: str
    label: str
    count: int
    ideas: list[Idea]

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.ideas))


def board(member: Membership, filters: Filters, per_column: int = BOARD_COLUMN) -> list[Column]:
    """One column per status (in the order ideas move), each with its count and most voted."""
    base = filter_ideas(member, Filters(q=filters.q, area=filters.area, origin=filters.origin))
    counts = dict(base.order_by().values_list("status").annotate(n=Count("id")))
    return [
        Column(
            status=value,
            label=label,
            count=counts.get(value, 0),
            ideas=list(base.filter(status=value).order_by("-vote_count", "-id")[:per_column])
            if counts.get(value)
            else [],
        )
        for value, label in Status.choices
    ]


# One idea's page ----------------------------------------------------------------------------


def votes_of(idea: Idea) -> QuerySet[Vote]:
    """Every vote on the idea, newest first; those that no longer count are kept and marked."""
    return Vote.objects.filter(idea=idea).select_related("contact", "post", "by__user")


def history(idea: Idea) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(idea=idea).select_related("by__user").order_by("-at", "-id")


def comments(idea: Idea) -> QuerySet[Comment]:
    return Comment.objects.filter(idea=idea).select_related("author_contact", "author_member__user")


def merged_duplicates(idea: Idea) -> QuerySet[Idea]:
    return Idea.objects.filter(merged_into=idea).order_by("-id")


def linked_tasks(idea: Idea) -> QuerySet[Task]:
    return idea.linked_tasks.select_related("case", "assignee__user").order_by("id")


@dataclass
class AnnouncedChange:
    """One status change that was announced, with how many were told, skipped or are waiting."""

    change: StatusChange
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def announced_changes(idea: Idea) -> list[AnnouncedChange]:
    """The idea's status changes that have announcements, newest first, with their tallies."""
    rows = (
        Announcement.objects.filter(idea=idea)
        .order_by()
        .values_list("change_id", "state")
        .annotate(n=Count("id"))
    )
    tallies: dict[int, dict[str, int]] = {}
    for change_id, state, n in rows:
        tallies.setdefault(change_id, {})[state] = n
    changes = StatusChange.objects.filter(pk__in=tallies).select_related("by__user")
    return [
        AnnouncedChange(change, tallies[change.pk])
        for change in sorted(changes, key=lambda c: (c.at, c.pk), reverse=True)
    ]


def announcements_of(idea: Idea, change_id: int) -> QuerySet[Announcement]:
    return (
        Announcement.objects.filter(idea=idea, change_id=change_id)
        .select_related("contact", "post", "reply")
        .order_by("state", "id")
    )


def announcements(idea: Idea, *, every_change: bool = False) -> QuerySet[Announcement]:
    """The announcements of the latest change that has any (or of every change, the latest
    first), one per person told or skipped."""
    qs = Announcement.objects.filter(idea=idea).select_related("contact", "change")
    if not every_change:
        latest = qs.order_by("-change__at", "-change_id").values_list("change_id")[:1]
        qs = qs.filter(change_id__in=latest)
    return qs.order_by("-change__at", "-change_id", "state", "id")
