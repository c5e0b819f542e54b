"""The inbox router: conversations (list with the page's filters, read, change), notes,
captures, and routing rules with a dry run. Replies live in the engagement router."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import member
from rapport.core import links
from rapport.core.access import access_member, access_team
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.core.priority import priority_name
from rapport.inbox import actions, capture, rule_actions, selectors
from rapport.inbox.access import access_conversation, access_rule
from rapport.inbox.models import Conversation, Note, RoutingRule

router = Router(tags=["inbox"])


# Schemas -----------------------------------------------------------------------------------


class ConversationOut(Schema):
    id: int
    subject: str
    status: str
    priority: str
    team_id: int | None
    team: str | None
    assignee_id: int | None
    assignee: str | None
    tags: list[str]
    network: str
    label: str
    sentiment: str
    intent: str
    author: str | None
    post_count: int
    captured_by_id: int | None
    merged_into_id: int | None
    last_activity_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime


class ConversationPage(Schema):
    items: list[ConversationOut]
    next: str = Field(..., description="Pass as `after` for the next page; empty at the end")
    count: int | None = Field(
        ...,
        description=f"Matching conversations, counted up to {selectors.COUNT_CAP}; null for a "
        "full-text search with more than one page (not counted)",
    )
    count_capped: bool


class ConversationPostOut(Schema):
    id: int
    network: str
    url: str
    author_handle: str
    author_name: str
    title: str
    text: str
    posted_at: datetime
    sentiment: str
    intent: str
    complaint_probability: float | None


class NoteOut(Schema):
    id: int
    author_id: int | None
    body: str
    mentions: list[int]
    created_at: datetime


class ActivityOut(Schema):
    kind: str
    actor_id: int | None
    message: str
    created_at: datetime


class ConversationDetailOut(ConversationOut):
    posts: list[ConversationPostOut]
    notes: list[NoteOut]
    history: list[ActivityOut]


class ConversationPatch(Schema):
    status: str | None = None
    priority: str | None = None
    assignee_id: int | None = Field(None, description="A member id; 0 unassigns")
    team_id: int | None = Field(None, description="A team id; 0 clears the team")
    tags: list[str] | None = Field(None, description="The full set of tags after the change")


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=actions.NOTE_MAX)


class CaptureIn(Schema):
    url: str = Field("", max_length=capture.URL_MAX)
    text: str = Field("", max_length=40_000)
    author: str = Field("", max_length=200)
    network: str = Field("", max_length=30)


class CaptureOut(Schema):
    conversation_id: int
    post_id: int
    fetched: bool
    new: bool


class RuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    match: Literal["all", "any"] = "all"
    conditions: list[dict[str, Any]] = []
    actions: list[dict[str, Any]]
    enabled: bool = True
    stop: bool = False
    position: int | None = Field(None, ge=0)


class RulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    match: Literal["all", "any"] | None = None
    conditions: list[dict[str, Any]] | None = None
    actions: list[dict[str, Any]] | None = None
    enabled: bool | None = None
    stop: bool | None = None
    position: int | None = Field(None, ge=0)


class RuleOut(Schema):
    id: int
    name: str
    position: int
    enabled: bool
    match: str
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    stop: bool


class DryRunIn(Schema):
    match: Literal["all", "any"] = "all"
    conditions: list[dict[str, Any]] = []
    actions: list[dict[str, Any]]


class DryRunPost(Schema):
    id: int
    network: str
    author_handle: str
    text: str
    posted_at: datetime


class DryRunOut(Schema):
    checked: int
    matched: int
    conditions: list[str]
    would: list[str]
    posts: list[DryRunPost]


class InboxFilters(Schema):
    view: str = ""
    status: str = ""
    network: str = ""
    query: str = ""
    sentiment: str = ""
    intent: str = ""
    team: str = Field("", description="A team id or `none`")
    assignee: str = Field("", description="A member id, `me` or `none`")
    priority: str = ""
    tag: str = ""
    since: str = Field("", description="YYYY-MM-DD or an ISO time")
    until: str = ""
    q: str = Field("", description="Words in the conversation's posts")
    after: str = Field("", description="The `next` of the previous page")
    limit: int = Field(selectors.PAGE, ge=1, le=200)


# Conversations -----------------------------------------------------------------------------


def _out(conv: Conversation, tags: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": conv.pk,
        "subject": conv.subject,
        "status": conv.status,
        "priority": priority_name(conv.priority),
        "team_id": conv.team_id,
        "team": conv.team.name if conv.team else None,
        "assignee_id": conv.assignee_id,
        "assignee": conv.assignee.user.display_name if conv.assignee else None,
        "tags": tags if tags is not None else sorted(t.name for t in conv.tags.all()),
        "network": conv.network,
        "label": conv.label,
        "sentiment": conv.sentiment,
        "intent": conv.intent,
        "author": conv.identity.handle if conv.identity else None,
        "post_count": conv.post_count,
        "captured_by_id": conv.captured_by_id,
        "merged_into_id": conv.merged_into_id,
        "last_activity_at": conv.last_activity_at,
        "first_response_at": conv.first_response_at,
        "resolved_at": conv.resolved_at,
        "created_at": conv.created_at,
    }


def _detail(m: Membership, conv: Conversation) -> dict[str, Any]:
    d = selectors.conversation_detail(m, conv)
    return {
        **_out(conv, d.tags),
        "posts": [
            {
                "id": p.pk,
                "network": p.network,
                "url": links.safe_url(p.url),
                "author_handle": p.author_handle,
                "author_name": p.author_name,
                "title": p.title,
                "text": p.text,
                "posted_at": p.posted_at,
                "sentiment": p.sentiment,
                "intent": p.intent,
                "complaint_probability": p.complaint_probability,
            }
            for p in d.posts
        ],
        "notes": [_note(n) for n in d.notes],
        "history": [
            {
                "kind": a.kind,
                "actor_id": a.actor_id,
                "message": a.message,
                "created_at": a.created_at,
            }
            for a in d.activities
        ],
    }


def _note(n: Note) -> dict[str, Any]:
    return {
        "id": n.pk,
        "author_id": n.author_id,
        "body": n.body,
        "mentions": [x.pk for x in n.mentions.all()],
        "created_at": n.created_at,
    }


@router.get(
    "/conversations",
    response=ConversationPage,
    summary="Conversations, newest activity first, filtered as on the inbox page",
)
def list_conversations(request: HttpRequest, filters: Query[InboxFilters]) -> dict[str, Any]:
    m = member(request)
    raw = selectors.view_filters(m, filters.view) if filters.view else {}
    given = filters.dict(exclude={"view", "after", "limit"})
    raw.update({k: v for k, v in given.items() if v})
    page = selectors.inbox_page(
        m, selectors.clean_filters(raw), after=filters.after, per_page=filters.limit
    )
    return {
        "items": [_out(c) for c in page.items],
        "next": page.next_cursor,
        "count": page.count,
        "count_capped": page.capped,
    }


@router.get("/conversations/{conversation_id}", response=ConversationDetailOut)
def get_conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    m = member(request)
    return _detail(m, access_conversation(m, conversation_id))


@router.patch(
    "/conversations/{conversation_id}",
    response=ConversationDetailOut,
    summary="Change status, priority, assignee, team or tags (each change audited)",
)
def patch_conversation(
    request: HttpRequest, conversation_id: int, payload: ConversationPatch
) -> dict[str, Any]:
    m = member(request)
    conv = access_conversation(m, conversation_id)
    fields = payload.dict(exclude_unset=True)
    if "assignee_id" in fields or "team_id" in fields:
        assignee = conv.assignee
        if "assignee_id" in fields:
            assignee = access_member(m, fields["assignee_id"]) if fields["assignee_id"] else None
        team = conv.team
        if "team_id" in fields:
            team = access_team(m, fields["team_id"]) if fields["team_id"] else None
        actions.assign(m, conv, assignee=assignee, team=team, set_team="team_id" in fields)
    if fields.get("status") is not None:
        actions.set_status(m, conv, status=fields["status"])
    if fields.get("priority") is not None:
        actions.set_priority(m, conv, priority=fields["priority"])
    if fields.get("tags") is not None:
        wanted = actions.clean_tags(fields["tags"])
        current = actions.tag_names(conv)
        if [t for t in current if t not in wanted]:
            actions.untag(m, conv, tags=[t for t in current if t not in wanted])
        if [t for t in wanted if t not in current]:
            actions.tag(m, conv, tags=[t for t in wanted if t not in current])
    conv = access_conversation(m, conversation_id)
    return _detail(m, conv)


@router.post(
    "/conversations/{conversation_id}/notes",
    response={201: NoteOut},
    summary="An internal note; @name mentions notify those colleagues",
)
def add_note(request: HttpRequest, conversation_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    m = member(request)
    note = actions.add_note(m, access_conversation(m, conversation_id), body=payload.body)
    return Status(201, _note(note))


@router.post(
    "/captures",
    response={201: CaptureOut},
    summary="Capture a post by its URL (fetched where a connector can) or its text and author",
)
def capture_post(request: HttpRequest, payload: CaptureIn) -> Status[dict[str, Any]]:
    m = member(request)
    captured = capture.capture(m, **payload.dict())
    return Status(
        201,
        {
            "conversation_id": captured.conversation.pk,
            "post_id": captured.post.pk,
            "fetched": captured.fetched,
            "new": captured.new,
        },
    )


# Routing rules -----------------------------------------------------------------------------


def _rule(rule: RoutingRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "position": rule.position,
        "enabled": rule.enabled,
        "match": rule.match,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "stop": rule.stop,
    }


@router.get("/routing-rules", response=list[RuleOut], summary="The routing rules, in order")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    m = member(request)
    require(m, Verb.SEE_ROUTING_RULES)
    return [_rule(r) for r in selectors.rules(m)]


@router.post("/routing-rules", response={201: RuleOut})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[dict[str, Any]]:
    rule = rule_actions.create_rule(member(request), **payload.dict())
    return Status(201, _rule(rule))


@router.post(
    "/routing-rules/dry-run",
    response=DryRunOut,
    summary="What a rule would match among the last 1,000 posts, and what it would do",
)
def dry_run(request: HttpRequest, payload: DryRunIn) -> dict[str, Any]:
    preview = rule_actions.dry_run(member(request), **payload.dict())
    return {
        "checked": preview.checked,
        "matched": len(preview.hits),
        "conditions": preview.conditions,
        "would": preview.would,
        "posts": [
            {
                "id": p.pk,
                "network": p.network,
                "author_handle": p.author_handle,
                "text": p.text,
                "posted_at": p.posted_at,
            }
            for p in preview.hits[:100]
        ],
    }


@router.get("/routing-rules/{rule_id}", response=RuleOut)
def get_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    return _rule(access_rule(member(request), rule_id))


@router.patch("/routing-rules/{rule_id}", response=RuleOut)
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> dict[str, Any]:
    m = member(request)
    rule = rule_actions.update_rule(m, access_rule(m, rule_id), **payload.dict(exclude_unset=True))
    return _rule(rule)


@router.delete("/routing-rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    m = member(request)
    rule_actions.delete_rule(m, access_rule(m, rule_id))
    return Status(204, None)
