"""An Approval of any object: requested by a member, of a person, a role or a team, decided once;
its attachments; a member's delegation of their approvals while away; the workspace's timers."""

import datetime
import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rapport.core.models import Membership, Team, WorkspaceOwned
from rapport.core.roles import Role


class Approval(WorkspaceOwned):
    """A request that someone approves or rejects an object (a reply, a credit) before it acts."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    summary = models.CharField(max_length=200, help_text="What is asked, in a line")
    reason = models.TextField(blank=True, help_text="Why it needs an approval")
    requested_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="approvals_requested"
    )
    approver = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approvals_to_decide",
        help_text="The person asked; empty when a role is asked",
    )
    approver_role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="Anyone with this role or above may decide",
    )
    approver_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Any member of this team may decide",
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="The sum at stake"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    on_behalf_of = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whom the decider stood in for (a delegation while they were away)",
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state="pending"),
                name="one_pending_approval_per_object",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "state", "-created_at"], name="approval_state"),
            models.Index(fields=["content_type", "object_id"], name="approval_subject"),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_expired(self) -> bool:
        """Past its expiry while still pending (the expiry task marks it so later)."""
        if self.state == self.State.EXPIRED:
            return True
        return (
            self.state == self.State.PENDING
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def asked_of(self) -> str:
        """Whom it is asked of, in words: a person's name or "any manager"."""
        if self.approver_id is not None and self.approver is not None:
            return str(self.approver.user)
        if self.approver_team_id is not None and self.approver_team is not None:
            return f"the {self.approver_team.name} team"
        if self.approver_role:
            return f"any {Role(self.approver_role).label.lower()}"
        return "an admin"

    @property
    def decided_by_label(self) -> str:
        """Who decided, in words: "Tom Becker on behalf of Ingrid Sorensen" for a delegate."""
        if self.decided_by is None:
            return "nobody" if self.state == self.State.PENDING else "Rapport"
        if self.on_behalf_of_id is not None and self.on_behalf_of is not None:
            return f"{self.decided_by.user} on behalf of {self.on_behalf_of.user}"
        return str(self.decided_by.user)

    def asked_directly(self, member: Membership) -> bool:
        """The person asked, anyone holding the role asked or in the team asked; never the
        requester (maker-checker)."""
        if member.workspace_id != self.workspace_id or member.pk == self.requested_by_id:
            return False
        if self.approver_id is not None:
            return member.pk == self.approver_id
        if self.approver_team_id is not None:
            return member.teams.filter(pk=self.approver_team_id).exists()
        if self.approver_role:
            return member.has_role(Role(self.approver_role))
        return member.has_role(Role.ADMIN)  # the person or team asked is gone: admins decide

    def stands_in_for(
        self, member: Membership, on: datetime.date | None = None
    ) -> Membership | None:
        """The away member whose approvals `member` decides today by delegation, when one of
        them was asked (and neither is the requester)."""
        if member.workspace_id != self.workspace_id or member.pk == self.requested_by_id:
            return None
        for delegation in Delegation.active(self.workspace_id, on).filter(delegate=member):
            if self.asked_directly(delegation.delegator):
                return delegation.delegator
        return None

    def may_decide(self, member: Membership) -> bool:
        """Asked directly, or standing in for someone asked; never the requester."""
        return self.asked_directly(member) or self.stands_in_for(member) is not None


def _upload_to(attachment: "ApprovalAttachment", filename: str) -> str:
    # The stored name is ours (never the uploader's path); the original name is kept in `name`.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"approvals/{attachment.workspace_id}/{uuid.uuid4().hex}.{ext}"


class ApprovalAttachment(WorkspaceOwned):
    """A file that supports an approval request (an invoice, a statement), under MEDIA_ROOT."""

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_upload_to, max_length=200)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Delegation(WorkspaceOwned):
    """While `delegator` is away (from `starts_on` to `ends_on`, inclusive), `delegate` may
    decide the approvals asked of them."""

    delegator = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Set when called off early")

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["workspace", "delegate", "ends_on"], name="delegation_to")]

    def __str__(self) -> str:
        return f"{self.delegator.user} → {self.delegate.user}, {self.starts_on} to {self.ends_on}"

    @classmethod
    def active(
        cls, workspace_id: int, on: datetime.date | None = None
    ) -> models.QuerySet["Delegation"]:
        on = on or timezone.localdate()
        return cls.objects.filter(
            workspace_id=workspace_id, starts_on__lte=on, ends_on__gte=on, ended_at__isnull=True
        ).select_related("delegator__user", "delegate__user")


class ApprovalTimers(models.Model):
    """When a pending approval is reminded to its approver, and escalated above them."""

    workspace = models.OneToOneField(
        "core.Workspace", on_delete=models.CASCADE, related_name="approval_timers"
    )
    remind_after_hours = models.PositiveIntegerField(default=24)
    escalate_after_hours = models.PositiveIntegerField(default=72)

    def __str__(self) -> str:
        remind, escalate = self.remind_after_hours, self.escalate_after_hours
        return f"remind after {remind} h, escalate after {escalate} h"
