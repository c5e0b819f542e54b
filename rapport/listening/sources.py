"""Polling a source and keeping its health: last success, last error, cursor, backoff.

A poll builds the source's connector (decrypting its credentials), asks it for what is new since
the stored cursor, and receives the batch. The batch and the new cursor are stored in one
transaction, so a crash or restart at any point continues from the last stored cursor and
never skips posts (receive is idempotent, so a replayed batch only reports duplicates).

A failure keeps its message (with any credential in it masked), counts consecutive failures and
waits before the next try: 5 minutes, doubled per failure, at most 6 hours. Paused sources are
never polled. These are the machine's own writes, not a person's, so they are not audited.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import pydantic
import requests
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.connectors.base import Capability, Connector, ConnectorError
from rapport.connectors.registry import UnknownNetwork, connector_class
from rapport.listening import crypto
from rapport.listening.ingest import Received, receive
from rapport.listening.models import Source

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5 * 60
BACKOFF_MAX_SECONDS = 6 * 3600
#: How long a claimed source is left alone, so two schedulers never poll it at once.
CLAIM_SECONDS = 15 * 60
MAX_ERROR_LENGTH = 2000

#: Failures that are the network's or the configuration's, recorded on the source's health.
POLL_ERRORS: tuple[type[BaseException], ...] = (
    ConnectorError,
    requests.RequestException,
    crypto.CredentialsUnreadable,
    pydantic.ValidationError,
    UnknownNetwork,
    ImportError,
    OSError,
)

_SECRET_PARAM = re.compile(
    r"(?i)\b((?:access_|api_|auth_|client_)?(?:token|key|secret|password|sig|signature)=)[^&\s]+"
)


@dataclass
class PollOutcome:
    status: Literal["ok", "failed", "skipped"]
    received: Received | None = None
    error: str = ""


def backoff_seconds(failures: int) -> int:
    """How long to wait after `failures` failures in a row: 5 min * 2^(n-1), at most 6 h."""
    if failures <= 0:
        return 0
    return int(min(BACKOFF_BASE_SECONDS * 2 ** min(failures - 1, 20), BACKOFF_MAX_SECONDS))


def polls(source: Source) -> bool:
    try:
        return Capability.POLL in connector_class(source.connector).capabilities
    except (UnknownNetwork, ImportError):
        return False


def build_connector(source: Source, session: requests.Session | None = None) -> Connector:
    """The source's connector, configured, with its credentials decrypted."""
    cls = connector_class(source.connector)
    credentials = crypto.decrypt_credentials(source.credentials_encrypted)
    return cls(config=source.config, credentials=credentials, session=session)


def _secrets_of(source: Source) -> list[str]:
    try:
        credentials = crypto.decrypt_credentials(source.credentials_encrypted)
    except crypto.CredentialsUnreadable:
        return []
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and len(value) >= 4:
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(credentials)
    return sorted(found, key=len, reverse=True)


def describe_error(source: Source, error: BaseException) -> str:
    """The error's message for people to read: its kind when it has no message, secrets masked."""
    message = str(error).strip() or type(error).__name__
    if isinstance(error, pydantic.ValidationError):
        problems = [
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in error.errors(include_input=False, include_url=False)
        ]
        message = f"The source's settings are not valid: {'; '.join(problems)}"
    elif isinstance(error, requests.RequestException) and not isinstance(error, ConnectorError):
        message = f"{type(error).__name__}: {message}"
    for secret in _secrets_of(source):
        message = message.replace(secret, "***")
    message = _SECRET_PARAM.sub(r"\1***", message)
    return message[:MAX_ERROR_LENGTH]


def record_failure(source: Source, error: BaseException, now: datetime | None = None) -> str:
    now = now or timezone.now()
    message = describe_error(source, error)
    failures = source.consecutive_failures + 1
    Source.objects.filter(pk=source.pk).update(
        last_polled_at=now,
        last_error=message,
        last_error_at=now,
        consecutive_failures=failures,
        next_poll_at=now + timedelta(seconds=backoff_seconds(failures)),
    )
    source.refresh_from_db()
    logger.warning(
        "Polling source %s (%s) failed %d time(s) in a row: %s",
        source.pk,
        source.connector,
        failures,
        message,
    )
    return message


def poll(source: Source, session: requests.Session | None = None) -> PollOutcome:
    """Polls `source` once, stores what it found and the new cursor, and records its health."""
    source.refresh_from_db()
    if source.status != Source.Status.ACTIVE:
        return PollOutcome("skipped", error="the source is paused")
    if not polls(source):
        return PollOutcome("skipped", error=f"{source.connector} sources are not polled")
    started = timezone.now()
    try:
        connector = build_connector(source, session)
        batch = connector.poll(source.cursor)
    except POLL_ERRORS as error:
        return PollOutcome("failed", error=record_failure(source, error, started))
    try:
        with transaction.atomic():
            received = receive(source.workspace, batch, source=source)
            now = timezone.now()
            fields: dict[str, Any] = {
                "last_polled_at": started,
                "last_success_at": now,
                "consecutive_failures": 0,
                "next_poll_at": now + timedelta(seconds=source.poll_every_seconds),
            }
            if batch.cursor is not None:
                fields["cursor"] = batch.cursor
            Source.objects.filter(pk=source.pk).update(**fields)
    except Exception as error:  # the batch could not be stored: the cursor stays where it was
        logger.exception("Storing a poll of source %s failed", source.pk)
        return PollOutcome("failed", error=record_failure(source, error, started))
    source.refresh_from_db()
    return PollOutcome("ok", received=received)


def due_sources(now: datetime | None = None) -> QuerySet[Source]:
    """Active sources whose next poll is due (webhook-only sources have no next poll)."""
    now = now or timezone.now()
    return Source.objects.filter(status=Source.Status.ACTIVE, next_poll_at__lte=now).order_by(
        "next_poll_at", "pk"
    )


def claim(source: Source, now: datetime | None = None) -> bool:
    """Marks a due source as taken until its poll finishes (or CLAIM_SECONDS pass); True if won.

    The compare-and-set on `next_poll_at` means two schedulers never enqueue one source twice.
    """
    now = now or timezone.now()
    won = (
        Source.objects.filter(
            Q(next_poll_at=source.next_poll_at), pk=source.pk, status=Source.Status.ACTIVE
        ).update(next_poll_at=now + timedelta(seconds=CLAIM_SECONDS))
        == 1
    )
    return won
