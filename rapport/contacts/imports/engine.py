"""Running an import job: check every row, then write in chunks, or write nothing.

1. Check: every row is cleaned and what it points at looked up; every error is kept with its
   line, column and reason. Nothing is written. A dry run stops here.
2. If any row failed and the user did not choose "import the valid rows", the job fails with
   the list and nothing is written.
3. Write: the rows again, in chunks of `CHUNK`, each chunk in one transaction
   (bulk_create/bulk_update), `processed_rows` updated after each, skipping the failed rows.
Re-imports update by (source, external id): the same file twice gives the same contacts.
"""

import logging
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.contacts.events import CONTACTS_IMPORTED
from rapport.contacts.imports import rows as row_cleaning
from rapport.contacts.imports import writers
from rapport.contacts.imports.mappings import Target, get_mapping
from rapport.contacts.imports.readers import FileProblem, Table, open_table
from rapport.contacts.models import ImportJob
from rapport.core.audit import record
from rapport.core.events import emit

logger = logging.getLogger(__name__)

CHUNK = 2000
#: Errors kept on the job (the count is exact; the list stops here).
MAX_ERRORS = 10_000
T = TypeVar("T")


@dataclass
class Progress:
    phase: str  # "checking" or "importing"
    done: int
    total: int


def chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(islice(items, size)):
        yield batch


def _save(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def run_job(
    job: ImportJob, path: str | Path, *, on_progress: Callable[[Progress], None] | None = None
) -> ImportJob:
    """Checks (and unless a dry run, imports) the file for `job`; the job records the outcome."""
    try:
        _run(job, Path(path), on_progress or (lambda _p: None))
    except FileProblem as exc:
        _save(
            job,
            state=ImportJob.State.FAILED,
            message=" ".join(exc.messages),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        _save(
            job,
            state=ImportJob.State.FAILED,
            message=(
                f"The import stopped at row {job.processed_rows + 1} on an unexpected error"
                f" ({type(exc).__name__}). Rows before it are imported; running it again is"
                " safe, they update rather than duplicate."
            ),
            finished_at=timezone.now(),
        )
    return job


def _run(job: ImportJob, path: Path, on_progress: Callable[[Progress], None]) -> None:
    mapping = get_mapping(job.mapping)
    table = open_table(path, mapping.reader)
    chosen = job.columns if mapping.name == "custom" else None
    if mapping.name == "custom" and not chosen:
        raise FileProblem("A custom mapping needs the column for each field.")
    columns = mapping.resolve(table, chosen)
    ctx = row_cleaning.Context(
        mapping=mapping,
        columns=columns,
        attribute_columns=mapping.attribute_columns(table),
        source=job.source or mapping.source,
    )
    _save(job, state=ImportJob.State.RUNNING, message=f"Checking the rows ({table.describe()})…")
    # the checked records wait in a spool file for the writing pass: cleaned once, not twice
    with tempfile.TemporaryFile() as spool:
        _check_and_write(job, ctx, table, spool, on_progress)


def _check_and_write(
    job: ImportJob,
    ctx: row_cleaning.Context,
    table: Table,
    spool: IO[bytes],
    on_progress: Callable[[Progress], None],
) -> None:
    mapping, workspace = ctx.mapping, job.workspace
    errors: list[dict[str, Any]] = []
    error_count = 0
    bad_lines: set[int] = set()
    total = skipped = 0
    for batch in chunks(table.rows(), CHUNK):
        records = [row_cleaning.clean(ctx, row) for row in batch]
        writers.resolve(ctx, workspace, records)
        pickle.dump(records, spool, protocol=pickle.HIGHEST_PROTOCOL)
        for r in records:
            if r.skip:
                skipped += 1
            for column, reason in r.errors:
                error_count += 1
                bad_lines.add(r.line)
                if len(errors) < MAX_ERRORS:
                    errors.append({"line": r.line, "column": column, "reason": reason})
        total += len(batch)
        _save(job, total_rows=total)
        on_progress(Progress("checking", total, total))
    for line, column, reason in ctx.settle_dates():
        error_count += 1
        bad_lines.add(line)
        if len(errors) < MAX_ERRORS:
            errors.append({"line": line, "column": column, "reason": reason})
    errors.sort(key=lambda e: e["line"])
    notes = list(table.notes)
    if skipped:
        notes.append(f"{skipped} row(s) left out on purpose (opportunities not won).")
    if total == 0 and mapping.reader == "vcard":
        raise FileProblem(
            "No vCard (BEGIN:VCARD … END:VCARD) in the file: is it a CSV? Choose its mapping."
        )
    if total == 0:
        raise FileProblem("The file has a header but no rows.")
    found = f"{len(bad_lines)} with errors." if bad_lines else "no errors."
    summary = f"{total} row(s) read ({table.describe()}); {found}"
    if error_count > len(errors):
        notes.append(f"The first {MAX_ERRORS} of {error_count} errors are listed.")
    _save(
        job,
        total_rows=total,
        errors=errors,
        error_count=error_count,
        message=" ".join([summary, *notes]),
    )
    if job.dry_run:
        _save(job, state=ImportJob.State.CHECKED, finished_at=timezone.now())
        return
    if bad_lines and not job.valid_rows_only:
        _save(
            job,
            state=ImportJob.State.FAILED,
            message=(
                f"Nothing was imported: {len(bad_lines)} of {total} row(s) have errors (listed"
                " below). Fix them, or choose to import only the valid rows. " + " ".join(notes)
            ).strip(),
            finished_at=timezone.now(),
        )
        return

    ctx.checking = False
    state: dict[str, Any] = {}
    created = updated = processed = left_out = 0
    _save(job, processed_rows=0, message="Importing…")
    spool.seek(0)
    for spooled in _spooled(spool):
        records = [r for r in spooled if r.line not in bad_lines]
        row_cleaning.settle(ctx, records)
        with transaction.atomic():
            made, changed = writers.write(ctx, workspace, [r for r in records if not r.skip], state)
        created += made
        updated += changed
        processed += len(records)
        left_out += sum(1 for r in records if r.skip)
        _save(job, processed_rows=processed, created_count=created, updated_count=updated)
        on_progress(Progress("importing", processed, total - len(bad_lines)))
    with transaction.atomic():
        if mapping.target == Target.ORGANIZATIONS:
            linked = writers.link_waiting_contacts(ctx, workspace)
            if linked:
                notes.append(f"{linked} contact(s) imported earlier were linked to their account.")
        what = "order(s)" if mapping.target in (Target.ORDERS, Target.OPPORTUNITIES) else "row(s)"
        # Every row read is in one count: imported, skipped for its errors, or left out on
        # purpose (the note from the check). Orders count order lines' orders, not rows.
        message = (
            f"Imported ({table.describe()}): {total} row(s) read, {processed - left_out}"
            f" imported ({created} {what} created, {updated} updated)."
        )
        if bad_lines:
            message += f" {len(bad_lines)} row(s) with errors were skipped (listed below)."
        _save(
            job,
            state=ImportJob.State.DONE,
            processed_rows=total - len(bad_lines),
            message=" ".join([message, *notes]),
            finished_at=timezone.now(),
        )
        record(
            actor=job.requested_by.user if job.requested_by else None,
            workspace=workspace,
            verb="contact.import",
            obj=job,
            after={
                "mapping": job.mapping,
                "source": ctx.source,
                "rows": total,
                "created": created,
                "updated": updated,
                "skipped_rows": len(bad_lines),
            },
        )
        emit(
            CONTACTS_IMPORTED,
            workspace.pk,
            actor=job.requested_by,
            object_id=job.pk,
            mapping=job.mapping,
            source=ctx.source,
            created=created,
            updated=updated,
        )


def _spooled(spool: IO[bytes]) -> Iterator[list[row_cleaning.Record]]:
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own spool file, written just above
        except EOFError:
            return


def errors_as_text(job: ImportJob) -> list[str]:
    return [f"line {e['line']}, column {e['column']}: {e['reason']}" for e in job.errors]


__all__ = ["CHUNK", "FileProblem", "Progress", "ValidationError", "errors_as_text", "run_job"]
