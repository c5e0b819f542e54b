"""Approvals on a case: ask a person, a role or a team to approve (the case waits on it), and
list a case's approvals. Deciding goes through `POST /approvals/{id}/decision`."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from rapport.api.approvals import ApprovalOut
from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.api.schemas import ErrorOut
from rapport.approvals import attachments, selectors
from rapport.approvals.models import Approval
from rapport.cases.access import access_case
from rapport.cases.approvals import request_case_approval
from rapport.core.access import access_member, access_team

router = Router(tags=["approvals"])


class CaseApprovalIn(Schema):
    approver_id: Id | None = Field(None, description="The member asked (one of the three)")
    approver_role: str = Field(
        "", description="Or a role: anyone holding it or a higher one may decide"
    )
    approver_team_id: Id | None = Field(None, description="Or a team: any member may decide")
    amount: str | float | None = Field(
        None, description='The sum at stake, e.g. "1250.00" (at most two decimals)'
    )
    reason: str = Field("", max_length=5000, description="Why it needs an approval")
    summary: str = Field(
        "", max_length=200, description="What is asked, in a line (made from the case if empty)"
    )


@router.post(
    "/cases/{case_id}/approvals",
    response={201: ApprovalOut},
    summary="Ask a person, a role or a team to approve something on a case (it waits on it)",
)
def request(request: HttpRequest, case_id: Id, payload: CaseApprovalIn) -> Status[Any]:
    """Give exactly one of `approver_id`, `approver_role`, `approver_team_id`. The case moves to
    waiting on approval; 400 names the problem (your own approval, a team with nobody else in
    it, a bad amount, a resolved case, one already pending) and nothing changes."""
    m = member(request)
    case = access_case(m, case_id)
    approval = request_case_approval(
        m,
        case,
        approver=access_member(m, payload.approver_id) if payload.approver_id else None,
        approver_role=payload.approver_role.strip().lower(),
        approver_team=access_team(m, payload.approver_team_id)
        if payload.approver_team_id
        else None,
        amount=payload.amount,
        reason=payload.reason,
        summary=payload.summary,
    )
    return Status(201, selectors.access_approval(m, approval.pk))


@router.get(
    "/cases/{case_id}/approvals",
    response=list[ApprovalOut],
    summary="A case's approvals that you may see, newest first",
)
def list_for_case(request: HttpRequest, case_id: Id) -> QuerySet[Approval]:
    m = member(request)
    case = access_case(m, case_id)
    return selectors.of_object(m, case)


@router.post(
    "/approvals/{approval_id}/attachments",
    response={201: ApprovalOut, 409: ErrorOut},
    summary="Add supporting files to a pending approval you asked for (multipart, field `files`)",
)
def add_attachments(
    request: HttpRequest,
    approval_id: Id,
    files: list[UploadedFile] = File(...),  # noqa: B008 - ninja's way to declare a file part
) -> Status[Any]:
    """Up to 5 files per approval, 10 MB each: PDF, PNG, JPEG, GIF, text, CSV or office files,
    checked by name and content (400 names the file and the problem); 403 for anyone but the
    requester (or an admin); 409 once the approval is decided."""
    m = member(request)
    approval = selectors.access_approval(m, approval_id)
    try:
        attachments.add_files(m, approval, files)
    except ValidationError as error:
        if getattr(error, "code", None) == "decided":
            return Status(409, {"detail": error.messages[0]})
        raise
    return Status(201, selectors.access_approval(m, approval.pk))
