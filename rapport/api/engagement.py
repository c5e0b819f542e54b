"""The engagement router: replies to posts and conversations (checked against the policy),
the outbox, canned responses and the engagement policy."""

from datetime import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from rapport.api.auth import member
from rapport.api.bounds import Id, IdOrZero
from rapport.api.pagination import Pages
from rapport.approvals.models import Approval
from rapport.core.access import access_team
from rapport.core.models import Membership
from rapport.engagement import actions, selectors
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply
from rapport.engagement.policy import Finding, Severity, reply_length, reply_limit
from rapport.inbox.access import access_conversation, access_conversation_post
from rapport.listening.access import access_post
from rapport.listening.models import Post

router = Router(tags=["engagement"])


class FindingOut(Schema):
    severity: Literal["block", "needs_approval", "warning"]
    code: str = Field(..., description="e.g. card_number, forbidden_phrase, too_long")
    message: str = Field(..., description="The problem and where it is, in plain words")
    start: int | None = Field(None, description="0-based offset of the problem in the text")
    end: int | None = None


class BlockedOut(Schema):
    detail: str
    findings: list[FindingOut]


class ConflictOut(Schema):
    detail: str
    reply_id: int = Field(..., description="The other reply: in flight, or sent meanwhile")


def blocked_out(blocked: actions.ReplyBlocked) -> dict[str, Any]:
    return {"detail": blocked.messages[0], "findings": [f.as_dict() for f in blocked.findings]}


class ReplyIn(Schema):
    text: str = Field(..., max_length=actions.MAX_REPLY)
    visibility: Literal["public", "private"] = "public"
    status_link: str | None = Field(None, max_length=500, description="Public status page")
    canned_response_id: Id | None = None
    seen_reply_id: IdOrZero | None = Field(
        None,
        description="The newest reply to the post you had seen (0 for none): a reply sent "
        "since by someone else refuses yours with 409. Omit to skip this check.",
    )


class ConversationReplyIn(ReplyIn):
    post_id: Id | None = Field(
        None, description="The post of the conversation to answer; default: its latest post"
    )


class CheckIn(Schema):
    text: str = Field(..., max_length=actions.MAX_REPLY)
    visibility: Literal["public", "private"] = "public"


class CheckOut(Schema):
    findings: list[FindingOut]
    length: int = Field(..., description="As the network counts it")
    limit: int | None
    blocked: bool
    needs_approval: bool


class ReplyOut(Schema):
    id: int
    post_id: int
    author: str | None
    network: str
    text: str
    visibility: str
    status: str = Field(
        ..., description="pending_approval, queued, sending, sent, failed, rejected or draft"
    )
    needs_approval: bool
    approval_id: int | None
    findings: list[FindingOut]
    status_link: str | None
    network_id: str
    network_url: str
    recorded_only: bool = Field(..., description="Recorded as “would post” (record-only mode)")
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_author(obj: Reply) -> str | None:
        return obj.author.user.email if obj.author else None

    @staticmethod
    def resolve_needs_approval(obj: Reply) -> bool:
        return any(f.get("severity") == Severity.NEEDS_APPROVAL for f in obj.findings)

    @staticmethod
    def resolve_approval_id(obj: Reply) -> int | None:
        return (
            Approval.objects.filter(
                content_type__app_label="engagement", content_type__model="reply", object_id=obj.pk
            )
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )


def _send(request: HttpRequest, m: Membership, post: Post, payload: ReplyIn) -> Status[Any]:
    canned = None
    if payload.canned_response_id is not None:
        canned = selectors.access_canned(m, payload.canned_response_id)
    try:
        reply = actions.send_reply(
            m,
            post,
            text=payload.text,
            visibility=payload.visibility,
            status_link=payload.status_link,
            canned_response=canned,
            seen_reply_id=payload.seen_reply_id,
        )
    except actions.ReplyBlocked as blocked:
        return Status(422, blocked_out(blocked))
    except actions.ReplyConflict as conflict:
        return Status(409, {"detail": conflict.messages[0], "reply_id": conflict.other.pk})
    return Status(201, selectors.access_reply(m, reply.pk))


REPLY_RESPONSES = {201: ReplyOut, 409: ConflictOut, 422: BlockedOut}


@router.post(
    "/posts/{post_id}/replies",
    response=REPLY_RESPONSES,
    summary="Reply to a post: 201 queued or waiting for approval, 422 with the findings when "
    "blocked, 409 when someone else is answering",
)
def reply_to_post(request: HttpRequest, post_id: Id, payload: ReplyIn) -> Status[Any]:
    m = member(request)
    return _send(request, m, access_post(m, post_id), payload)


@router.post(
    "/conversations/{conversation_id}/replies",
    response=REPLY_RESPONSES,
    summary="Reply in a conversation (to its latest post unless post_id says which)",
)
def reply_in_conversation(
    request: HttpRequest, conversation_id: Id, payload: ConversationReplyIn
) -> Status[Any]:
    m = member(request)
    conversation = access_conversation(m, conversation_id)
    if payload.post_id is not None:
        post = access_conversation_post(m, conversation, payload.post_id)
    else:
        latest = (
            Post.objects.filter(
                conversation_link__conversation=conversation, deleted_at__isnull=True
            )
            .order_by("-posted_at", "-id")
            .first()
        )
        if latest is None:
            raise Http404("This conversation has no post to reply to")
        post = latest
    return _send(request, m, post, payload)


@router.post(
    "/posts/{post_id}/replies/check",
    response=CheckOut,
    summary="What the engagement policy says about a reply before it is sent",
)
def check_reply(request: HttpRequest, post_id: Id, payload: CheckIn) -> dict[str, Any]:
    m = member(request)
    post = access_post(m, post_id)
    findings: list[Finding] = actions.check_draft(
        m, post, text=payload.text, visibility=payload.visibility
    )
    return {
        "findings": [f.as_dict() for f in findings],
        "length": reply_length(payload.text, post.network),
        "limit": reply_limit(post.network),
        "blocked": any(f.severity == Severity.BLOCK for f in findings),
        "needs_approval": any(f.severity == Severity.NEEDS_APPROVAL for f in findings),
    }


@router.get("/replies", response=list[ReplyOut], summary="The outbox: replies, newest first")
@paginate(Pages, page_size=50)
def list_replies(
    request: HttpRequest,
    state: Literal["", "queued", "waiting", "sent", "failed"] = "",
    q: str = "",
) -> QuerySet[Reply]:
    """`state`: queued (and sending), waiting (for approval), sent, failed (and rejected)."""
    return selectors.outbox(member(request), tab=state, q=q.strip()[:200])


@router.get("/replies/{reply_id}", response=ReplyOut, summary="One reply")
def get_reply(request: HttpRequest, reply_id: Id) -> Reply:
    return selectors.access_reply(member(request), reply_id)


@router.post("/replies/{reply_id}/retry", response=ReplyOut, summary="Queue a failed reply again")
def retry_reply(request: HttpRequest, reply_id: Id) -> Reply:
    m = member(request)
    reply = actions.retry_reply(m, selectors.access_reply(m, reply_id))
    return selectors.access_reply(m, reply.pk)


# Canned responses ---------------------------------------------------------------------------


class CannedIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    text: str = Field(
        ...,
        min_length=1,
        max_length=5000,
        description="Variables: {{ contact.first_name }}, {{ agent.first_name }}, "
        "{{ status_link }} and a few more; no tags.",
    )


class CannedPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    text: str | None = Field(None, min_length=1, max_length=5000)


class CannedOut(Schema):
    id: int
    name: str
    text: str
    created_at: datetime
    updated_at: datetime


@router.get("/canned-responses", response=list[CannedOut], summary="Canned responses")
@paginate(Pages, page_size=50)
def list_canned(request: HttpRequest, q: str = "") -> QuerySet[CannedResponse]:
    return selectors.canned_responses(member(request), q.strip()[:200])


@router.post("/canned-responses", response={201: CannedOut}, summary="Write a canned response")
def create_canned(request: HttpRequest, payload: CannedIn) -> Status[CannedResponse]:
    return Status(201, actions.create_canned(member(request), name=payload.name, text=payload.text))


@router.get("/canned-responses/{canned_id}", response=CannedOut, summary="One canned response")
def get_canned(request: HttpRequest, canned_id: Id) -> CannedResponse:
    return selectors.access_canned(member(request), canned_id)


@router.patch(
    "/canned-responses/{canned_id}", response=CannedOut, summary="Change a canned response"
)
def update_canned(request: HttpRequest, canned_id: Id, payload: CannedPatch) -> CannedResponse:
    m = member(request)
    return actions.update_canned(
        m, selectors.access_canned(m, canned_id), name=payload.name, text=payload.text
    )


@router.delete(
    "/canned-responses/{canned_id}", response={204: None}, summary="Delete a canned response"
)
def delete_canned(request: HttpRequest, canned_id: Id) -> Status[None]:
    m = member(request)
    actions.delete_canned(m, selectors.access_canned(m, canned_id))
    return Status(204, None)


# The engagement policy ------------------------------------------------------------------------

RoleName = Literal["owner", "admin", "manager", "agent", "employee", "viewer"]


class PolicyOut(Schema):
    forbidden_phrases: list[str]
    sensitive_topics: list[str]
    block_card_numbers: bool
    block_account_numbers: bool
    block_emails: bool
    block_phone_numbers: bool
    public_contacts: list[str]
    disclosure: str
    designated_role: str
    designated_team_ids: list[int]
    approval_roles: list[str]
    approver_role: str
    approval_hours: int
    tone_check: bool
    record_only: bool

    @staticmethod
    def resolve_designated_team_ids(obj: EngagementPolicy) -> list[int]:
        return list(obj.designated_teams.values_list("pk", flat=True)) if obj.pk else []


class PolicyPatch(Schema):
    forbidden_phrases: list[str] | None = Field(None, max_length=200)
    sensitive_topics: list[str] | None = Field(None, max_length=200)
    block_card_numbers: bool | None = None
    block_account_numbers: bool | None = None
    block_emails: bool | None = None
    block_phone_numbers: bool | None = None
    public_contacts: list[str] | None = Field(None, max_length=200)
    disclosure: str | None = Field(None, max_length=200)
    designated_role: RoleName | None = None
    designated_team_ids: list[Id] | None = None
    approval_roles: list[RoleName] | None = None
    approver_role: RoleName | None = None
    approval_hours: int | None = Field(None, ge=1, le=720)
    tone_check: bool | None = None
    record_only: bool | None = None


@router.get("/engagement-policy", response=PolicyOut, summary="The engagement policy")
def get_policy(request: HttpRequest) -> EngagementPolicy:
    return selectors.engagement_policy(member(request))


@router.patch(
    "/engagement-policy", response=PolicyOut, summary="Change the engagement policy (admins)"
)
def update_policy(request: HttpRequest, payload: PolicyPatch) -> EngagementPolicy:
    m = member(request)
    changes = payload.model_dump(exclude_unset=True, exclude={"designated_team_ids"})
    changes = {k: v for k, v in changes.items() if v is not None}
    teams = None
    if payload.designated_team_ids is not None:
        teams = [access_team(m, pk) for pk in dict.fromkeys(payload.designated_team_ids)]
    return actions.update_policy(m, designated_teams=teams, **changes)
