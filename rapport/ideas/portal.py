"""What a workspace's public idea portal shows, to anyone, signed in or not.

Only public things are read here: ideas that were not merged into another, their status history
with its public notes, public comments. Internal comments, who voted, the voters' tiers and
values, linked cases and tasks never leave this module. Every idea is looked up within the
portal's workspace: another workspace's idea is a 404 like a missing one.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from rapport.contacts.models import Contact
from rapport.core.models import Workspace
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

#: The sorts a visitor picks from: trending (recent votes weigh more), top, new.
SORTS = {
    "trending": ("-trend", "-vote_count", "-id"),
    "top": ("-vote_count", "-id"),
    "new": ("-created_at", "-id"),
}
DEFAULT_SORT = "trending"
SEARCH_MAX = 200
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = Portal._meta.get_field("colour").default
DEFAULT_ACCENT = Portal._meta.get_field("accent").default


def access_portal(slug: str) -> Portal:
    """The open portal of the workspace `slug`; a 404 when it has none or it is switched off."""
    portal = (
        Portal.objects.select_related("workspace")
        .filter(workspace__slug=slug, enabled=True)
        .first()
    )
    if portal is None:
        raise Http404("No such idea portal")
    return portal


def access_public_idea(workspace: Workspace, idea_id: int) -> Idea:
    """One idea of the portal's workspace (merged ones too: the page sends them on)."""
    try:
        return Idea.objects.select_related("area").get(pk=idea_id, workspace=workspace)
    except (Idea.DoesNotExist, ValueError, TypeError):
        raise Http404("No such idea") from None


def colour(value: str, default: str) -> str:
    """A #rrggbb colour as stored, or the default when it is anything else (it goes into CSS)."""
    return value.lower() if _COLOUR.match(value or "") else default


def title_of(portal: Portal) -> str:
    return portal.title.strip() or f"{portal.workspace.name} ideas"


@dataclass(frozen=True)
class Filters:
    q: str = ""
    sort: str = DEFAULT_SORT
    status: str = ""
    area: Area | None = None

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else ""

    @property
    def any(self) -> bool:
        return bool(self.q or self.status or self.area)


def filters(workspace: Workspace, params: Any) -> Filters:
    """The list's search, sort and filters from the query string; unknown values are ignored."""
    sort = params.get("sort", "")
    status = params.get("status", "")
    area_id = params.get("area", "")
    area = None
    if area_id:
        area = (
            Area.objects.filter(workspace=workspace, pk=area_id).first()
            if area_id.isdigit()
            else None
        )
    return Filters(
        q=" ".join(str(params.get("q", "")).split())[:SEARCH_MAX],
        sort=sort if sort in SORTS else DEFAULT_SORT,
        status=status if status in Status.values else "",
        area=area,
    )


def public_ideas(workspace: Workspace, chosen: Filters) -> QuerySet[Idea]:
    """The ideas a visitor sees: merged ones left out, filtered, searched and sorted."""
    ideas = Idea.objects.filter(workspace=workspace, merged_into__isnull=True).select_related(
        "area"
    )
    if chosen.status:
        ideas = ideas.filter(status=chosen.status)
    if chosen.area is not None:
        ideas = ideas.filter(area=chosen.area)
    for word in chosen.q.split()[:8]:
        ideas = ideas.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return ideas.order_by(*SORTS[chosen.sort])


def areas(workspace: Workspace) -> QuerySet[Area]:
    return Area.objects.filter(workspace=workspace).order_by("name")


def comment_counts(ideas: list[Idea]) -> dict[int, int]:
    """Public comments per idea, for one page of the list (not the whole list: it is big)."""
    rows = (
        Comment.objects.filter(idea__in=ideas, public=True)
        .values("idea")
        .annotate(n=Count("id"))
        .values_list("idea", "n")
    )
    return dict(rows)


def voted_by(contact: Contact | None, ideas: list[Idea]) -> set[int]:
    """Which of `ideas` the signed-in visitor voted for."""
    if contact is None or not ideas:
        return set()
    return set(
        Vote.objects.filter(idea__in=ideas, contact=contact, counted=True).values_list(
            "idea_id", flat=True
        )
    )


def follows(contact: Contact | None, idea: Idea) -> bool:
    return contact is not None and Follower.objects.filter(idea=idea, contact=contact).exists()


def public_comments(idea: Idea) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(idea=idea, public=True)
        .select_related("author_contact", "author_member__user")
        .order_by("created_at", "id")
    )


def history(idea: Idea) -> QuerySet[StatusChange]:
    """The idea's status changes, oldest first, with their public notes."""
    return StatusChange.objects.filter(idea=idea).order_by("at", "id")


def takes_votes(idea: Idea) -> bool:
    return idea.status in VOTABLE and idea.merged_into_id is None


def public_name(name: str) -> str:
    """How a customer is named to the public: first name and initial ("Dana S.")."""
    words = (name or "").split()
    if not words:
        return "A customer"
    if len(words) == 1:
        return words[0][:40]
    return f"{words[0][:40]} {words[-1][0].upper()}."
