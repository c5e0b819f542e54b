"""Approvals on the demo cases: the team "Senior credit officers" (Ingrid), the payment
dispute's €620 credit waiting for it (reminded and escalated: it has waited three days), a fee
refund Ingrid approved for Tom, and Ingrid's delegation to Tom for her leave next week, so
"My work" shows something for both. Idempotent; loaded right after the demo cases."""

import datetime

from django.utils import timezone

from rapport.approvals import actions as approvals
from rapport.approvals import delegations, reminders
from rapport.approvals.models import Approval, Delegation
from rapport.cases import actions
from rapport.cases.approvals import pending_for, request_case_approval
from rapport.cases.models import Case, Status
from rapport.core import actions as core
from rapport.core.models import Membership, Team, Workspace

SENIOR_CREDIT = "Senior credit officers"


def _senior_credit_team(owner: Membership, ingrid: Membership) -> Team:
    team = Team.objects.filter(workspace=owner.workspace, name=SENIOR_CREDIT).first()
    if team is None:
        team = core.create_team(
            owner,
            name=SENIOR_CREDIT,
            description="Approve credits, refunds and write-offs above the agents' limit.",
        )
    if not team.members.filter(pk=ingrid.pk).exists():
        core.add_team_member(owner, team, ingrid)
    return team


def load(workspace: Workspace, owner: Membership) -> None:
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    ingrid, tom, sam = (members.get(f"{n}@acme.example") for n in ("ingrid", "tom", "sam"))
    if ingrid is None or tom is None or sam is None:
        return
    team = _senior_credit_team(owner, ingrid)
    ours = Approval.objects.filter(
        workspace=workspace, content_type__app_label="cases", content_type__model="case"
    )

    dispute = Case.objects.filter(
        workspace=workspace, subject="Mortgage payment taken twice"
    ).first()
    if (
        dispute is not None
        and not ours.filter(object_id=dispute.pk).exists()
        and not pending_for(dispute)
    ):
        credit = request_case_approval(
            sam,
            dispute,
            approver_team=team,
            amount="620.00",
            reason=(
                "The May mortgage payment was collected twice (ledger ref MX-2291, confirmed by "
                "Tom). Credit the second collection back; above the €500 agent limit."
            ),
            summary="Credit €620 back for the double mortgage collection",
        )
        # It has waited three days and a half: reminded, then escalated above the team.
        Approval.objects.filter(pk=credit.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=84)
        )
        credit.refresh_from_db()
        reminders.remind(credit, timezone.now())
        reminders.escalate(credit, timezone.now())

    fee = Case.objects.filter(
        workspace=workspace, subject="Fee refund for a failed transfer"
    ).first()
    if fee is not None and not ours.filter(object_id=fee.pk).exists() and not pending_for(fee):
        was = fee.status
        approval = request_case_approval(
            tom,
            fee,
            approver=ingrid,
            amount="25.00",
            reason="The transfer failed at the receiving bank, not with us; refund our €25 fee.",
            summary="Refund the €25 transfer fee",
        )
        approvals.decide(
            ingrid, approval, decision="approve", comment="Refund it; the bank's trace can follow."
        )
        fee.refresh_from_db()
        if was == Status.WAITING_THIRD_PARTY and fee.status == Status.OPEN:
            actions.transition(ingrid, fee, to=Status.WAITING_THIRD_PARTY)

    if not Delegation.objects.filter(workspace=workspace, delegator=ingrid).exists():
        next_monday = timezone.localdate() + datetime.timedelta(
            days=7 - timezone.localdate().weekday()
        )
        delegations.delegate(
            ingrid,
            to=tom,
            starts_on=next_monday,
            ends_on=next_monday + datetime.timedelta(days=4),
        )
