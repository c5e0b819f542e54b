"""The cases router: cases (list with filters, open, read, change and move along the state
machine, parent cases, merge and unmerge), tasks, comments, the case's timeline (its activity
stream), public status links and case types. A transition the state machine refuses answers 409.

`/tasks/{run_id}` is shared: GET is a background task run (core), PATCH a case task (here).
"""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import member
from rapport.api.bounds import Id, PageNumber
from rapport.api.core import router as core_router
from rapport.api.schemas import DictOut
from rapport.cases import actions, merge, public, selectors
from rapport.cases.access import access_case, access_case_type, access_task
from rapport.cases.models import Activity, Case, CaseType, Comment, PublicLink, Task
from rapport.contacts.models import Contact
from rapport.core.access import access_in_workspace, access_member, access_team
from rapport.core.mentions import mentioned_handles
from rapport.core.models import Membership
from rapport.core.priority import priority_name
from rapport.inbox.access import access_conversation

router = Router(tags=["cases"])


# Schemas -----------------------------------------------------------------------------------


class CaseOut(DictOut):
    id: int
    subject: str
    description: str
    status: str
    priority: str
    case_type_id: int | None
    customer_id: int | None
    owner_id: int | None
    owner: str | None
    team_id: int | None
    team: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    conversation_id: int | None
    post_id: int | None
    parent_id: int | None
    merged_into_id: int | None = Field(
        None, description="Set when this case was merged into another (it is then closed)"
    )
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None


class CasePage(DictOut):
    items: list[CaseOut]
    count: int = Field(description=f"Matching cases, counted up to {selectors.COUNT_CAP:,}")
    count_capped: bool = Field(description="More cases match than `count` says")
    page: int
    pages: int


class TaskOut(DictOut):
    id: int
    case_id: int
    title: str
    assignee_id: int | None
    due_date: date | None
    status: str
    checklist: list[dict[str, Any]]
    done_at: datetime | None


class CommentOut(DictOut):
    id: int
    case_id: int
    author_id: int | None
    body: str
    public: bool
    mentions: list[int]
    created_at: datetime


class CaseDetailOut(CaseOut):
    allowed_transitions: list[str]
    watchers: list[int]
    tasks: list[TaskOut]
    comments: list[CommentOut]
    children: list[int] = Field(description="Child cases (the latest 50)")


class CaseIn(Schema):
    subject: str
    description: str = ""
    priority: str = "normal"
    case_type_id: Id | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    customer_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    tags: list[str] = Field(default_factory=list)
    conversation_id: Id | None = Field(
        None, description="Open the case from this conversation (its subject and link kept)"
    )
    parent_id: Id | None = Field(None, description="Open it as a child of this case")


class CasePatch(Schema):
    subject: str | None = None
    description: str | None = None
    priority: str | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    customer_id: Id | None = Field(None, description="The contact it is about; null: nobody")
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    parent_id: Id | None = Field(
        None, description="Make it a child of this case; null makes it a case of its own"
    )
    status: str | None = Field(
        None, description="Move along the state machine (409 if not allowed)"
    )


class CaseFilters(Schema):
    status: str = Field("", description="A status, or `active` (not resolved or closed)")
    team: str = Field("", description="A team id or `none`")
    owner: str = Field("", description="A member id, `me` or `none`")
    q: str = Field("", description="Words in the subject or description, or a case number")
    page: PageNumber = 1
    limit: int = Field(selectors.PAGE, ge=1, le=selectors.MAX_PAGE)


class TaskIn(Schema):
    title: str
    assignee_id: Id | None = None
    due_date: str | None = Field(None, description="YYYY-MM-DD, today or later")
    checklist: list[Any] = Field(default_factory=list)


class TaskPatch(Schema):
    title: str | None = None
    assignee_id: Id | None = None
    due_date: str | None = None
    status: str | None = Field(None, description="open or done")
    checklist: list[Any] | None = None


class CommentIn(Schema):
    body: str
    public: bool = Field(False, description="A public update the customer may see")


class Problem(Schema):
    detail: str


class CaseMergeIn(Schema):
    into: Id = Field(description="The case this duplicate is merged into")


class TimelineItem(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str | None
    verb: str
    text: str
    comment_id: int | None
    public: bool | None = Field(None, description="For a comment: a public update or internal")


class TimelinePage(Schema):
    items: list[TimelineItem]
    page: int
    has_next: bool


class CaseTimelineQuery(Schema):
    page: PageNumber = 1
    limit: int = Field(selectors.ACTIVITY_PAGE, ge=1, le=selectors.MAX_PAGE)


class PublicLinkOut(Schema):
    id: int
    case_id: int
    url: str = Field(description="The customer's status page; no sign-in needed")
    created_at: datetime


class CaseTypeOut(Schema):
    id: int
    name: str
    schema_: dict[str, Any] = Field(alias="schema", description="JSON schema of custom fields")


class CaseTypeIn(Schema):
    name: str
    schema_: dict[str, Any] = Field(
        default_factory=dict, alias="schema", description="A JSON schema (draft 2020-12)"
    )


class CaseTypePatch(Schema):
    name: str | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")


# Helpers -----------------------------------------------------------------------------------


#: The related rows `_out` shows (the owner's name, the team's).
SHOWN = ("owner__user", "team")


def _out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "subject": case.subject,
        "description": case.description,
        "status": case.status,
        "priority": priority_name(case.priority),
        "case_type_id": case.case_type_id,
        "customer_id": case.customer_id,
        "owner_id": case.owner_id,
        "owner": case.owner.user.display_name if case.owner else None,
        "team_id": case.team_id,
        "team": case.team.name if case.team else None,
        "tags": case.tags,
        "custom_fields": case.custom_fields,
        "conversation_id": case.conversation_id,
        "post_id": case.post_id,
        "parent_id": case.parent_id,
        "merged_into_id": case.merged_into_id,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
    }


def _task(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "case_id": t.case_id,
        "title": t.title,
        "assignee_id": t.assignee_id,
        "due_date": t.due_date,
        "status": t.status,
        "checklist": t.checklist,
        "done_at": t.done_at,
    }


def _comment(c: Comment, mentions: list[int]) -> dict[str, Any]:
    return {
        "id": c.pk,
        "case_id": c.case_id,
        "author_id": c.author_id,
        "body": c.body,
        "public": c.public,
        "mentions": mentions,
        "created_at": c.created_at,
    }


def _detail(m: Membership, case: Case, *, opened: bool = False) -> dict[str, Any]:
    d = selectors.case_outline(m, case, opened=opened)
    return {
        **_out(case),
        "allowed_transitions": [to for to, _ in d.transitions],
        "watchers": d.watchers,
        "tasks": [_task(t) for t in d.tasks],
        "comments": [_comment(c, d.mentions[c.pk]) for c in d.comments],
        "children": d.children,
    }


def _optional_member(m: Membership, member_id: int | None) -> Membership | None:
    return access_member(m, member_id) if member_id else None


# Cases -------------------------------------------------------------------------------------


@router.get("/cases", response=CasePage, summary="Cases, latest change first, filtered")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    m = member(request)
    page = selectors.read_case_page(
        m,
        {"status": filters.status, "team": filters.team, "owner": filters.owner, "q": filters.q},
        page=filters.page,
        per_page=filters.limit,
        related=SHOWN,
        open_tasks=False,
    )
    return {
        "items": [_out(c) for c in page.items],
        "count": min(page.count, selectors.COUNT_CAP),
        "count_capped": page.capped,
        "page": page.page,
        "pages": page.pages,
    }


@router.post(
    "/cases",
    response={201: CaseDetailOut},
    summary="Open a case, by hand or from a conversation (`conversation_id`)",
)
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    m = member(request)
    fields: dict[str, Any] = {
        "description": payload.description,
        "priority": payload.priority,
        "case_type": access_case_type(m, payload.case_type_id) if payload.case_type_id else None,
        "custom_fields": payload.custom_fields,
        "customer": (
            access_in_workspace(m, Contact.objects.all(), payload.customer_id)
            if payload.customer_id
            else None
        ),
        "owner": _optional_member(m, payload.owner_id),
        "team": access_team(m, payload.team_id) if payload.team_id else None,
        "tags": payload.tags,
        "parent": access_case(m, payload.parent_id) if payload.parent_id else None,
    }
    if payload.conversation_id:
        conv = access_conversation(m, payload.conversation_id)
        case = actions.open_case_from_conversation(m, conv, subject=payload.subject, **fields)
    else:
        case = actions.create_case(m, subject=payload.subject, **fields)
    # the case in hand, as written, with the related rows it was given
    return Status(201, _detail(m, case, opened=True))


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    m = member(request)
    return _detail(m, access_case(m, case_id, related=SHOWN))


@router.patch(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 409: Problem},
    summary="Change fields and/or the status; a transition not allowed now answers 409",
)
def patch_case(request: HttpRequest, case_id: Id, payload: CasePatch) -> Any:
    m = member(request)
    case = access_case(m, case_id)
    fields = payload.dict(exclude_unset=True)
    status = fields.pop("status", None)
    if "owner_id" in fields:
        fields["owner"] = _optional_member(m, fields.pop("owner_id"))
    if "team_id" in fields:
        team_id = fields.pop("team_id")
        fields["team"] = access_team(m, team_id) if team_id else None
    if "parent_id" in fields:
        parent_id = fields.pop("parent_id")
        fields["parent"] = access_case(m, parent_id) if parent_id else None
    if "customer_id" in fields:
        customer_id = fields.pop("customer_id")
        fields["customer"] = (
            access_in_workspace(m, Contact.objects.all(), customer_id) if customer_id else None
        )
    nullable = ("owner", "team", "parent", "customer")
    fields = {k: v for k, v in fields.items() if v is not None or k in nullable}
    try:
        with transaction.atomic():  # a refused transition leaves the case as it was
            if fields:
                actions.update_case(m, case, **fields)
            if status is not None:
                actions.transition(m, case, to=status)
    except actions.TransitionError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return _detail(m, access_case(m, case_id))


# Tasks and comments ------------------------------------------------------------------------


@router.post("/cases/{case_id}/tasks", response={201: TaskOut}, summary="Add a task to a case")
def add_task(request: HttpRequest, case_id: Id, payload: TaskIn) -> Status[dict[str, Any]]:
    m = member(request)
    task = actions.add_task(
        m,
        access_case(m, case_id),
        title=payload.title,
        assignee=_optional_member(m, payload.assignee_id),
        due_date=payload.due_date,
        checklist=payload.checklist,
    )
    return Status(201, _task(task))


def patch_task(request: HttpRequest, run_id: Id, payload: TaskPatch) -> dict[str, Any]:
    """Change or complete the case task `run_id` (the path is shared with background runs)."""
    m = member(request)
    task = access_task(m, run_id)
    fields = payload.dict(exclude_unset=True)
    if "assignee_id" in fields:
        fields["assignee"] = _optional_member(m, fields.pop("assignee_id"))
    fields = {k: v for k, v in fields.items() if v is not None or k in ("assignee", "due_date")}
    actions.update_task(m, task, **fields)
    return _task(access_task(m, run_id))


# GET /tasks/{run_id} (a background run) lives in the core router; Django answers a path from
# the first router that has it, so PATCH of a case task joins that same path there.
core_router.add_api_operation(
    "/tasks/{run_id}",
    ["PATCH"],
    patch_task,
    response=TaskOut,
    summary="Change or complete a case task",
    tags=["cases"],
)


@router.post(
    "/cases/{case_id}/comments",
    response={201: CommentOut},
    summary="An internal comment (@name mentions) or a public update for the customer",
)
def add_comment(request: HttpRequest, case_id: Id, payload: CommentIn) -> Status[dict[str, Any]]:
    m = member(request)
    case = access_case(m, case_id, related=("workspace",))
    comment = actions.add_comment(m, case, body=payload.body, public=payload.public)
    # only a comment that @names somebody can mention anybody
    mentions = (
        list(comment.mentions.values_list("pk", flat=True))
        if mentioned_handles(comment.body)
        else []
    )
    return Status(201, _comment(comment, mentions))


# Structure: merge, unmerge -----------------------------------------------------------------


@router.post(
    "/cases/{case_id}/merge",
    response=CaseDetailOut,
    summary="Merge this duplicate into another case; answers the case it was merged into",
)
def merge_case(request: HttpRequest, case_id: Id, payload: CaseMergeIn) -> dict[str, Any]:
    m = member(request)
    source = access_case(m, case_id)
    record = merge.merge(m, source, into=access_case(m, payload.into))
    return _detail(m, access_case(m, record.target_id))


@router.post(
    "/cases/{case_id}/unmerge",
    response=CaseDetailOut,
    summary="Undo a merge: the case comes back as it was, with what moved (admins)",
)
def unmerge_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    m = member(request)
    case = merge.unmerge(m, access_case(m, case_id))
    return _detail(m, access_case(m, case.pk))


# Timeline ----------------------------------------------------------------------------------


def _timeline_item(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "at": a.created_at,
        "actor_id": a.actor_id,
        "actor": a.actor.user.display_name if a.actor else None,
        "verb": a.verb,
        "text": a.text,
        "comment_id": a.comment_id,
        "public": a.comment.public if a.comment else None,
    }


@router.get(
    "/cases/{case_id}/timeline",
    response=TimelinePage,
    summary="Everything that happened to the case, newest first, in pages",
)
def timeline(request: HttpRequest, case_id: Id, q: Query[CaseTimelineQuery]) -> dict[str, Any]:
    m = member(request)
    page = selectors.case_activity(m, access_case(m, case_id), page=q.page, per_page=q.limit)
    return {
        "items": [_timeline_item(a) for a in page.items],
        "page": page.page,
        "has_next": page.has_next,
    }


# Public status links -----------------------------------------------------------------------


def _link(request: HttpRequest, link: PublicLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "case_id": link.case_id,
        "url": request.build_absolute_uri(reverse("web:status_page", args=[link.token])),
        "created_at": link.created_at,
    }


@router.post(
    "/cases/{case_id}/public-link",
    response={201: PublicLinkOut},
    summary="The customer's status page link (the live one, or a new one)",
)
def create_public_link(request: HttpRequest, case_id: Id) -> Status[dict[str, Any]]:
    m = member(request)
    link = public.create_public_link(m, access_case(m, case_id))
    return Status(201, _link(request, link))


@router.delete(
    "/cases/{case_id}/public-link",
    response={204: None},
    summary="Revoke the case's public link: its page answers 404 from now on",
)
def revoke_public_link(request: HttpRequest, case_id: Id) -> Status[None]:
    m = member(request)
    link = public.live_link(access_case(m, case_id))
    if link is None:
        raise Http404("This case has no public link to revoke.")
    public.revoke_public_link(m, link)
    return Status(204, None)


# Case types --------------------------------------------------------------------------------


def _type(t: CaseType) -> dict[str, Any]:
    return {"id": t.pk, "name": t.name, "schema": t.schema}


@router.get(
    "/case-types", response=list[CaseTypeOut], by_alias=True, summary="The workspace's case types"
)
def list_case_types(request: HttpRequest) -> list[dict[str, Any]]:
    m = member(request)
    return [_type(t) for t in CaseType.objects.filter(workspace=m.workspace).order_by("name")]


@router.post(
    "/case-types",
    response={201: CaseTypeOut},
    by_alias=True,
    summary="Create a case type with a JSON schema for its custom fields (admins)",
)
def create_case_type(request: HttpRequest, payload: CaseTypeIn) -> Status[dict[str, Any]]:
    m = member(request)
    return Status(
        201, _type(actions.create_case_type(m, name=payload.name, schema=payload.schema_))
    )


@router.patch(
    "/case-types/{type_id}",
    response=CaseTypeOut,
    by_alias=True,
    summary="Rename a case type or replace its schema (admins)",
)
def patch_case_type(request: HttpRequest, type_id: Id, payload: CaseTypePatch) -> dict[str, Any]:
    m = member(request)
    found = access_case_type(m, type_id)
    return _type(actions.update_case_type(m, found, name=payload.name, schema=payload.schema_))
