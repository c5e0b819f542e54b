"""The engagement policy of a workspace, canned responses, and replies with their outbox state."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from rapport.core.models import Membership, Team, WorkspaceOwned
from rapport.core.roles import Role
from rapport.listening.models import Post


def default_approval_roles() -> list[str]:
    return [Role.EMPLOYEE.value]


class EngagementPolicy(WorkspaceOwned):
    """What a reply may say, who must disclose they work here, and what needs an approval."""

    forbidden_phrases = models.JSONField(default=list, blank=True)
    sensitive_topics = models.JSONField(
        default=list, blank=True, help_text="Keywords: a reply mentioning one needs an approval"
    )
    block_card_numbers = models.BooleanField(default=True)
    block_account_numbers = models.BooleanField(default=True)
    block_emails = models.BooleanField(default=True)
    block_phone_numbers = models.BooleanField(default=True)
    public_contacts = models.JSONField(
        default=list, blank=True, help_text="Emails and phone numbers the company publishes"
    )
    disclosure = models.CharField(
        max_length=200, blank=True, help_text="e.g. “I work at Acme Bank.”; empty: none asked"
    )
    designated_role = models.CharField(
        max_length=20,
        choices=Role.choices,
        default=Role.AGENT,
        help_text="Members with this role or above speak for the company without a disclosure",
    )
    designated_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    approval_roles = models.JSONField(
        default=default_approval_roles,
        blank=True,
        help_text="Replies by members with exactly these roles need an approval",
    )
    approver_role = models.CharField(max_length=20, choices=Role.choices, default=Role.MANAGER)
    approval_hours = models.PositiveIntegerField(default=48)
    tone_check = models.BooleanField(default=True)
    record_only = models.BooleanField(
        default=False,
        help_text="The outbox records what would be posted instead of posting (demo, trials)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="one_engagement_policy")]
        verbose_name_plural = "engagement policies"

    def __str__(self) -> str:
        return f"Engagement policy of workspace {self.workspace_id}"


class CannedResponse(WorkspaceOwned):
    """A reply written once and reused, with variables such as {{ contact.first_name }}."""

    name = models.CharField(max_length=100)
    text = models.TextField()
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_canned_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Reply(WorkspaceOwned):
    """An answer to a post, as written, checked, approved and published. Text is ours, but is
    shown escaped like any other text."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private message"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_APPROVAL = "pending_approval", "Waiting for approval"
        APPROVED = "approved", "Approved"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="replies"
    )
    network = models.CharField(max_length=30)
    text = models.TextField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    findings = models.JSONField(default=list, blank=True)
    canned_response = models.ForeignKey(
        CannedResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_link = models.URLField(
        max_length=500, null=True, blank=True, help_text="The public status page of the issue"
    )
    network_id = models.CharField(max_length=200, blank=True, help_text="Set once published")
    network_url = models.URLField(max_length=1000, blank=True)
    recorded_only = models.BooleanField(
        default=False, help_text="Recorded as “would post” instead of posted (record-only mode)"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: A post has at most one reply on its way at a time: two agents cannot both answer it.
    IN_FLIGHT = (Status.PENDING_APPROVAL, Status.APPROVED, Status.QUEUED, Status.SENDING)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(status__in=["pending_approval", "approved", "queued", "sending"]),
                name="one_reply_in_flight_per_post",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-created_at"], name="reply_status"),
        ]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply to {self.network} post {self.post_id}"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT
