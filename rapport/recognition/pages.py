"""What the recognition pages read besides `selectors`: the contributions of a period one by
one with what each points at, kudos on an object and to a person, the colleagues one may thank,
the policy (what is counted, with its weights), and a person's own export."""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from rapport.approvals.models import Approval
from rapport.cases.models import Case
from rapport.core.models import Membership, Team, Workspace
from rapport.core.permissions import Verb, require
from rapport.ideas.links import idea_path
from rapport.ideas.models import Idea
from rapport.inbox.models import Conversation, ConversationPost
from rapport.listening.models import Post
from rapport.recognition.models import Contribution, Exclusion, Kind, Kudos
from rapport.recognition.scores import NOUNS, weights
from rapport.recognition.selectors import Period, can_see

EXPORT_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """What a contribution or kudos points at, in words, and its page ('' when gone)."""

    what: str
    url: str = ""


GONE = Target("something since deleted")


def contributions(viewer: Membership, member: Membership, when: Period) -> QuerySet[Contribution]:
    """The person's contributions in the period, newest first."""
    if not can_see(viewer, member):
        raise PermissionDenied("Only the person and their managers see their contributions.")
    return Contribution.objects.filter(
        workspace_id=member.workspace_id, member=member, at__gte=when.start, at__lt=when.end
    ).select_related("team", "object_team", "colleague__user")


def targets(workspace_id: int, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Target]:
    """(object type, id) -> what it is and its page, read a type at a time."""
    ids: dict[str, set[int]] = {}
    for kind, pk in wanted:
        ids.setdefault(kind, set()).add(pk)
    slug = _slug(workspace_id)
    found: dict[tuple[str, int], Target] = {}
    for pk, subject in Conversation.objects.filter(
        workspace_id=workspace_id, pk__in=ids.get("conversation", ())
    ).values_list("pk", "subject"):
        found["conversation", pk] = Target(
            f"conversation “{subject}”", reverse("web:conversation", args=[slug, pk])
        )
    for pk, subject in Case.objects.filter(
        workspace_id=workspace_id, pk__in=ids.get("case", ())
    ).values_list("pk", "subject"):
        found["case", pk] = Target(f"case #{pk} “{subject}”", reverse("web:case", args=[slug, pk]))
    for idea in Idea.objects.filter(
        workspace_id=workspace_id, pk__in=ids.get("idea", ())
    ).select_related("workspace"):
        found["idea", idea.pk] = Target(f"idea “{idea.title}”", idea_path(idea))
    case_type = ContentType.objects.get_for_model(Case)
    for pk, summary, content_type, object_id in Approval.objects.filter(
        workspace_id=workspace_id, pk__in=ids.get("approval", ())
    ).values_list("pk", "summary", "content_type", "object_id"):
        url = (
            reverse("web:case", args=[slug, object_id])
            if content_type == case_type.pk
            else reverse("web:approvals", args=[slug])
        )
        found["approval", pk] = Target(f"approval “{summary}”", url)
    posts = ids.get("post", set())
    places = dict(
        ConversationPost.objects.filter(post_id__in=posts).values_list("post_id", "conversation_id")
    )
    for pk, handle in Post.objects.filter(workspace_id=workspace_id, pk__in=posts).values_list(
        "pk", "author_handle"
    ):
        url = (
            reverse("web:conversation", args=[slug, places[pk]]) + f"#post-{pk}"
            if pk in places
            else ""
        )
        found["post", pk] = Target(f"a post by @{handle}" if handle else "a customer's post", url)
    kudos = list(
        Kudos.objects.filter(workspace_id=workspace_id, pk__in=ids.get("kudos", ())).select_related(
            "giver__user"
        )
    )
    about = targets(workspace_id, [(k.about, k.object_id) for k in kudos]) if kudos else {}
    for k in kudos:
        on = about.get((k.about, k.object_id), GONE)
        found["kudos", k.pk] = Target(
            f"kudos from {k.giver.user.display_name} for the {on.what}", on.url
        )
    return found


def _slug(workspace_id: int) -> str:
    return Workspace.objects.values_list("slug", flat=True).get(pk=workspace_id)


@dataclass(frozen=True)
class Line:
    """One contribution as a page lists it."""

    row: Contribution
    label: str
    target: Target


def lines(rows: Sequence[Contribution]) -> list[Line]:
    if not rows:
        return []
    found = targets(rows[0].workspace_id, [(r.object_type, r.object_id) for r in rows])
    return [
        Line(r, Kind(r.kind).label, found.get((r.object_type, r.object_id), GONE)) for r in rows
    ]


@dataclass(frozen=True)
class KudosLine:
    kudos: Kudos
    target: Target


def kudos_lines(items: Sequence[Kudos]) -> list[KudosLine]:
    if not items:
        return []
    found = targets(items[0].workspace_id, [(k.about, k.object_id) for k in items])
    return [KudosLine(k, found.get((k.about, k.object_id), GONE)) for k in items]


def kudos_received(viewer: Membership, member: Membership, when: Period) -> QuerySet[Kudos]:
    if not can_see(viewer, member):
        raise PermissionDenied("Only the person and their managers see their contributions.")
    return Kudos.objects.filter(
        workspace_id=member.workspace_id,
        receiver=member,
        created_at__gte=when.start,
        created_at__lt=when.end,
    ).select_related("giver__user")


def recent_kudos(member: Membership, limit: int = 5) -> list[Kudos]:
    """The latest thanks a person received, for their People page (kudos are public thanks:
    anyone in the workspace sees them, as on the objects they are about)."""
    return list(
        Kudos.objects.filter(workspace_id=member.workspace_id, receiver=member).select_related(
            "giver__user"
        )[:limit]
    )


def kudos_about(viewer: Membership, about: str, object_id: int) -> QuerySet[Kudos]:
    """The kudos given for one conversation, case or idea (the caller already sees it)."""
    return Kudos.objects.filter(
        workspace_id=viewer.workspace_id, about=about, object_id=object_id
    ).select_related("giver__user", "receiver__user")


def colleagues(viewer: Membership) -> QuerySet[Membership]:
    """Whom the viewer may thank: everyone in the workspace but themself."""
    return (
        Membership.objects.filter(workspace_id=viewer.workspace_id)
        .exclude(pk=viewer.pk)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


@dataclass(frozen=True)
class Counted:
    kind: str
    label: str
    noun: str
    points: int


def policy(workspace_id: int) -> list[Counted]:
    """Every kind of contribution that is counted, with its points now."""
    table = weights(workspace_id)
    return [Counted(k.value, k.label, NOUNS[k][1], table[k.value]) for k in Kind]


def excluded_count(workspace_id: int) -> int:
    return Exclusion.objects.filter(workspace_id=workspace_id).count()


def exclusions(viewer: Membership) -> QuerySet[Exclusion]:
    require(viewer, Verb.RECOGNITION_SETTINGS)
    return (
        Exclusion.objects.filter(workspace_id=viewer.workspace_id)
        .select_related("member__user")
        .order_by("member__user__full_name", "member__user__email")
    )


# The export ---------------------------------------------------------------------------------

EXPORT_HEADER: list[object] = [
    "record",
    "when",
    "what",
    "points now",
    "about",
    "link",
    "your team then",
    "its team then",
    "outside your team",
    "colleague",
    "message",
]


def export(viewer: Membership, member: Membership) -> Iterator[list[object]]:
    """Everything recorded about the person: every contribution, every kudos received and
    given, oldest first, as rows under EXPORT_HEADER. Only the person exports it."""
    if viewer.pk != member.pk or viewer.workspace_id != member.workspace_id:
        raise PermissionDenied(f"Only {member.user.display_name} downloads their own record.")
    return _export_rows(member)


def _export_rows(member: Membership) -> Iterator[list[object]]:
    ws = member.workspace_id
    table = weights(ws)
    teams = dict(Team.objects.filter(workspace_id=ws).values_list("pk", "name"))
    names = {
        m.pk: m.user.display_name
        for m in Membership.objects.filter(workspace_id=ws).select_related("user")
    }
    yield list(EXPORT_HEADER)
    rows = (
        Contribution.objects.filter(workspace_id=ws, member=member)
        .order_by("at", "id")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    for rows_chunk in _chunks(rows):
        found = targets(ws, [(r.object_type, r.object_id) for r in rows_chunk])
        for r in rows_chunk:
            target = found.get((r.object_type, r.object_id), GONE)
            yield [
                "contribution",
                _when(r.at),
                Kind(r.kind).label,
                table.get(r.kind, 0),
                target.what,
                target.url,
                teams.get(r.team_id or 0, ""),
                teams.get(r.object_team_id or 0, ""),
                "yes" if r.crossed else "no",
                names.get(r.colleague_id or 0, ""),
                "",
            ]
    given = Kudos.objects.filter(workspace_id=ws, giver=member).order_by("created_at", "id")
    received = Kudos.objects.filter(workspace_id=ws, receiver=member).order_by("created_at", "id")
    for record, kudos, other in (
        ("kudos received", received, "giver_id"),
        ("kudos given", given, "receiver_id"),
    ):
        for chunk in _chunks(kudos.iterator(chunk_size=EXPORT_CHUNK)):
            found = targets(ws, [(k.about, k.object_id) for k in chunk])
            for k in chunk:
                target = found.get((k.about, k.object_id), GONE)
                yield [
                    record,
                    _when(k.created_at),
                    "Kudos",
                    "",
                    target.what,
                    target.url,
                    "",
                    "",
                    "",
                    names.get(getattr(k, other), ""),
                    k.message,
                ]


def _chunks(rows: Iterable[T]) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, EXPORT_CHUNK)):
        yield chunk


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")
