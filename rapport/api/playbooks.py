"""The playbooks router: upload a case type's BPMN playbook (with its DMN decision tables).

A refused file answers 422 with each problem's file, element and line; nothing is changed.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from rapport.api.auth import member
from rapport.playbooks.models import Playbook
from rapport.playbooks.uploads import upload_files
from rapport.playbooks.validate import PlaybookInvalid

router = Router(tags=["playbooks"])


class PlaybookOut(Schema):
    id: int
    case_type_id: int
    name: str
    process_id: str
    version: int
    active: bool
    bpmn_filename: str
    dmn_filenames: list[str]
    uploaded_at: datetime


class ProblemOut(Schema):
    file: str
    element: str
    line: int | None
    message: str


class PlaybookRefused(Schema):
    detail: str
    problems: list[ProblemOut]


def _playbook(p: Playbook) -> dict[str, Any]:
    return {
        "id": p.pk,
        "case_type_id": p.case_type_id,
        "name": p.name,
        "process_id": p.process_id,
        "version": p.version,
        "active": p.active,
        "bpmn_filename": p.bpmn_filename,
        "dmn_filenames": list(p.dmn),
        "uploaded_at": p.uploaded_at,
    }


@router.post(
    "/case-types/{type_id}/playbook",
    response={201: PlaybookOut, 422: PlaybookRefused},
    summary="Upload the case type's playbook: a .bpmn file and optional .dmn files (admins)",
    description=(
        "Multipart form with `bpmn` (one BPMN 2.0 file) and `dmn` (zero or more DMN files). "
        "The upload becomes the case type's active playbook; cases opened from then on follow "
        "it. A refused file answers 422 with each problem's file, element and line."
    ),
)
def upload_playbook(
    request: HttpRequest,
    type_id: int,
    bpmn: File[UploadedFile],
    dmn: list[UploadedFile] = File(None),  # noqa: B008 - ninja's way to declare a file part
) -> Status[dict[str, Any]]:
    m = member(request)
    try:
        playbook = upload_files(m, type_id, bpmn, list(dmn or []))
    except PlaybookInvalid as invalid:
        return Status(
            422,
            {
                "detail": "; ".join(str(p) for p in invalid.problems),
                "problems": [p.as_dict() for p in invalid.problems],
            },
        )
    return Status(201, _playbook(playbook))
