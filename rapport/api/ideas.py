"""The ideas router: ideas (list with search, status and area filters, sorted trending, top or
new; submit one or turn a post, conversation or case into one; read; change text, area and
status), votes (a customer's or a post's; a second vote of the same person is a 409), merging
duplicates, the announcements of a status change, similar ideas, and the product areas.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import model_validator

from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.api.pagination import Pages
from rapport.api.schemas import ErrorOut
from rapport.cases.access import access_case
from rapport.contacts.access import access_contact
from rapport.core.ids import parse_id
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.ideas import actions, browse, merge, votes
from rapport.ideas.access import access_area, access_idea, access_vote
from rapport.ideas.models import Announcement, Area, Idea, Origin, StatusChange, Vote
from rapport.ideas.models import Status as IdeaStatus
from rapport.ideas.similar import similar_ideas
from rapport.inbox.access import access_conversation
from rapport.listening.access import access_post
from rapport.listening.models import Post

router = Router(tags=["ideas"])

#: what an idea's answer shows of its related rows, read with it
SHOWN = ("area", "author_contact", "author_member__user", "merged_into")
StatusName = Literal["new", "under_review", "planned", "in_progress", "shipped", "declined"]
StatusFilter = Literal["", "new", "under_review", "planned", "in_progress", "shipped", "declined"]
assert set(StatusName.__args__) == set(IdeaStatus.values)  # type: ignore[attr-defined]
AnnouncementState = Literal["", "pending", "sent", "skipped", "failed"]
OriginFilter = Literal["", "portal", "post", "conversation", "case", "employee"]
assert set(OriginFilter.__args__) - {""} == set(Origin.values)  # type: ignore[attr-defined]
Sort = Literal["trending", "top", "new"]
assert set(Sort.__args__) == set(browse.SORTS)  # type: ignore[attr-defined]
SIMILAR_TEXT_MAX = 2000


# Schemas -----------------------------------------------------------------------------------


class IdeaAuthorOut(Schema):
    kind: Literal["contact", "member"] = Field(
        description="A customer (contact) or one of the workspace's members"
    )
    id: int
    name: str


class IdeaOut(Schema):
    id: int
    title: str
    body: str = Field(description="A safe subset of Markdown, as written: untrusted text")
    status: str
    status_note: str = Field(description="Public: why, when, what next")
    status_changed_at: datetime | None
    area_id: int | None
    area: str | None = Field(description="The product area's name")
    origin: str = Field(description="portal, post, conversation, case or employee")
    author: IdeaAuthorOut | None
    vote_count: int = Field(description="Counted votes: one per person")
    merged_into_id: int | None = Field(
        description="Set when this idea was merged into another (its votes moved there)"
    )
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_area(obj: Idea) -> str | None:
        return obj.area.name if obj.area is not None else None

    @staticmethod
    def resolve_author(obj: Idea) -> dict[str, Any] | None:
        if obj.author_contact is not None:
            return {"kind": "contact", "id": obj.author_contact.pk, "name": obj.author_contact.name}
        if obj.author_member is not None:
            name = obj.author_member.user.display_name
            return {"kind": "member", "id": obj.author_member.pk, "name": name}
        return None


class IdeaStatusChangeOut(Schema):
    id: int
    before: str
    after: str
    note: str
    by_id: int | None = Field(description="The member who changed it")
    by: str | None
    at: datetime

    @staticmethod
    def resolve_by(obj: StatusChange) -> str | None:
        return obj.by.user.display_name if obj.by is not None else None


class IdeaRefOut(Schema):
    id: int
    title: str


class IdeaDetailOut(IdeaOut):
    post_id: int | None = Field(description="The post it was turned from")
    conversation_id: int | None = Field(description="The conversation it was turned from")
    case_id: int | None = Field(description="The case it was turned from")
    merged_into: IdeaRefOut | None
    status_history: list[IdeaStatusChangeOut] = Field(description="Newest first")
    follower_count: int
    linked_case_ids: list[int]
    linked_task_ids: list[int]

    @staticmethod
    def resolve_status_history(obj: Idea) -> list[StatusChange]:
        return list(browse.history(obj))

    @staticmethod
    def resolve_follower_count(obj: Idea) -> int:
        return obj.followers.count()

    @staticmethod
    def resolve_linked_case_ids(obj: Idea) -> list[int]:
        return sorted(obj.linked_cases.values_list("pk", flat=True))

    @staticmethod
    def resolve_linked_task_ids(obj: Idea) -> list[int]:
        return sorted(obj.linked_tasks.values_list("pk", flat=True))


class IdeaIn(Schema):
    title: str = Field(
        "",
        max_length=actions.TITLE_MAX,
        description="Required, unless the idea is turned from a post, conversation or case",
    )
    body: str = Field("", max_length=actions.BODY_MAX, description="A safe subset of Markdown")
    area_id: Id | None = None
    post_id: Id | None = Field(
        None, description="Turn this post into the idea: its author votes first and follows"
    )
    conversation_id: Id | None = Field(
        None, description="Turn this conversation into the idea (from its first post)"
    )
    case_id: Id | None = Field(
        None, description="Turn this case into the idea (its customer votes first)"
    )
    contact_id: Id | None = Field(
        None, description="A customer's idea entered by an employee: they vote first and follow"
    )

    @model_validator(mode="after")
    def one_origin(self) -> "IdeaIn":
        given = [n for n in ("post_id", "conversation_id", "case_id") if getattr(self, n)]
        if len(given) > 1:
            raise ValueError(f"give one of post_id, conversation_id, case_id, not {given}")
        if given and self.contact_id is not None:
            raise ValueError(
                f"contact_id is for an idea typed in; with {given[0]} the author votes"
            )
        return self


class IdeaPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=actions.TITLE_MAX)
    body: str | None = Field(None, max_length=actions.BODY_MAX)
    area_id: Id | None = Field(None, description="A product area; null: none")
    status: StatusName | None = Field(
        None, description="planned, shipped and declined are announced to voters and followers"
    )
    status_note: str | None = Field(
        None,
        max_length=actions.NOTE_MAX,
        description="The public note of the status (kept when only `status` is given)",
    )


class IdeaVoteContactOut(Schema):
    id: int
    name: str
    do_not_contact: bool


class IdeaVoteOut(Schema):
    id: int
    idea_id: int = Field(description="The idea it counts for (the target of a merged one)")
    contact: IdeaVoteContactOut
    source: str = Field(description="portal, post or employee (on the customer's behalf)")
    post_id: int | None
    by_id: int | None = Field(description="The member who added it")
    tier: str = Field(description="The contact's tier when they voted")
    value: Decimal = Field(description="The contact's lifetime value when they voted")
    counted: bool = Field(
        description="False for the same person's second vote, kept for the record after a merge"
    )
    created_at: datetime


class IdeaVoteIn(Schema):
    contact_id: Id | None = Field(None, description="The customer who votes")
    post_id: Id | None = Field(None, description="A post whose author votes (told back there)")

    @model_validator(mode="after")
    def one_voter(self) -> "IdeaVoteIn":
        if (self.contact_id is None) == (self.post_id is None):
            raise ValueError("give either contact_id or post_id, not both and not neither")
        return self


class IdeaMergeIn(Schema):
    into_id: Id = Field(description="The idea this duplicate is merged into")


class IdeaAnnouncementOut(Schema):
    id: int
    change_id: int
    status: str = Field(description="The status announced")
    contact_id: int
    contact: str = Field(description="The contact's name")
    channel: str = Field(description="email, or the network of their post")
    state: str = Field(description="pending, sent, skipped or failed")
    reason: str = Field(description="Why it was skipped or failed")
    post_id: int | None = Field(description="The post answered")
    reply_id: int | None = Field(description="The reply in the outbox")
    created_at: datetime

    @staticmethod
    def resolve_status(obj: Announcement) -> str:
        return obj.change.after

    @staticmethod
    def resolve_contact(obj: Announcement) -> str:
        return obj.contact.name


class SimilarIdeasQuery(Schema):
    text: str = Field(..., max_length=SIMILAR_TEXT_MAX, description="What the new idea says")
    limit: int = Field(5, ge=1, le=20)
    exclude: Id | None = Field(None, description="An idea to leave out (the one being read)")


class SimilarIdeaOut(Schema):
    idea: IdeaOut
    score: float = Field(description="0 to 1: how alike")


class IdeaAreaOut(Schema):
    id: int
    name: str
    idea_count: int = Field(description="Its ideas, merged duplicates left out")


class IdeaAreaIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)


# Ideas -------------------------------------------------------------------------------------


def _read(m: Membership, idea_id: int) -> Idea:
    """The idea as it is now, with what its answer shows (its author, area, merge target)."""
    return access_idea(m, idea_id, related=SHOWN)


@router.get("/ideas", response=list[IdeaOut], summary="Ideas, trending first, filtered")
@paginate(Pages, page_size=50)
def list_ideas(
    request: HttpRequest,
    q: str = "",
    status: StatusFilter = "",
    area: str = "",
    origin: OriginFilter = "",
    sort: Sort = "trending",
) -> QuerySet[Idea]:
    """`q`: words in the title or text (every one), or `#id`; `area`: a product area's id, or
    `none`; `sort`: trending (recent votes weigh more), top (most votes) or new. Duplicates
    merged into another idea are left out (read one by its id)."""
    q = " ".join(q.split())
    if len(q) > browse.Q_MAX:
        raise ValidationError({"q": f"Search for at most {browse.Q_MAX} characters."})
    if area not in ("", "none") and parse_id(area) is None:
        raise ValidationError({"area": "area must be a product area's id, or none."})
    filters = browse.Filters(q=q, status=status, area=area, origin=origin, sort=sort)
    return browse.filter_ideas(member(request), filters).select_related(*SHOWN)


@router.post(
    "/ideas",
    response={201: IdeaDetailOut},
    summary="Submit an idea, or turn a post, conversation or case into one",
)
def create_idea(request: HttpRequest, payload: IdeaIn) -> Status[Idea]:
    m = member(request)
    require(m, Verb.SUBMIT_IDEAS)
    area = access_area(m, payload.area_id) if payload.area_id else None
    text: dict[str, Any] = {"title": payload.title, "body": payload.body, "area": area}
    if payload.post_id:
        idea = actions.promote_post(m, _live_post(m, payload.post_id), **text)
    elif payload.conversation_id:
        conv = access_conversation(m, payload.conversation_id)
        idea = actions.promote_conversation(m, conv, **text)
    elif payload.case_id:
        idea = actions.promote_case(m, access_case(m, payload.case_id), **text)
    else:
        customer = access_contact(m, payload.contact_id) if payload.contact_id else None
        idea = actions.create_idea(m, for_contact=customer, **text)
    return Status(201, _read(m, idea.pk))


def _live_post(m: Membership, post_id: int) -> Post:
    post = access_post(m, post_id)
    if post.deleted_at is not None:
        raise Http404("No such post")
    return post


@router.get(
    "/ideas/similar",
    response=list[SimilarIdeaOut],
    summary="The ideas most like a text, best first (merged duplicates left out)",
)
def similar(request: HttpRequest, query: Query[SimilarIdeasQuery]) -> list[dict[str, Any]]:
    m = member(request)
    found = similar_ideas(m.workspace_id, query.text, limit=query.limit, exclude=query.exclude)
    return [{"idea": idea, "score": score} for idea, score in found]


@router.get("/ideas/{idea_id}", response=IdeaDetailOut, summary="One idea with its history")
def get_idea(request: HttpRequest, idea_id: Id) -> Idea:
    return _read(member(request), idea_id)


@router.patch(
    "/ideas/{idea_id}",
    response=IdeaDetailOut,
    summary="Change an idea's title, text, area or status (with its public note)",
)
def patch_idea(request: HttpRequest, idea_id: Id, payload: IdeaPatch) -> Idea:
    m = member(request)
    require(m, Verb.MANAGE_IDEAS)
    idea = access_idea(m, idea_id)
    fields = payload.dict(exclude_unset=True)
    status = fields.pop("status", None)
    note = fields.pop("status_note", None)
    changes: dict[str, Any] = {k: v for k, v in fields.items() if k != "area_id" and v is not None}
    if "area_id" in fields:
        changes["area"] = access_area(m, fields["area_id"]) if fields["area_id"] else None
    with transaction.atomic():  # a refused status leaves the text as it was
        if changes:
            actions.update_idea(m, idea, **changes)
        if status is not None or note is not None:
            actions.change_status(
                m,
                idea,
                status if status is not None else idea.status,
                note if note is not None else idea.status_note,
            )
    return _read(m, idea_id)


@router.post(
    "/ideas/{idea_id}/merge",
    response=IdeaDetailOut,
    summary="Merge this duplicate into another idea: votes, followers and comments move there",
)
def merge_idea(request: HttpRequest, idea_id: Id, payload: IdeaMergeIn) -> Idea:
    m = member(request)
    require(m, Verb.MANAGE_IDEAS)
    duplicate = access_idea(m, idea_id)
    into = merge.merge_ideas(m, duplicate, access_idea(m, payload.into_id))
    return _read(m, into.pk)


# Votes -------------------------------------------------------------------------------------


@router.get(
    "/ideas/{idea_id}/votes", response=list[IdeaVoteOut], summary="An idea's votes, newest first"
)
@paginate(Pages, page_size=50)
def list_votes(
    request: HttpRequest,
    idea_id: Id,
    counted: bool | None = None,
) -> QuerySet[Vote]:
    """`counted`: only the counted votes (true), or only those kept for the record (false)."""
    found = browse.votes_of(access_idea(member(request), idea_id))
    return found if counted is None else found.filter(counted=counted)


@router.post(
    "/ideas/{idea_id}/votes",
    response={201: IdeaVoteOut, 409: ErrorOut},
    summary="Add a customer's vote, or a post's author's; on a merged idea it goes to the target",
    openapi_extra={
        "responses": {409: {"description": "The same person voted for this idea already"}}
    },
)
def add_vote(request: HttpRequest, idea_id: Id, payload: IdeaVoteIn) -> Status[Any]:
    m = member(request)
    require(m, Verb.VOTE_FOR_CUSTOMERS)
    idea = access_idea(m, idea_id)
    try:
        if payload.post_id is not None:
            vote = votes.vote_from_post(m, idea, _live_post(m, payload.post_id))
        else:
            vote = votes.vote_for(m, idea, access_contact(m, payload.contact_id))
    except votes.AlreadyVoted as refused:
        return Status(409, {"detail": " ".join(refused.messages)})
    return Status(201, vote)


@router.delete(
    "/ideas/{idea_id}/votes/{vote_id}",
    response={204: None},
    summary="Remove a vote (a mistaken one, or spam)",
)
def delete_vote(request: HttpRequest, idea_id: Id, vote_id: Id) -> Status[None]:
    m = member(request)
    require(m, Verb.REMOVE_VOTES)
    votes.remove_vote(m, access_vote(m, access_idea(m, idea_id), vote_id))
    return Status(204, None)


# Announcements -----------------------------------------------------------------------------


@router.get(
    "/ideas/{idea_id}/announcements",
    response=list[IdeaAnnouncementOut],
    summary="Who was told of the latest announced status change, on which channel, or why not",
)
@paginate(Pages, page_size=50)
def list_announcements(
    request: HttpRequest,
    idea_id: Id,
    all: bool = False,
    state: AnnouncementState = "",
) -> QuerySet[Announcement]:
    """One row per voter and follower of the latest change to planned, shipped or declined
    (`all`: of every change, latest first)."""
    idea = access_idea(member(request), idea_id)
    found = browse.announcements(idea, every_change=all)
    return found.filter(state=state) if state else found


# Product areas -----------------------------------------------------------------------------


@router.get("/idea-areas", response=list[IdeaAreaOut], summary="Product areas, by name")
@paginate(Pages, page_size=50)
def list_areas(
    request: HttpRequest,
    q: str = "",
) -> QuerySet[Area]:
    """`q`: words in the name."""
    q = " ".join(q.split())
    if len(q) > browse.Q_MAX:
        raise ValidationError({"q": f"Search for at most {browse.Q_MAX} characters."})
    return browse.areas_with_counts(member(request), q)


@router.post("/idea-areas", response={201: IdeaAreaOut}, summary="Add a product area")
def create_area(request: HttpRequest, payload: IdeaAreaIn) -> Status[dict[str, Any]]:
    area = actions.create_area(member(request), name=payload.name)
    return Status(201, {"id": area.pk, "name": area.name, "idea_count": 0})
