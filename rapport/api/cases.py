"""The cases router: cases (list with filters, open, read, change and move along the state
machine), tasks and comments. A transition the state machine refuses answers 409."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import member
from rapport.api.core import router as core_router
from rapport.cases import actions, selectors
from rapport.cases.access import access_case, access_case_type, access_task
from rapport.cases.models import Case, Comment, Priority, Task
from rapport.contacts.models import Contact
from rapport.core.access import access_in_workspace, access_member, access_team
from rapport.core.models import Membership
from rapport.inbox.access import access_conversation

router = Router(tags=["cases"])


# Schemas -----------------------------------------------------------------------------------


class CaseOut(Schema):
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
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None


class CasePage(Schema):
    items: list[CaseOut]
    count: int
    page: int
    pages: int


class TaskOut(Schema):
    id: int
    case_id: int
    title: str
    assignee_id: int | None
    due_date: date | None
    status: str
    checklist: list[dict[str, Any]]
    done_at: datetime | None


class CommentOut(Schema):
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


class CaseIn(Schema):
    subject: str
    description: str = ""
    priority: str = "normal"
    case_type_id: int | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    customer_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    conversation_id: int | None = Field(
        None, description="Open the case from this conversation (its subject and link kept)"
    )


class CasePatch(Schema):
    subject: str | None = None
    description: str | None = None
    priority: str | None = None
    owner_id: int | None = None
    team_id: int | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    status: str | None = Field(
        None, description="Move along the state machine (409 if not allowed)"
    )


class CaseFilters(Schema):
    status: str = Field("", description="A status, or `active` (not resolved or closed)")
    team: str = Field("", description="A team id or `none`")
    owner: str = Field("", description="A member id, `me` or `none`")
    q: str = Field("", description="Words in the subject or description, or a case number")
    page: int = Field(1, ge=1)
    limit: int = Field(selectors.PAGE, ge=1, le=selectors.MAX_PAGE)


class TaskIn(Schema):
    title: str
    assignee_id: int | None = None
    due_date: str | None = Field(None, description="YYYY-MM-DD, today or later")
    checklist: list[Any] = Field(default_factory=list)


class TaskPatch(Schema):
    title: str | None = None
    assignee_id: int | None = None
    due_date: str | None = None
    status: str | None = Field(None, description="open or done")
    checklist: list[Any] | None = None


class CommentIn(Schema):
    body: str
    public: bool = Field(False, description="A public update the customer may see")


class Problem(Schema):
    detail: str


# Helpers -----------------------------------------------------------------------------------


def _out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "subject": case.subject,
        "description": case.description,
        "status": case.status,
        "priority": Priority(case.priority).label.lower(),
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


def _comment(c: Comment) -> dict[str, Any]:
    return {
        "id": c.pk,
        "case_id": c.case_id,
        "author_id": c.author_id,
        "body": c.body,
        "public": c.public,
        "mentions": [m.pk for m in c.mentions.all()],
        "created_at": c.created_at,
    }


def _detail(m: Membership, case: Case) -> dict[str, Any]:
    d = selectors.case_detail(m, case)
    return {
        **_out(case),
        "allowed_transitions": [to for to, _ in d.transitions],
        "watchers": [w.pk for w in d.watchers],
        "tasks": [_task(t) for t in d.tasks],
        "comments": [_comment(c) for c in d.comments],
    }


def _optional_member(m: Membership, member_id: int | None) -> Membership | None:
    return access_member(m, member_id) if member_id else None


# Cases -------------------------------------------------------------------------------------


@router.get("/cases", response=CasePage, summary="Cases, latest change first, filtered")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    m = member(request)
    page = selectors.case_page(
        m,
        page=filters.page,
        per_page=filters.limit,
        status=filters.status,
        team=filters.team,
        owner=filters.owner,
        q=filters.q,
    )
    return {
        "items": [_out(c) for c in page.items],
        "count": page.count,
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
    }
    if payload.conversation_id:
        conv = access_conversation(m, payload.conversation_id)
        case = actions.open_case_from_conversation(m, conv, subject=payload.subject, **fields)
    else:
        case = actions.create_case(m, subject=payload.subject, **fields)
    return Status(201, _detail(m, access_case(m, case.pk)))


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    m = member(request)
    return _detail(m, access_case(m, case_id))


@router.patch(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 409: Problem},
    summary="Change fields and/or the status; a transition not allowed now answers 409",
)
def patch_case(request: HttpRequest, case_id: int, payload: CasePatch) -> Any:
    m = member(request)
    case = access_case(m, case_id)
    fields = payload.dict(exclude_unset=True)
    status = fields.pop("status", None)
    if "owner_id" in fields:
        fields["owner"] = _optional_member(m, fields.pop("owner_id"))
    if "team_id" in fields:
        team_id = fields.pop("team_id")
        fields["team"] = access_team(m, team_id) if team_id else None
    fields = {k: v for k, v in fields.items() if v is not None or k in ("owner", "team")}
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
def add_task(request: HttpRequest, case_id: int, payload: TaskIn) -> Status[dict[str, Any]]:
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


def patch_task(request: HttpRequest, run_id: int, payload: TaskPatch) -> dict[str, Any]:
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
def add_comment(request: HttpRequest, case_id: int, payload: CommentIn) -> Status[dict[str, Any]]:
    m = member(request)
    comment = actions.add_comment(
        m, access_case(m, case_id), body=payload.body, public=payload.public
    )
    return Status(201, _comment(comment))
