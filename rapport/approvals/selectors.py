"""Reads of approvals: what a member may decide, what they asked for; `access_approval`."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.approvals.models import Approval, Delegation
from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.core.roles import Role

#: The lists of the Approvals page and of `GET /approvals?state=`.
STATES = ("pending", "approved", "rejected", "expired", "withdrawn", "all")
SCOPES = ("to_decide", "requested", "all")


def _roles_held(member: Membership) -> list[str]:
    return [role.value for role in Role if member.has_role(role)]


def _asked_of_q(member: Membership) -> Q:
    """Approvals asked of this member: by name, by a role they hold, or of a team they are in."""
    teams = list(member.teams.values_list("pk", flat=True))
    asked = Q(approver=member) | Q(approver_team_id__in=teams)
    asked |= Q(
        approver__isnull=True, approver_team__isnull=True, approver_role__in=_roles_held(member)
    )
    if member.has_role(Role.ADMIN):
        asked |= Q(approver__isnull=True, approver_team__isnull=True, approver_role="")
    return asked


def to_decide_q(member: Membership) -> Q:
    """Approvals asked of this member, or of someone away whose approvals they decide today;
    never their own requests."""
    asked = _asked_of_q(member)
    for delegation in Delegation.active(member.workspace_id).filter(delegate=member):
        asked |= _asked_of_q(delegation.delegator) & ~Q(requested_by=delegation.delegator)
    return asked & ~Q(requested_by=member)


def visible(member: Membership) -> QuerySet[Approval]:
    """What a member may see: asked of them, asked by them, or everything for admins."""
    qs = Approval.objects.filter(workspace=member.workspace)
    if not member.has_role(Role.ADMIN):
        qs = qs.filter(to_decide_q(member) | Q(requested_by=member))
    return qs.select_related(
        "requested_by__user",
        "approver__user",
        "approver_team",
        "decided_by__user",
        "on_behalf_of__user",
        "content_type",
    )


def access_approval(member: Membership, approval_id: object) -> Approval:
    """One approval the member may see; another workspace's, or one not theirs, is a 404."""
    return access_in_workspace(member, visible(member), approval_id)


def approvals(
    member: Membership, *, state: str = "pending", scope: str = "to_decide", q: str = ""
) -> QuerySet[Approval]:
    """The member's approvals in `state`; a pending one past its expiry counts as expired."""
    qs = visible(member)
    if scope == "to_decide":
        qs = qs.filter(to_decide_q(member))
    elif scope == "requested":
        qs = qs.filter(requested_by=member)
    now = timezone.now()
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    if state == "pending":
        qs = qs.filter(live, state=Approval.State.PENDING)
    elif state == "expired":
        qs = qs.filter(
            Q(state=Approval.State.EXPIRED) | Q(state=Approval.State.PENDING, expires_at__lte=now)
        )
    elif state in Approval.State.values:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(summary__icontains=q) | Q(reason__icontains=q) | Q(comment__icontains=q))
    order = ["expires_at", "created_at", "id"] if state == "pending" else ["-created_at", "-id"]
    return qs.order_by(*order)


def pending_count(member: Membership) -> int:
    now = timezone.now()
    return (
        Approval.objects.filter(workspace=member.workspace, state=Approval.State.PENDING)
        .filter(to_decide_q(member))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .count()
    )


def approvals_of(obj_type: str, object_id: int, member: Membership) -> QuerySet[Approval]:
    """The approvals of one object (e.g. "engagement.reply"), newest first."""
    app_label, model = obj_type.split(".")
    return visible(member).filter(
        content_type__app_label=app_label, content_type__model=model, object_id=object_id
    )


def of_object(member: Membership, obj: models.Model) -> QuerySet[Approval]:
    """Every approval of an object the member may already see (a case of their workspace)."""
    return (
        Approval.objects.filter(
            workspace=member.workspace,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
        )
        .select_related(
            "requested_by__user",
            "approver__user",
            "approver_team",
            "decided_by__user",
            "on_behalf_of__user",
            "content_type",
        )
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )


def approvers_of(approval: Approval) -> list[Membership]:
    """Who is asked, as people: the person, the team's members or the role's holders (exactly
    that role, or above when nobody holds it), and whoever stands in for them today; never the
    requester."""
    ws = approval.workspace_id
    if approval.approver is not None:
        people = [approval.approver]
    elif approval.approver_team is not None:
        people = list(approval.approver_team.members.select_related("user", "workspace"))
    else:
        role = Role(approval.approver_role or Role.ADMIN)
        members = list(
            Membership.objects.filter(workspace_id=ws).select_related("user", "workspace")
        )
        people = [m for m in members if m.role == role] or [m for m in members if m.has_role(role)]
    asked = {m.pk for m in people}
    for delegation in Delegation.active(ws).filter(delegator_id__in=asked):
        people.append(delegation.delegate)
    return [m for m in {m.pk: m for m in people}.values() if m.pk != approval.requested_by_id]
