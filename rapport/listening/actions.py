"""Every write of listening by a person: queries and sources, audited, in one transaction.

Machine writes (posts received, a source's health after a poll) are not here: they are
`ingest.receive` and `sources.record_success/record_failure`, whose rows are their own record.
Credentials are validated by the connector's `Credentials` model, stored encrypted, and never
appear in an audit event: the snapshot says only whether a source has them.
"""

import secrets
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.connectors.base import Capability, Connector
from rapport.connectors.registry import CONNECTORS, UnknownNetwork, connector_class
from rapport.core.audit import action, record_by, snapshot
from rapport.core.models import Membership
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require
from rapport.listening import crypto
from rapport.listening.models import ListeningQuery, Source
from rapport.listening.query import QuerySyntaxError, parse
from rapport.listening.rematch import rematch_query

QUERY_FIELDS = ["name", "query", "label", "is_active"]
SOURCE_FIELDS = ["name", "connector", "config", "poll_every_seconds", "status"]
MIN_POLL_SECONDS = 60
MAX_POLL_SECONDS = 7 * 24 * 3600
#: The credentials field a webhook connector keeps its signing secret in, unless it names another.
WEBHOOK_SECRET_FIELD = "secret"


class InvalidQuery(ValidationError):
    """A query with a syntax error: a ValidationError on `query` that keeps the position."""

    def __init__(self, error: QuerySyntaxError) -> None:
        super().__init__({"query": [ValidationError(str(error), code="syntax")]})
        self.position = error.position  # 1-based
        self.problem = error.problem


# Queries -----------------------------------------------------------------------------------


def clean_query_text(text: str) -> str:
    """The query as it will be stored; raises InvalidQuery naming the position and problem."""
    text = (text or "").strip()
    try:
        parse(text)
    except QuerySyntaxError as error:
        raise InvalidQuery(error) from error
    return text


def _clean_label(label: str) -> str:
    if label not in ListeningQuery.Label.values:
        known = ", ".join(ListeningQuery.Label.values)
        raise ValidationError({"label": f"Unknown label {label!r}; use one of {known}."})
    return label


@action("query.create")
def create_query(
    actor: Membership, *, name: str, query: str, label: str = "brand", is_active: bool = True
) -> ListeningQuery:
    require(actor, Verb.MANAGE_QUERIES)
    lq = ListeningQuery.objects.create(
        workspace=actor.workspace,
        name=unique_name(
            name, taken=ListeningQuery.objects.filter(workspace=actor.workspace), noun="query"
        ),
        query=clean_query_text(query),
        label=_clean_label(label),
        is_active=is_active,
        created_by=actor.user,
    )
    record_by(
        actor,
        verb="query.create",
        obj=lq,
        after=snapshot(lq, QUERY_FIELDS),
    )
    rematch_query(lq)  # so a new query shows what it would have heard lately
    return lq


@action("query.update")
def update_query(
    actor: Membership,
    lq: ListeningQuery,
    *,
    name: str | None = None,
    query: str | None = None,
    label: str | None = None,
    is_active: bool | None = None,
) -> ListeningQuery:
    require(actor, Verb.MANAGE_QUERIES)
    before = snapshot(lq, QUERY_FIELDS)
    if name is not None:
        lq.name = unique_name(
            name,
            taken=ListeningQuery.objects.filter(workspace=actor.workspace),
            noun="query",
            exclude=lq.pk,
        )
    if query is not None:
        lq.query = clean_query_text(query)
    if label is not None:
        lq.label = _clean_label(label)
    if is_active is not None:
        lq.is_active = is_active
    lq.save(update_fields=QUERY_FIELDS)
    record_by(
        actor,
        verb="query.update",
        obj=lq,
        before=before,
        after=snapshot(lq, QUERY_FIELDS),
    )
    if (before["query"], before["is_active"]) != (lq.query, lq.is_active):
        rematch_query(lq, replace=True)
    return lq


def _set_query_active(actor: Membership, lq: ListeningQuery, active: bool) -> ListeningQuery:
    require(actor, Verb.MANAGE_QUERIES)
    before = snapshot(lq, ["is_active"])
    lq.is_active = active
    lq.save(update_fields=["is_active"])
    if active:
        rematch_query(lq)
    record_by(
        actor,
        verb="query.activate" if active else "query.deactivate",
        obj=lq,
        before=before,
        after=snapshot(lq, ["is_active"]),
    )
    return lq


@action("query.activate")
def activate_query(actor: Membership, lq: ListeningQuery) -> ListeningQuery:
    return _set_query_active(actor, lq, True)


@action("query.deactivate")
def deactivate_query(actor: Membership, lq: ListeningQuery) -> ListeningQuery:
    return _set_query_active(actor, lq, False)


@action("query.delete")
def delete_query(actor: Membership, lq: ListeningQuery) -> None:
    """Deletes the query and its matches; the posts it matched stay."""
    require(actor, Verb.MANAGE_QUERIES)
    record_by(
        actor,
        verb="query.delete",
        obj=lq,
        before=snapshot(lq, QUERY_FIELDS),
    )
    lq.delete()


# Sources -----------------------------------------------------------------------------------


def _problems(error: pydantic.ValidationError) -> list[str]:
    """Each problem named by its field; never the input value, which may be a secret."""
    out = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in item.get("loc", ()))
        out.append(f"{where}: {item.get('msg', 'invalid')}" if where else item.get("msg", ""))
    return out


def source_connector(name: str) -> type[Connector]:
    """The connector class for `name`; a ValidationError on `connector` listing the known ones."""
    try:
        return connector_class(name)
    except UnknownNetwork as error:
        raise ValidationError({"connector": str(error)}) from None
    except ImportError:
        raise ValidationError(
            {
                "connector": f"The {name!r} connector is not available in this installation; "
                f"known: {', '.join(sorted(CONNECTORS))}."
            }
        ) from None


def _clean_config(cls: type[Connector], config: dict[str, Any] | None) -> dict[str, Any]:
    if config is not None and not isinstance(config, dict):
        raise ValidationError({"config": "The configuration must be a JSON object."})
    try:
        model = cls.Config.model_validate(dict(config or {}))
    except pydantic.ValidationError as error:
        raise ValidationError({"config": _problems(error)}) from None
    cleaned: dict[str, Any] = model.model_dump(mode="json")
    return cleaned


def _clean_credentials(cls: type[Connector], credentials: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(credentials, dict):
        raise ValidationError({"credentials": "The credentials must be a JSON object."})
    try:
        cls.Credentials.model_validate(credentials)
    except pydantic.ValidationError as error:
        raise ValidationError({"credentials": _problems(error)}) from None
    # The input as given (validated): dumping the model would mask SecretStr fields.
    return dict(credentials)


def _clean_interval(seconds: int) -> int:
    if not isinstance(seconds, int) or not MIN_POLL_SECONDS <= seconds <= MAX_POLL_SECONDS:
        raise ValidationError(
            {
                "poll_every_seconds": f"Poll every {MIN_POLL_SECONDS} to {MAX_POLL_SECONDS} "
                "seconds (one week)."
            }
        )
    return seconds


def source_snapshot(source: Source) -> dict[str, Any]:
    """What the audit log keeps of a source: never its credentials, only whether it has them."""
    data = snapshot(source, SOURCE_FIELDS)
    data["has_credentials"] = bool(source.credentials_encrypted)
    return data


def _polls(cls: type[Connector]) -> bool:
    return Capability.POLL in cls.capabilities


@action("source.create")
def create_source(
    actor: Membership,
    *,
    name: str,
    connector: str,
    config: dict[str, Any] | None = None,
    credentials: dict[str, Any] | None = None,
    poll_every_seconds: int = 300,
) -> Source:
    """A new source. A webhook source given no secret gets one, set on `source.issued_secret`
    (shown once, like rotate_webhook_secret's); other sources have `issued_secret == ""`."""
    require(actor, Verb.MANAGE_SOURCES)
    cls = source_connector(connector)
    creds = dict(credentials) if isinstance(credentials, dict) else (credentials or {})
    issued = ""
    field = _secret_field(cls)
    if (
        Capability.WEBHOOK in cls.capabilities
        and isinstance(creds, dict)
        and field in getattr(cls.Credentials, "model_fields", {})
        and not creds.get(field)
    ):
        # A webhook source gets its signing secret at once, shown to its creator once.
        issued = creds[field] = secrets.token_urlsafe(32)
    if creds:
        require(actor, Verb.SOURCE_CREDENTIALS)
    source = Source(
        workspace=actor.workspace,
        name=unique_name(
            name, taken=Source.objects.filter(workspace=actor.workspace), noun="source"
        ),
        connector=connector,
        config=_clean_config(cls, config),
        poll_every_seconds=_clean_interval(poll_every_seconds),
        next_poll_at=timezone.now() if _polls(cls) else None,
    )
    creds = _clean_credentials(cls, creds or {})
    source.credentials_encrypted = crypto.encrypt_credentials(creds)
    source.save()
    record_by(
        actor,
        verb="source.create",
        obj=source,
        after=source_snapshot(source),
    )
    source.issued_secret = issued  # type: ignore[attr-defined]
    return source


@action("source.update")
def update_source(
    actor: Membership,
    source: Source,
    *,
    name: str | None = None,
    config: dict[str, Any] | None = None,
    credentials: dict[str, Any] | None = None,
    poll_every_seconds: int | None = None,
) -> Source:
    """Changes a source; `credentials`, when given, replace the stored ones whole."""
    require(actor, Verb.MANAGE_SOURCES)
    if credentials is not None:
        require(actor, Verb.SOURCE_CREDENTIALS)
    cls = source_connector(source.connector)
    before = source_snapshot(source)
    if name is not None:
        source.name = unique_name(
            name,
            taken=Source.objects.filter(workspace=actor.workspace),
            noun="source",
            exclude=source.pk,
        )
    if config is not None:
        source.config = _clean_config(cls, config)
    if poll_every_seconds is not None:
        source.poll_every_seconds = _clean_interval(poll_every_seconds)
    if credentials is not None:
        source.credentials_encrypted = crypto.encrypt_credentials(
            _clean_credentials(cls, credentials)
        )
    source.save(update_fields=["name", "config", "poll_every_seconds", "credentials_encrypted"])
    after = source_snapshot(source)
    if credentials is not None:
        after["credentials_changed"] = True  # that they changed, never what they are
    record_by(
        actor,
        verb="source.update",
        obj=source,
        before=before,
        after=after,
    )
    return source


@action("source.delete")
def delete_source(actor: Membership, source: Source) -> None:
    """Deletes the source and its credentials; the posts it brought stay."""
    require(actor, Verb.DELETE_SOURCES)
    record_by(
        actor,
        verb="source.delete",
        obj=source,
        before=source_snapshot(source),
    )
    source.delete()


@action("source.pause")
def pause_source(actor: Membership, source: Source) -> Source:
    """A paused source is never polled and its webhook refuses payloads."""
    require(actor, Verb.PAUSE_SOURCES)
    before = snapshot(source, ["status"])
    source.status = Source.Status.PAUSED
    source.save(update_fields=["status"])
    record_by(
        actor,
        verb="source.pause",
        obj=source,
        before=before,
        after=snapshot(source, ["status"]),
    )
    return source


@action("source.resume")
def resume_source(actor: Membership, source: Source) -> Source:
    """Active again, polled at once, its backoff forgotten (the last error stays on show)."""
    require(actor, Verb.PAUSE_SOURCES)
    before = snapshot(source, ["status", "consecutive_failures"])
    source.status = Source.Status.ACTIVE
    source.consecutive_failures = 0
    cls = source_connector(source.connector)
    source.next_poll_at = timezone.now() if _polls(cls) else None
    source.save(update_fields=["status", "consecutive_failures", "next_poll_at"])
    record_by(
        actor,
        verb="source.resume",
        obj=source,
        before=before,
        after=snapshot(source, ["status", "consecutive_failures"]),
    )
    return source


def _secret_field(cls: type[Connector]) -> str:
    return str(getattr(cls, "secret_field", WEBHOOK_SECRET_FIELD))


@action("source.rotate_secret")
def rotate_webhook_secret(actor: Membership, source: Source) -> tuple[Source, str]:
    """A new signing secret for a webhook source, returned once; the old one stops working."""
    require(actor, Verb.SOURCE_CREDENTIALS)
    cls = source_connector(source.connector)
    if Capability.WEBHOOK not in cls.capabilities:
        raise ValidationError(
            {"connector": f"{cls.label} sources receive no webhooks, so they have no secret."}
        )
    creds = crypto.decrypt_credentials(source.credentials_encrypted)
    secret = secrets.token_urlsafe(32)
    creds[_secret_field(cls)] = secret
    source.credentials_encrypted = crypto.encrypt_credentials(_clean_credentials(cls, creds))
    source.save(update_fields=["credentials_encrypted"])
    record_by(
        actor,
        verb="source.rotate_secret",
        obj=source,
        after={"secret_rotated_at": timezone.now().isoformat()},
    )
    return source, secret


__all__ = [
    "InvalidQuery",
    "activate_query",
    "clean_query_text",
    "create_query",
    "create_source",
    "deactivate_query",
    "delete_query",
    "delete_source",
    "pause_source",
    "resume_source",
    "rotate_webhook_secret",
    "source_snapshot",
    "update_query",
    "update_source",
]
