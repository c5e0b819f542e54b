"""Exporting contacts to CSV or vCard, streamed: a million contacts never sit in memory.

The `rapport` import mapping reads the CSV's columns back (`COLUMNS` says into which field), so
an export imports back as it was (into another workspace too: rows are keyed by "Rapport ID" with
the source "rapport"). Every cell goes through `core.spreadsheet.guard` (no cell runs as a
formula in a spreadsheet); the `rapport` mapping takes the guard's quote off again.
"""

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from rapport.contacts.models import Contact
from rapport.core import links, spreadsheet

BATCH = 2000


def _contacts(qs: QuerySet[Contact]) -> Iterator[Contact]:
    """Pages through by id, so a huge export holds one batch at a time."""
    last = 0
    qs = qs.select_related("organization").order_by("id")
    while batch := list(qs.filter(id__gt=last)[:BATCH]):
        yield from batch
        last = batch[-1].pk


@dataclass(frozen=True)
class Column:
    header: str
    #: the field the `rapport` import mapping reads the column back into; "" for none
    field: str
    cell: Callable[[Contact], str]


#: The CSV's columns, in order: an export imports back through the `rapport` mapping.
COLUMNS = [
    Column("Rapport ID", "external_id", lambda c: str(c.pk)),
    Column("Name", "name", lambda c: c.name),
    Column("First name", "first_name", lambda c: c.first_name),
    Column("Last name", "last_name", lambda c: c.last_name),
    Column("Email", "email", lambda c: c.email),
    Column("Phone", "phone", lambda c: c.phone),
    Column("Birth date", "birth_date", lambda c: c.birth_date.isoformat() if c.birth_date else ""),
    Column("City", "city", lambda c: c.city),
    Column("Country", "country", lambda c: c.country),
    Column("Language", "language", lambda c: c.language),
    Column("Segment", "segment", lambda c: c.segment),
    Column("Tier", "tier", lambda c: c.tier),
    Column(
        "Organization",
        "organization_name",
        lambda c: c.organization.name if c.organization else "",
    ),
    Column("Tags", "tags", lambda c: ",".join(c.tags or [])),
    Column("Do not contact", "", lambda c: "true" if c.do_not_contact else "false"),
    Column("Lifetime value", "", lambda c: f"{c.lifetime_value:.2f}"),
    Column("Source", "", lambda c: c.source),
    Column("External ID", "", lambda c: c.external_id),
]
CSV_COLUMNS = [column.header for column in COLUMNS]


def csv_rows(qs: QuerySet[Contact]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for c in _contacts(qs):
        yield [column.cell(c) for column in COLUMNS]


def csv_lines(qs: QuerySet[Contact]) -> Iterator[str]:
    """The export as CSV text, line by line (for a streaming response or a file)."""
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    for row in csv_rows(qs):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """vCard lines longer than 75 octets continue on the next line after a space (RFC 6350)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    out.append(current)
    return "\r\n".join(out)


def vcard(contact: Contact, workspace_slug: str) -> str:
    uid = (
        contact.external_id
        if contact.source == "vcard" and contact.external_id
        else f"urn:rapport:{workspace_slug}:contact:{contact.pk}"
    )
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"UID:{_escape(uid)}",
        f"FN:{_escape(contact.name)}",
        f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;",
    ]
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_escape(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=VOICE:{contact.phone}")
    if contact.city or contact.country:
        lines.append(f"ADR:;;;{_escape(contact.city)};;;{_escape(contact.country)}")
    if contact.birth_date:
        lines.append(f"BDAY:{contact.birth_date.isoformat()}")
    if contact.organization:
        lines.append(f"ORG:{_escape(contact.organization.name)}")
    if website := links.safe_url(contact.website):
        lines.append(f"URL:{_escape(website)}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
    if contact.bio:
        lines.append(f"NOTE:{_escape(contact.bio)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def vcard_lines(qs: QuerySet[Contact], workspace_slug: str) -> Iterator[str]:
    for contact in _contacts(qs):
        yield vcard(contact, workspace_slug)


def write(lines: Iterable[str], handle: io.TextIOBase) -> int:
    count = 0
    for line in lines:
        handle.write(line)
        count += 1
    return count
