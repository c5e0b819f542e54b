"""Starting an import: the job, its file kept in storage, and the background task.

An upload is saved to the default storage as `imports/<workspace>/<job>` (on several machines,
point the default storage at a shared one); the task reads it from there and deletes it once
the rows are in. A dry run keeps it, so "import now" after the report needs no second upload.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from rapport.contacts.imports.mappings import CONTACT_IMPORT_FIELDS, PRESETS, get_mapping
from rapport.contacts.imports.readers import FileProblem, check_size
from rapport.contacts.models import ImportJob
from rapport.core.audit import action, record_by
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require

SOURCE_MAX = 40


def file_name(job: ImportJob) -> str:
    return f"imports/{job.workspace_id}/{job.pk}"


def clean_columns(
    mapping: str, columns: dict[str, str] | None, *, later: bool = False
) -> dict[str, str]:
    """The custom mapping's field -> column choices; only known fields, at least a name.

    `later`: none yet is fine, they are chosen from the file's header on the next page.
    """
    if mapping != "custom":
        return {}
    chosen = {k: (v or "").strip() for k, v in (columns or {}).items() if (v or "").strip()}
    if later and not chosen:
        return {}
    unknown = sorted(set(chosen) - set(CONTACT_IMPORT_FIELDS))
    if unknown:
        raise ValidationError({"columns": f"Unknown field(s): {', '.join(unknown)}."})
    if not {"name", "first_name", "last_name", "email"} & set(chosen):
        raise ValidationError(
            {"columns": "Choose the column holding the name (or first/last name) or the email."}
        )
    return chosen


def clean_source(source: str, mapping: str) -> str:
    source = (source or "").strip().lower() or get_mapping(mapping).source
    if len(source) > SOURCE_MAX or not source.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(
            {"source": f"The source is a short name of letters and digits (at most {SOURCE_MAX})."}
        )
    return source


def new_job(
    actor: Membership | None,
    workspace_id: int,
    *,
    filename: str,
    mapping: str,
    dry_run: bool,
    valid_rows_only: bool,
    columns: dict[str, str] | None = None,
    source: str = "",
    columns_later: bool = False,
) -> ImportJob:
    if mapping not in PRESETS:
        raise ValidationError(
            {"mapping": f"Unknown mapping {mapping!r}; use one of {', '.join(PRESETS)}."}
        )
    return ImportJob.objects.create(
        workspace_id=workspace_id,
        filename=(filename or "import")[-255:],
        mapping=mapping,
        source=clean_source(source, mapping),
        columns=clean_columns(mapping, columns, later=columns_later),
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        state=ImportJob.State.QUEUED,
        requested_by=actor,
    )


@action("contact.import.start")
def start_import(
    actor: Membership,
    upload: UploadedFile,
    *,
    mapping: str,
    dry_run: bool = True,
    valid_rows_only: bool = False,
    columns: dict[str, str] | None = None,
    source: str = "",
    columns_later: bool = False,
) -> ImportJob:
    """Keeps the uploaded file and queues its check (a dry run) or its import; a custom file
    uploaded with `columns_later` waits for `choose_columns`."""
    require(actor, Verb.IMPORT_CONTACTS)
    try:
        check_size(upload.size or 0)
    except FileProblem as exc:
        raise ValidationError({"file": exc.messages}) from None
    if not upload.size:
        raise ValidationError({"file": "The file is empty."})
    job = new_job(
        actor,
        actor.workspace_id,
        filename=Path(upload.name or "import").name,
        mapping=mapping,
        dry_run=dry_run,
        valid_rows_only=valid_rows_only,
        columns=columns,
        source=source,
        columns_later=columns_later,
    )
    default_storage.save(file_name(job), upload)
    record_by(
        actor,
        verb="contact.import.start",
        obj=job,
        after={"filename": job.filename, "mapping": mapping, "dry_run": dry_run},
    )
    if not waiting_for_columns(job):
        _enqueue(job)
    return job


def waiting_for_columns(job: ImportJob) -> bool:
    """A custom import whose columns are still to be chosen (from the file's header)."""
    return job.mapping == "custom" and not job.columns and job.state == ImportJob.State.QUEUED


def file_columns(job: ImportJob) -> list[str]:
    """The header of the job's kept file, for choosing a custom mapping's columns."""
    from rapport.contacts.imports.readers import open_table

    with local_copy(file_name(job)) as path:
        return [c for c in open_table(path, "csv").columns if c]


@action("contact.import.columns")
def choose_columns(actor: Membership, job: ImportJob, *, columns: dict[str, str]) -> ImportJob:
    """Sets a custom import's field -> column choices and queues its check."""
    require(actor, Verb.IMPORT_CONTACTS)
    if job.workspace_id != actor.workspace_id:
        raise ValidationError("This import belongs to another workspace.")
    if not waiting_for_columns(job):
        raise ValidationError("This import's columns are already chosen.")
    job.columns = clean_columns("custom", columns)
    job.save(update_fields=["columns"])
    record_by(actor, verb="contact.import.columns", obj=job, after={"columns": job.columns})
    _enqueue(job)
    return job


@action("contact.import.confirm")
def confirm_import(actor: Membership, job: ImportJob, *, valid_rows_only: bool) -> ImportJob:
    """Imports a file that was checked (or refused for its errors), without a second upload."""
    require(actor, Verb.IMPORT_CONTACTS)
    if job.workspace_id != actor.workspace_id:
        raise ValidationError("This import belongs to another workspace.")
    if job.state not in (ImportJob.State.CHECKED, ImportJob.State.FAILED):
        raise ValidationError(f"This import is {job.get_state_display().lower()}; it cannot start.")
    if not default_storage.exists(file_name(job)):
        raise ValidationError("The file of this import is no longer kept; upload it again.")
    job.dry_run = False
    job.valid_rows_only = valid_rows_only
    job.state = ImportJob.State.QUEUED
    job.processed_rows = job.created_count = job.updated_count = 0
    job.finished_at = None
    job.message = ""
    job.requested_by = actor
    job.save()
    record_by(
        actor,
        verb="contact.import.confirm",
        obj=job,
        after={"valid_rows_only": valid_rows_only},
    )
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from rapport.contacts.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """The stored file as a local path (a copy when the storage is not a local disk)."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".import") as tmp:
        with default_storage.open(name, "rb") as stored:
            shutil.copyfileobj(stored, tmp)
        tmp.flush()
        yield Path(tmp.name)
