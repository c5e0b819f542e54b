"""A Notification tells one member that something needs them; a NotificationPreference says how
(in the app, by email, both or neither) they want to hear about one kind of thing."""

from django.db import models

from rapport.core.models import Membership, WorkspaceOwned


class Kind(models.TextChoices):
    MENTION = "mention", "Mentioned in a note"
    ASSIGNED = "assigned", "Assigned to you"
    HANDOFF = "handoff", "Handed to you"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"
    APPROVAL_DECIDED = "approval_decided", "Approval decided"
    REPLY_FAILED = "reply_failed", "Reply failed to send"
    ESCALATED = "escalated", "Escalated"
    WATCHING = "watching", "A case you watch changed"
    IDEA = "idea", "An idea you follow changed"
    KUDOS = "kudos", "A colleague thanked you"


#: (in the app, by email) for a kind nobody has changed. Email is for what waits on you.
DEFAULTS: dict[str, tuple[bool, bool]] = {
    Kind.MENTION: (True, True),
    Kind.ASSIGNED: (True, False),
    Kind.HANDOFF: (True, True),
    Kind.APPROVAL_REQUESTED: (True, True),
    Kind.APPROVAL_DECIDED: (True, True),
    Kind.REPLY_FAILED: (True, True),
    Kind.ESCALATED: (True, True),
    Kind.WATCHING: (True, False),
    Kind.IDEA: (True, False),
    Kind.KUDOS: (True, True),
}

#: Why each kind exists, shown beside its switches on the preferences page.
KIND_HELP: dict[str, str] = {
    Kind.MENTION: "A colleague @mentioned you in an internal note.",
    Kind.ASSIGNED: "A conversation or case was assigned to you, by a person or a routing rule.",
    Kind.HANDOFF: "A colleague handed you a conversation, e.g. to ask you as an expert.",
    Kind.APPROVAL_REQUESTED: "A reply or a decision waits for your approval.",
    Kind.APPROVAL_DECIDED: "Something you asked to be approved was approved or rejected.",
    Kind.REPLY_FAILED: "A reply you sent could not be published on its network.",
    Kind.ESCALATED: "A conversation or case was escalated to you.",
    Kind.WATCHING: "A case you watch has a new comment, public update or status.",
    Kind.IDEA: "An idea you follow was planned, shipped or declined.",
    Kind.KUDOS: "A colleague thanked you with kudos for a conversation, case or idea.",
}

TEXT_MAX = 500
URL_MAX = 500


class Notification(WorkspaceOwned):
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=TEXT_MAX)
    url = models.CharField(max_length=URL_MAX, blank=True, help_text="A path in Rapport")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell counts a member's unread ones every few seconds; the page lists them.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"[:200]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """One member's choice for one kind; a kind without a row uses DEFAULTS."""

    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="one_preference_per_kind")
        ]
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}: in-app {self.in_app}, email {self.email}"
