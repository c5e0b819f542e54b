"""The listening router: posts (push and search), listening queries, sources, signed webhooks."""

import logging
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from rapport.api.auth import member
from rapport.api.schemas import (
    ErrorOut,
    PostOut,
    PostsIn,
    PostTriageOut,
    QueryIn,
    QueryOut,
    QueryPatch,
    QuerySyntaxErrorOut,
    ReceivedOut,
    SourceCreatedOut,
    SourceIn,
    SourceOut,
    SourcePatch,
    TriageCorrectionIn,
    WebhookSecretOut,
)
from rapport.connectors.base import Batch, Capability, ConnectorError, WebhookRejected
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.listening import actions, crypto, selectors, sources
from rapport.listening.access import access_post, access_query, access_source
from rapport.listening.ingest import Received, receive
from rapport.listening.models import ListeningQuery, Post, Source
from rapport.triage import actions as triage_actions
from rapport.triage.models import TriageCorrection

logger = logging.getLogger(__name__)

router = Router(tags=["listening"])

MAX_BODY_BYTES = 10 * 1024 * 1024
SIGNATURE_HEADER = "X-Rapport-Signature"


def _received_out(result: Received) -> dict[str, Any]:
    return {
        "created": len(result.created),
        "updated": result.updated,
        "deleted": result.deleted,
        "duplicates": result.duplicates,
        "quarantined": result.quarantined,
        "repeated": result.repeated,
        "post_ids": result.created,
    }


# Posts -------------------------------------------------------------------------------------


@router.post(
    "/posts",
    response={200: ReceivedOut},
    summary="Push a batch of normalised posts (idempotent on network and external id)",
)
def push_posts(request: HttpRequest, payload: PostsIn) -> dict[str, Any]:
    m = member(request)
    require(m, Verb.ADD_POSTS)
    batch = Batch(posts=[item.to_post(raw=item.model_dump(mode="json")) for item in payload.posts])
    return _received_out(receive(m.workspace, batch))


def _query_id(m: Membership, query: str) -> object:
    """A query given by id or by name (case-insensitive)."""
    if not query or query.isdigit():
        return query or None
    found = ListeningQuery.objects.filter(workspace=m.workspace, name__iexact=query).first()
    if found is None:
        raise Http404(f"No listening query called {query!r}")
    return found.pk


@router.get("/posts", response=list[PostOut], summary="Posts heard, newest first, searchable")
@paginate(PageNumberPagination, page_size=50)
def list_posts(
    request: HttpRequest,
    query: str = "",
    q: str = "",
    network: str = "",
    sentiment: str = "",
    intent: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Post]:
    """`query` is a listening query's id or name; `q` searches the posts' text."""
    m = member(request)
    return selectors.search_posts(
        m,
        query_id=_query_id(m, query),
        q=q,
        network=network,
        sentiment=sentiment,
        intent=intent,
        since=since,
        until=until,
    )


@router.get("/posts/{post_id}", response=PostOut, summary="One post")
def get_post(request: HttpRequest, post_id: int) -> Post:
    post = access_post(member(request), post_id)
    if post.deleted_at is not None:
        raise Http404("No such post")
    return post


def _post_triage(post: Post) -> dict[str, Any]:
    corrections = (
        TriageCorrection.objects.filter(post=post).select_related("corrected_by").order_by("field")
    )
    return {
        "post_id": post.pk,
        "sentiment": post.sentiment,
        "sentiment_score": post.sentiment_score,
        "intent": post.intent,
        "complaint_probability": post.complaint_probability,
        "priority": post.priority,
        "corrections": [
            {
                "field": c.field,
                "model_value": c.old_value,
                "value": c.new_value,
                "corrected_by": c.corrected_by.email if c.corrected_by else None,
                "created_at": c.created_at,
            }
            for c in corrections
        ],
    }


@router.post(
    "/posts/{post_id}/triage-correction",
    response=PostTriageOut,
    summary="Correct a post's sentiment, intent or complaint label",
)
def correct_triage(
    request: HttpRequest, post_id: int, payload: TriageCorrectionIn
) -> dict[str, Any]:
    """Replaces the label; the model's original is kept and used as training feedback.
    An unknown field or label is a 422 that names it."""
    m = member(request)
    post = access_post(m, post_id)
    triage_actions.correct_label(m, post, field=payload.field, value=payload.value)
    return _post_triage(post)


# Listening queries -------------------------------------------------------------------------


def _queries(m: Membership) -> QuerySet[ListeningQuery]:
    return ListeningQuery.objects.filter(workspace=m.workspace).annotate(
        match_count=Count("matches")
    )


def _query_out(m: Membership, lq: ListeningQuery) -> ListeningQuery:
    return _queries(m).get(pk=lq.pk)


def _syntax_error(error: actions.InvalidQuery) -> Status[dict[str, Any]]:
    messages = [str(m) for m in error.messages]
    return Status(
        400,
        {
            "detail": "query: " + " ".join(messages),
            "position": error.position,
            "fields": {"query": messages},
        },
    )


@router.get("/queries", response=list[QueryOut], summary="Listening queries")
@paginate(PageNumberPagination, page_size=50)
def list_queries(request: HttpRequest, q: str = "", label: str = "") -> QuerySet[ListeningQuery]:
    queries = _queries(member(request))
    if q:
        queries = queries.filter(name__icontains=q)
    if label:
        queries = queries.filter(label=label)
    return queries.order_by("name")


@router.post(
    "/queries",
    response={201: QueryOut, 400: QuerySyntaxErrorOut},
    summary="Create a listening query (a syntax error answers 400 with its position)",
)
def create_query(request: HttpRequest, payload: QueryIn) -> Status[Any]:
    m = member(request)
    try:
        lq = actions.create_query(
            m,
            name=payload.name,
            query=payload.query,
            label=payload.label,
            is_active=payload.is_active,
        )
    except actions.InvalidQuery as error:
        return _syntax_error(error)
    return Status(201, _query_out(m, lq))


@router.get("/queries/{query_id}", response=QueryOut, summary="One listening query")
def get_query(request: HttpRequest, query_id: int) -> ListeningQuery:
    m = member(request)
    return _query_out(m, access_query(m, query_id))


@router.patch(
    "/queries/{query_id}",
    response={200: QueryOut, 400: QuerySyntaxErrorOut},
    summary="Change a listening query",
)
def update_query(request: HttpRequest, query_id: int, payload: QueryPatch) -> Status[Any]:
    m = member(request)
    lq = access_query(m, query_id)
    try:
        lq = actions.update_query(
            m,
            lq,
            name=payload.name,
            query=payload.query,
            label=payload.label,
            is_active=payload.is_active,
        )
    except actions.InvalidQuery as error:
        return _syntax_error(error)
    return Status(200, _query_out(m, lq))


@router.delete("/queries/{query_id}", response={204: None}, summary="Delete a listening query")
def delete_query(request: HttpRequest, query_id: int) -> Status[None]:
    m = member(request)
    actions.delete_query(m, access_query(m, query_id))
    return Status(204, None)


# Sources -----------------------------------------------------------------------------------


def _source_out(source: Source, **extra: Any) -> dict[str, Any]:
    """A source as the API shows it: never its credentials, only whether it has some."""
    webhook_url = None
    if source.connector == "webhook" or _receives_webhooks(source):
        webhook_url = f"/api/v1/webhooks/{source.pk}"
    return {
        "id": source.pk,
        "name": source.name,
        "connector": source.connector,
        "config": source.config,
        "status": source.status,
        "poll_every_seconds": source.poll_every_seconds,
        "has_credentials": bool(source.credentials_encrypted),
        "webhook_url": webhook_url,
        "cursor": source.cursor,
        "last_polled_at": source.last_polled_at,
        "last_success_at": source.last_success_at,
        "last_error": source.last_error,
        "last_error_at": source.last_error_at,
        "consecutive_failures": source.consecutive_failures,
        "next_poll_at": source.next_poll_at,
        "posts_received": source.posts_received,
        "created_at": source.created_at,
        **extra,
    }


def _receives_webhooks(source: Source) -> bool:
    try:
        return Capability.WEBHOOK in actions.source_connector(source.connector).capabilities
    except Exception:  # an unknown or missing connector receives nothing
        return False


def _manager(request: HttpRequest) -> Membership:
    m = member(request)
    require(m, Verb.SEE_SOURCES)
    return m


@router.get("/sources", response=list[SourceOut], summary="Sources and their health (managers+)")
@paginate(PageNumberPagination, page_size=50)
def list_sources(request: HttpRequest, connector: str = "", status: str = "") -> list[Any]:
    found = Source.objects.filter(workspace=_manager(request).workspace)
    if connector:
        found = found.filter(connector=connector)
    if status:
        found = found.filter(status=status)
    return [_source_out(s) for s in found.order_by("name")]


@router.post(
    "/sources",
    response={201: SourceCreatedOut},
    summary="Create a source (credentials: admins and owners; stored encrypted)",
)
def create_source(request: HttpRequest, payload: SourceIn) -> Status[dict[str, Any]]:
    m = member(request)
    source = actions.create_source(
        m,
        name=payload.name,
        connector=payload.connector,
        config=payload.config,
        credentials=payload.credentials,
        poll_every_seconds=payload.poll_every_seconds,
    )
    issued = getattr(source, "issued_secret", "") or None
    return Status(201, _source_out(source, webhook_secret=issued))


@router.get("/sources/{source_id}", response=SourceOut, summary="One source and its health")
def get_source(request: HttpRequest, source_id: int) -> dict[str, Any]:
    m = member(request)
    source = access_source(m, source_id)
    require(m, Verb.SEE_SOURCES)
    return _source_out(source)


@router.patch("/sources/{source_id}", response=SourceOut, summary="Change a source")
def update_source(request: HttpRequest, source_id: int, payload: SourcePatch) -> dict[str, Any]:
    m = member(request)
    source = actions.update_source(
        m,
        access_source(m, source_id),
        name=payload.name,
        config=payload.config,
        credentials=payload.credentials,
        poll_every_seconds=payload.poll_every_seconds,
    )
    return _source_out(source)


@router.delete("/sources/{source_id}", response={204: None}, summary="Delete a source")
def delete_source(request: HttpRequest, source_id: int) -> Status[None]:
    m = member(request)
    actions.delete_source(m, access_source(m, source_id))
    return Status(204, None)


@router.post("/sources/{source_id}/pause", response=SourceOut, summary="Stop polling a source")
def pause_source(request: HttpRequest, source_id: int) -> dict[str, Any]:
    m = member(request)
    return _source_out(actions.pause_source(m, access_source(m, source_id)))


@router.post(
    "/sources/{source_id}/resume", response=SourceOut, summary="Poll a paused source again, now"
)
def resume_source(request: HttpRequest, source_id: int) -> dict[str, Any]:
    m = member(request)
    return _source_out(actions.resume_source(m, access_source(m, source_id)))


@router.post(
    "/sources/{source_id}/rotate-secret",
    response=WebhookSecretOut,
    summary="A new signing secret for a webhook source (shown once; admins and owners)",
)
def rotate_secret(request: HttpRequest, source_id: int) -> dict[str, str]:
    m = member(request)
    _, secret = actions.rotate_webhook_secret(m, access_source(m, source_id))
    return {"secret": secret, "header": SIGNATURE_HEADER}


# Signed webhooks ---------------------------------------------------------------------------


def _error(status: int, detail: str) -> Status[dict[str, str]]:
    return Status(status, {"detail": detail})


@router.post(
    "/webhooks/{source_id}",
    auth=None,
    response={
        202: ReceivedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
    },
    summary="Receive posts pushed to a webhook source, signed with its secret",
    description=(
        "No bearer token: the request is signed. Send `Content-Type: application/json`, a body "
        'of at most 10 MB `{"posts": [...]}` (1,000 posts at most, each as in `POST /posts`), '
        f'and `{SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + '
        "body)>`. A missing or bad signature, or one more than 5 minutes old, answers 401."
    ),
)
def receive_webhook(request: HttpRequest, source_id: int) -> Status[Any]:
    source = (
        Source.objects.select_related("workspace")
        .filter(pk=source_id, status=Source.Status.ACTIVE)
        .first()
    )
    if source is None or not _receives_webhooks(source):
        # A paused, non-webhook or unknown source: one answer, so ids cannot be probed.
        return _error(404, "No such webhook")
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return _error(413, "The body is larger than 10 MB; send fewer posts per request.")
    content_type = (request.content_type or "").lower()
    if content_type != "application/json":
        return _error(
            415, f"Content-Type must be application/json, not {content_type or 'missing'}."
        )
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "The body is larger than 10 MB; send fewer posts per request.")
    try:
        connector = sources.build_connector(source)
    except crypto.CredentialsUnreadable as error:
        logger.error("Webhook source %s cannot verify requests: %s", source.pk, error)
        return _error(401, "This webhook cannot verify signatures until its secret is set again.")
    try:
        connector.verify_webhook(dict(request.headers), body)
    except WebhookRejected as error:
        logger.warning("Webhook for source %s rejected: %s", source.pk, error)
        return _error(401, f"Rejected: {error}.")
    try:
        batch = connector.parse_request(dict(request.headers), body)
    except ConnectorError as error:
        return _error(400, str(error))
    return Status(202, _received_out(receive(source.workspace, batch, source=source)))


__all__ = ["router"]
