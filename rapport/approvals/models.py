"""An Approval of any object: requested by a member, of a person or of a role, decided once."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rapport.core.models import Membership, WorkspaceOwned
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
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
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
        if self.approver_role:
            return f"any {Role(self.approver_role).label.lower()}"
        return "an admin"

    def may_decide(self, member: Membership) -> bool:
        """The person asked, or anyone holding the role asked; never the requester."""
        if member.workspace_id != self.workspace_id or member.pk == self.requested_by_id:
            return False
        if self.approver_id is not None:
            return member.pk == self.approver_id
        if self.approver_role:
            return member.has_role(Role(self.approver_role))
        return member.has_role(Role.ADMIN)  # the person asked has left: admins decide
