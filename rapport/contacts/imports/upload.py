"""Refusing an upload that is too big before it is read: by its Content-Length, and by
counting bytes as they arrive (a client may not send one, or may lie)."""

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from rapport.contacts.imports.readers import max_bytes, size_label

#: multipart overhead (boundaries, the other fields) allowed above the file's own limit
OVERHEAD = 64 * 1024


class SizeLimit(FileUploadHandler):
    """First of the request's upload handlers: stops the upload once it passes the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None


def too_big(request: HttpRequest) -> str:
    """Why this request's upload is refused before reading it, or "" (and arms the counter).

    Call before touching request.POST or request.FILES.
    """
    limit = max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + OVERHEAD:
        return (
            f"The file is about {size_label(declared)}; an import takes at most"
            f" {size_label(limit)}. Split it into smaller files."
        )
    handler = SizeLimit(request, limit)
    request.upload_handlers.insert(0, handler)
    request._import_size_limit = handler  # type: ignore[attr-defined]
    return ""


def stopped(request: HttpRequest) -> str:
    """After reading request.FILES: why the upload was cut off, or ""."""
    handler = getattr(request, "_import_size_limit", None)
    if handler is not None and handler.exceeded:
        return f"The file is over {size_label(handler.limit)}, the most an import takes."
    return ""
