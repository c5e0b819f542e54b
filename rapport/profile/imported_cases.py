"""Cases imported from a CRM (a Salesforce Case export) go onto their contact's timeline.

They are history, not live Rapport cases (see ADR 0011): each row becomes one entry, keyed by
its source and number, so a re-import updates the entry rather than adding another. Contacts'
import engine checks the rows and calls `write_cases` for each chunk, inside the chunk's
transaction; `wiring.py` registers it for the "cases" target.
"""

from collections.abc import Sequence

from rapport.contacts.imports.rows import Context, Record
from rapport.contacts.imports.writers import BATCH
from rapport.core.models import Workspace
from rapport.profile.models import TimelineEntry
from rapport.profile.timeline import Kind


def write_cases(ctx: Context, workspace: Workspace, records: Sequence[Record]) -> tuple[int, int]:
    """Creates or updates the entry of each imported case; returns (created, updated)."""
    refs = {f"{ctx.source}.case:{r.key}"[:80]: r for r in records}
    existing = {
        e.ref: e for e in TimelineEntry.objects.filter(workspace=workspace, ref__in=list(refs))
    }
    new: list[TimelineEntry] = []
    changed: list[TimelineEntry] = []
    for ref, r in refs.items():
        f = r.fields
        label = f"case {f['number']}" if f["number"] else "case"
        title = f"{ctx.source.title()} {label}: {f['subject'] or '(no subject)'}"
        if f["status"]:
            title += f" ({f['status']})"
        summary = " · ".join(
            x for x in (f["priority"] and f"{f['priority']} priority", f["origin"]) if x
        )
        if f["description"]:
            summary = f"{summary} — {f['description']}" if summary else f["description"]
        entry = existing.get(ref) or TimelineEntry(workspace=workspace, ref=ref, kind=Kind.CASE)
        entry.contact_id = f["contact_id"]
        entry.occurred_at = f["created_at"]
        entry.title = title[:200]
        entry.summary = " ".join(summary.split())[:500]
        (changed if entry.pk else new).append(entry)
    TimelineEntry.objects.bulk_create(new, batch_size=BATCH)
    TimelineEntry.objects.bulk_update(
        changed, ["contact", "occurred_at", "title", "summary"], batch_size=BATCH
    )
    return len(new), len(changed)
