from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator

from rapport.api.bounds import Id
from rapport.connectors.webhook.schema import PostItem
from rapport.triage.actions import LABELS


class DictOut(Schema):
    """An answer its endpoint builds as a plain dict of plain values (no managers, querysets,
    callables or files for ninja to unwrap): pydantic validates the dict itself rather than
    through ninja's getter, one Python call per field, which was most of a page's cost. Any
    other object (a model instance) still goes through ninja's getter."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        # as ninja's Schema does it
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get(
            "validate_assignment", False
        ):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str


class UserOut(Schema):
    id: int
    email: str
    full_name: str


class MeOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
    role: str
    title: str


class MemberOut(Schema):
    id: int
    email: str = Field(..., alias="user.email")
    full_name: str = Field(..., alias="user.full_name")
    role: str
    title: str


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)


class TeamOut(Schema):
    id: int
    name: str
    description: str
    member_count: int


class AuditEventOut(Schema):
    id: int
    actor: str = Field(..., alias="actor_label")
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class TaskRunOut(Schema):
    id: int
    label: str
    status: str
    finished: bool
    result: Any = None
    error: str = ""
    created_at: datetime


# Listening -----------------------------------------------------------------------------------

QueryLabel = Literal["brand", "product", "competitor", "person", "campaign"]


class ErrorOut(Schema):
    detail: str = Field(..., description="What went wrong, in words")


class InvalidOut(Schema):
    """400: the request is well formed but refused (a rule of the workspace or of the data)."""

    detail: str = Field(..., description="The problems, each named")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="The problems by field, when they belong to fields"
    )


class RequestProblemOut(Schema):
    type: str = Field(..., examples=["less_than_equal"])
    loc: list[str | int] = Field(
        ...,
        description="Where: `path`, `query` or `body`, then the field",
        examples=[["query", "page"]],
    )
    msg: str = Field(..., examples=["Input should be less than or equal to 2147483647"])
    ctx: dict[str, Any] | None = Field(None, description="The limit or pattern that was broken")


class RequestInvalidOut(Schema):
    """422: the request does not match the schema (a missing field, a wrong type, out of range)."""

    detail: str = Field(..., examples=["page: Input should be less than or equal to 2147483647"])
    errors: list[RequestProblemOut]


class QueryIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    query: str = Field(
        ..., min_length=1, max_length=2000, examples=['"acme bank" OR @acmebank -job']
    )
    label: QueryLabel = "brand"
    is_active: bool = True


class QueryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    query: str | None = Field(None, min_length=1, max_length=2000)
    label: QueryLabel | None = None
    is_active: bool | None = None


class QueryOut(Schema):
    id: int
    name: str
    query: str
    label: str
    is_active: bool
    match_count: int = 0
    created_at: datetime


class QuerySyntaxErrorOut(Schema):
    detail: str = Field(..., examples=["query: At position 7: this quote is never closed"])
    position: int | None = Field(None, description="1-based position of the problem in the query")
    fields: dict[str, list[str]] = {}


class SourceIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    connector: str = Field(..., max_length=30, description="A connector name, e.g. rss")
    config: dict[str, Any] = Field(default_factory=dict, description="The connector's settings")
    credentials: dict[str, Any] | None = Field(
        None, description="Secrets, stored encrypted and never returned (admins and owners)"
    )
    poll_every_seconds: int = Field(300, ge=60, le=7 * 24 * 3600)


class SourcePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    config: dict[str, Any] | None = None
    credentials: dict[str, Any] | None = Field(
        None, description="Replaces the stored credentials whole (admins and owners)"
    )
    poll_every_seconds: int | None = Field(None, ge=60, le=7 * 24 * 3600)


class SourceOut(Schema):
    id: int
    name: str
    connector: str
    config: dict[str, Any]
    status: str
    poll_every_seconds: int
    has_credentials: bool
    webhook_url: str | None = Field(None, description="Where a webhook source receives posts")
    cursor: dict[str, Any] | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    consecutive_failures: int
    next_poll_at: datetime | None
    posts_received: int
    created_at: datetime


class SourceCreatedOut(SourceOut):
    webhook_secret: str | None = Field(
        None, description="A new webhook source's signing secret: shown this once only"
    )


class WebhookSecretOut(Schema):
    secret: str = Field(..., description="The new signing secret: shown this once only")
    header: str = Field(..., description="The header a sender signs requests in")


class PostsIn(Schema):
    posts: list[PostItem] = Field(..., min_length=1, max_length=1000)


class ReceivedOut(Schema):
    created: int
    updated: int
    deleted: int
    duplicates: int
    quarantined: int
    repeated: int = Field(
        ..., description="Posts replaced by a later one with the same id in this request"
    )
    post_ids: list[int] = Field(..., description="Ids of the posts this request created")


class MatchedQueryOut(Schema):
    id: int
    name: str
    label: str


class PostOut(Schema):
    id: int
    network: str
    external_id: str
    url: str
    source_id: int | None
    author_external_id: str
    author_handle: str
    author_name: str
    author_reach: int
    title: str
    text: str
    language: str
    posted_at: datetime
    received_at: datetime
    edited_at: datetime | None
    reply_to_external_id: str
    thread_external_id: str
    sentiment: str
    sentiment_score: float | None
    intent: str
    priority: int
    queries: list[MatchedQueryOut]


# Notifications -----------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str = Field(..., description="mention, assigned, handoff, approval_requested, …")
    text: str
    url: str = Field(..., description="A path in Rapport's web interface, or empty")
    actor_id: int | None = Field(None, description="The member who caused it, if any")
    read_at: datetime | None
    created_at: datetime


class NotificationsReadIn(Schema):
    ids: list[Id] = Field(default_factory=list, max_length=1000)
    all: bool = Field(False, description="Mark every unread notification read; `ids` is ignored")


class NotificationsReadOut(Schema):
    marked: int = Field(..., description="How many were unread and are now read")
    unread: int = Field(..., description="How many unread are left")


# Triage corrections ------------------------------------------------------------------------


class TriageCorrectionIn(Schema):
    field: str = Field(..., description="sentiment, intent or complaint")
    value: str = Field(
        ...,
        description="sentiment: negative/neutral/positive; intent: complaint/praise/question/"
        "lead/idea/other; complaint: 1 (it is one) or 0 (it is not)",
    )

    @model_validator(mode="after")
    def known_field_and_label(self) -> "TriageCorrectionIn":
        if self.field not in LABELS:
            known = ", ".join(LABELS)
            raise ValueError(f"unknown field {self.field!r}; use one of {known}")
        self.value = self.value.strip().lower()
        if self.value not in LABELS[self.field]:
            known = ", ".join(LABELS[self.field])
            raise ValueError(f"unknown {self.field} label {self.value!r}; use one of {known}")
        return self


class TriageCorrectionOut(Schema):
    field: str
    model_value: str = Field(..., description="What the model had said")
    value: str = Field(..., description="What a person says it is")
    corrected_by: str | None = Field(None, description="Their email")
    created_at: datetime


class PostTriageOut(Schema):
    post_id: int
    sentiment: str
    sentiment_score: float | None
    intent: str
    complaint_probability: float | None
    priority: int
    corrections: list[TriageCorrectionOut]
