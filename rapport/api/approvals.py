"""The approvals router: what waits for the caller's decision, and deciding it once."""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.api.engagement import BlockedOut, blocked_out
from rapport.api.pagination import Pages
from rapport.api.schemas import ErrorOut
from rapport.approvals import actions, delegations, selectors
from rapport.approvals.models import Approval, Delegation
from rapport.core.access import access_member
from rapport.engagement.actions import ReplyBlocked

router = Router(tags=["approvals"])


class ApprovalOut(Schema):
    id: int
    summary: str
    reason: str
    state: str = Field(..., description="pending, approved, rejected, expired or withdrawn")
    subject_type: str = Field(..., description="What is approved, e.g. engagement.reply")
    subject_id: int = Field(..., alias="object_id")
    requested_by: str | None
    approver_id: int | None = Field(None, description="The member asked, when a person is asked")
    approver_role: str = Field(..., description="Anyone with this role or above may decide")
    approver_team_id: int | None = Field(None, description="Any member of this team may decide")
    amount: str | None = Field(None, description="The sum at stake, as a decimal string")
    asked_of: str
    may_decide: bool
    decided_by: str | None
    on_behalf_of: str | None = Field(
        None, description="Whom the decider stood in for (a delegation while they were away)"
    )
    decided_at: datetime | None
    comment: str
    attachments: list[str] = Field(..., description="The names of the files attached")
    expires_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_state(obj: Approval) -> str:
        return Approval.State.EXPIRED if obj.is_expired else obj.state

    @staticmethod
    def resolve_subject_type(obj: Approval) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_requested_by(obj: Approval) -> str | None:
        return obj.requested_by.user.email if obj.requested_by else None

    @staticmethod
    def resolve_decided_by(obj: Approval) -> str | None:
        return obj.decided_by.user.email if obj.decided_by else None

    @staticmethod
    def resolve_on_behalf_of(obj: Approval) -> str | None:
        return obj.on_behalf_of.user.email if obj.on_behalf_of else None

    @staticmethod
    def resolve_amount(obj: Approval) -> str | None:
        return str(obj.amount) if obj.amount is not None else None

    @staticmethod
    def resolve_attachments(obj: Approval) -> list[str]:
        return [a.name for a in obj.attachments.all()]

    @staticmethod
    def resolve_may_decide(obj: Approval, context: dict[str, Any]) -> bool:
        viewer = member(context["request"])
        return obj.state == Approval.State.PENDING and not obj.is_expired and obj.may_decide(viewer)


class DecisionIn(Schema):
    decision: Literal["approve", "reject"]
    comment: str = Field("", max_length=actions.MAX_COMMENT, description="Required to reject")
    edits: dict[str, str] | None = Field(
        None,
        description='Changes made while approving (edit and approve), e.g. {"text": "…"} for a '
        "reply; refused when rejecting or for fields the object does not allow.",
    )


@router.get(
    "/approvals",
    response=list[ApprovalOut],
    summary="Approvals asked of you (or your role), or asked by you",
)
@paginate(Pages, page_size=50)
def list_approvals(
    request: HttpRequest,
    state: Literal["pending", "approved", "rejected", "expired", "withdrawn", "all"] = "pending",
    scope: Literal["to_decide", "requested", "all"] = "to_decide",
    q: str = "",
) -> QuerySet[Approval]:
    """`scope=to_decide` (the default) lists what you may decide; `requested` what you asked
    for; `all` everything you may see. A pending approval past its expiry counts as expired."""
    m = member(request)
    found = selectors.approvals(m, state=state, scope=scope, q=q.strip()[:200])
    return found.prefetch_related("attachments")  # each answer names its files


@router.get("/approvals/{approval_id}", response=ApprovalOut, summary="One approval")
def get_approval(request: HttpRequest, approval_id: Id) -> Approval:
    return selectors.access_approval(member(request), approval_id)


@router.post(
    "/approvals/{approval_id}/decision",
    response={200: ApprovalOut, 409: ErrorOut, 422: BlockedOut},
    summary="Approve or reject (once; never your own request; a reason to reject)",
)
def decide(request: HttpRequest, approval_id: Id, payload: DecisionIn) -> Status[Any]:
    """409 when it was decided already or has expired; 403 when it is not yours to decide
    (always for the member who asked: maker-checker); a delegate decides on behalf of the away
    approver, and `on_behalf_of` says so;
    422 with the policy's findings when edits to a reply would break the engagement policy."""
    m = member(request)
    approval = selectors.access_approval(m, approval_id)
    try:
        decided = actions.decide(
            m, approval, decision=payload.decision, comment=payload.comment, edits=payload.edits
        )
    except actions.ApprovalExpired as expired:
        actions.expire(approval)
        return Status(409, {"detail": expired.messages[0]})
    except ReplyBlocked as blocked:  # the approver's edits broke the policy
        return Status(422, blocked_out(blocked))
    except ValidationError as error:
        if getattr(error, "code", None) == "decided":
            return Status(409, {"detail": error.messages[0]})
        raise
    return Status(200, selectors.access_approval(m, decided.pk))


# Delegation while away ---------------------------------------------------------------------


class DelegationOut(Schema):
    id: int
    delegator_id: int
    delegator: str
    delegate_id: int
    delegate: str
    starts_on: date
    ends_on: date = Field(..., description="The last day, inclusive")
    ended_at: datetime | None = Field(None, description="Set when it was called off early")

    @staticmethod
    def resolve_delegator(obj: Delegation) -> str:
        return obj.delegator.user.email

    @staticmethod
    def resolve_delegate(obj: Delegation) -> str:
        return obj.delegate.user.email


class DelegationIn(Schema):
    delegate_id: Id = Field(..., description="The member who decides your approvals meanwhile")
    starts_on: date
    ends_on: date = Field(..., description="The last day, inclusive")
    delegator_id: Id | None = Field(
        None, description="Admins only: delegate someone else's approvals"
    )


@router.get(
    "/approval-delegations",
    response=list[DelegationOut],
    summary="Your delegations and those to you that have not ended",
)
def list_delegations(request: HttpRequest) -> list[Delegation]:
    return list(delegations.delegations_of(member(request)))


@router.post(
    "/approval-delegations",
    response={201: DelegationOut},
    summary="While you are away, let a colleague decide your approvals (dates inclusive)",
)
def create_delegation(request: HttpRequest, payload: DelegationIn) -> Status[Any]:
    """The delegate decides what is asked of you (by name, role or team) on those days, and each
    decision says it was made on your behalf. 400 names the problem: yourself, the past, an
    overlap with another of your delegations."""
    m = member(request)
    row = delegations.delegate(
        m,
        to=access_member(m, payload.delegate_id),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        delegator=access_member(m, payload.delegator_id) if payload.delegator_id else None,
    )
    return Status(201, row)


@router.post(
    "/approval-delegations/{delegation_id}/end",
    response=DelegationOut,
    summary="End a delegation now (back early)",
)
def end_delegation(request: HttpRequest, delegation_id: Id) -> Delegation:
    m = member(request)
    return delegations.end_delegation(m, delegations.access_delegation(m, delegation_id))
