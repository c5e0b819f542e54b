"""Files attached to an approval request: checked (count, size, type by name and content) and
stored under MEDIA_ROOT with a name of our own; read back only through `access_approval`."""

import time
from collections.abc import Iterable
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from rapport.approvals.events import APPROVAL_FILES_ADDED, tell
from rapport.approvals.models import Approval, ApprovalAttachment
from rapport.core.audit import action, record_by
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require_own_or

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024

#: extension -> (content type served back, magic bytes the file must start with, or None)
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
}


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size // 1024 + 1} KB"


def check(files: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """(file, clean name, content type) for each file, or a ValidationError naming the file
    and what is wrong with it. Nothing is stored here."""
    files = [f for f in files if f is not None]
    if len(files) > MAX_FILES:
        raise ValidationError({"attachments": f"Attach at most {MAX_FILES} files."})
    out = []
    for upload in files:
        name = PurePath((upload.name or "file").replace("\\", "/")).name.strip()[:200] or "file"
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in TYPES:
            allowed = ", ".join(sorted({f".{e}" for e in TYPES}))
            raise ValidationError(
                {"attachments": f"{name}: this kind of file cannot be attached; use {allowed}."}
            )
        size = upload.size or 0
        if size == 0:
            raise ValidationError({"attachments": f"{name} is empty."})
        if size > MAX_BYTES:
            raise ValidationError(
                {"attachments": f"{name} is {_human(size)}; at most {_human(MAX_BYTES)} a file."}
            )
        content_type, magic = TYPES[ext]
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if magic is not None and not head.startswith(magic):
            raise ValidationError(
                {"attachments": f"{name} does not look like a .{ext} file (its content differs)."}
            )
        if magic is None:
            sample = upload.read(4096)
            upload.seek(0)
            if b"\x00" in sample:
                raise ValidationError(
                    {"attachments": f"{name} is not a text file (it holds binary data)."}
                )
        out.append((upload, name, content_type))
    return out


def attach(
    actor: Membership,
    approval: Approval,
    checked: list[tuple[UploadedFile, str, str]],
    verb: str = "approval.attach",
) -> list[ApprovalAttachment]:
    """Stores checked files on the approval (inside the caller's action and transaction)."""
    rows = []
    for upload, name, content_type in checked:
        row = ApprovalAttachment(
            workspace=approval.workspace,
            approval=approval,
            name=name,
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        row.file.save(name, upload, save=False)
        row.save()
        rows.append(row)
    if rows:
        record_by(
            actor,
            verb=verb,
            obj=approval,
            after={"attachments": [r.name for r in rows]},
        )
    return rows


@action("approval.add_files")
def add_files(
    actor: Membership, approval: Approval, uploads: Iterable[UploadedFile]
) -> list[ApprovalAttachment]:
    """The requester (or an admin) adds supporting files to a pending approval."""
    if approval.workspace_id != actor.workspace_id:
        raise ValidationError("This approval belongs to another workspace.")
    require_own_or(actor, approval.requested_by_id, Verb.ASK_APPROVAL, Verb.OTHERS_APPROVALS)
    locked = Approval.objects.select_for_update(of=("self",)).get(pk=approval.pk)
    if locked.state != Approval.State.PENDING:
        raise ValidationError(
            f"This approval is {locked.get_state_display().lower()}; files are added while it "
            "is pending.",
            code="decided",
        )
    checked = check(uploads)
    if not checked:
        raise ValidationError({"attachments": "Send at least one file."})
    room = MAX_FILES - locked.attachments.count()
    if len(checked) > room:
        raise ValidationError(
            {"attachments": f"An approval holds at most {MAX_FILES} files; {room} more fit."}
        )
    stored = attach(actor, locked, checked, verb="approval.add_files")
    tell(APPROVAL_FILES_ADDED, locked, actor, files=len(stored))
    return stored


def remove_orphans(older_than_seconds: int = 3600) -> int:
    """Deletes stored files no attachment row names: left by a request whose transaction rolled
    back after the file was written. Only files older than `older_than_seconds`, so a request
    still in flight keeps its file. Returns how many were deleted."""
    root = Path(settings.MEDIA_ROOT) / "approvals"
    if not root.is_dir():
        return 0
    known = set(ApprovalAttachment.objects.values_list("file", flat=True))
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in root.rglob("*"):
        name = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if path.is_file() and name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
