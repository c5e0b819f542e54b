"""The playbooks router: upload a case type's BPMN playbook (with its DMN decision tables),
read a case's run (its steps and their state), start one by hand.

A refused file answers 422 with each problem's file, element and line; nothing is changed.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.cases.access import access_case
from rapport.playbooks import actions, selectors
from rapport.playbooks.access import access_playbook
from rapport.playbooks.models import Playbook, PlaybookRun
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
    steps: list[dict[str, str]] = Field(description="Its steps in drawing order: name, kind, lane")
    uploaded_at: datetime


class ProblemOut(Schema):
    file: str
    element: str
    line: int | None
    message: str


class PlaybookRefused(Schema):
    detail: str
    problems: list[ProblemOut]


class StepOut(Schema):
    id: str
    name: str
    lane: str
    assignee: str
    state: str = Field(description="done, current, waiting (on an approval), future or skipped")
    kind: str = Field(description="task, approval, decision or script")
    customer_step: str


class RunOut(Schema):
    id: int
    case_id: int
    playbook_id: int
    playbook: str
    version: int
    status: str
    error: str
    current_step: str
    steps: list[StepOut]
    started_at: datetime
    updated_at: datetime


class StartIn(Schema):
    playbook_id: Id | None = Field(
        None,
        description="Another active playbook than the case type's (a typeless case takes its type)",
    )


def _run(run: PlaybookRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "case_id": run.case_id,
        "playbook_id": run.playbook_id,
        "playbook": run.playbook.name,
        "version": run.playbook.version,
        "status": run.status,
        "error": run.error,
        "current_step": run.current_step,
        "steps": [{k: step.get(k, "") for k in StepOut.model_fields} for step in run.outline or []],
        "started_at": run.started_at,
        "updated_at": run.updated_at,
    }


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
        "steps": p.steps,
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
    type_id: Id,
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


@router.get(
    "/cases/{case_id}/playbook",
    response=RunOut,
    summary="The playbook running on a case: its steps with their state and people",
)
def get_case_playbook(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    m = member(request)
    run = selectors.run_of(access_case(m, case_id))
    if run is None:
        raise Http404("No playbook runs on this case.")
    return _run(run)


@router.post(
    "/cases/{case_id}/playbook",
    response={201: RunOut},
    summary="Start a playbook on a case by hand (agents); a running one answers 400",
)
def start_case_playbook(
    request: HttpRequest, case_id: Id, payload: StartIn
) -> Status[dict[str, Any]]:
    m = member(request)
    case = access_case(m, case_id)
    playbook = access_playbook(m, payload.playbook_id) if payload.playbook_id else None
    return Status(201, _run(actions.start_run(m, case, playbook=playbook)))
