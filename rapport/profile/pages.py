"""The timeline in pages: newest first, keyset-paginated on (occurred_at, id) through the
`timeline_contact` index, with an opaque cursor and a filter by kind."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from rapport.contacts.models import Contact
from rapport.profile.models import TimelineEntry
from rapport.profile.timeline import KIND_LABELS

TIMELINE_PAGE = 20
TIMELINE_MAX_PAGE = 100


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str
    kind: str


def encode_cursor(entry: TimelineEntry) -> str:
    raw = f"{entry.occurred_at.isoformat()}|{entry.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(occurred_at, id) of the last entry of the previous page; a bad cursor is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        occurred_at = parse_datetime(when)
        if occurred_at is None:
            raise ValueError(when)
        return occurred_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(
            {"cursor": "This cursor is not one the timeline gave out; start from the first page."}
        ) from None


def timeline_page(
    contact: Contact, *, kind: str = "", cursor: str = "", limit: int = TIMELINE_PAGE
) -> TimelinePage:
    """One page of the contact's timeline, newest first, optionally of one kind."""
    if kind and kind not in KIND_LABELS:
        raise ValidationError(
            {"kind": f"Unknown kind {kind!r}; use one of {', '.join(KIND_LABELS)}."}
        )
    limit = max(1, min(int(limit), TIMELINE_MAX_PAGE))
    rows = TimelineEntry.objects.filter(contact_id=contact.pk)
    if kind:
        rows = rows.filter(kind=kind)
    if cursor:
        at, pk = decode_cursor(cursor)
        rows = rows.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=pk))
    entries = list(rows.order_by("-occurred_at", "-id")[: limit + 1])
    more = len(entries) > limit
    entries = entries[:limit]
    return TimelinePage(entries, encode_cursor(entries[-1]) if more else "", kind)
