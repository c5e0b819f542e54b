"""Ideas models: Idea (with its product Area, status history and merges of duplicates), Vote (one
counted per person, a person being a contact), Follower, Comment, the Announcement of a status
change to each voter and follower, the public Portal of a workspace and its one-time sign-in links.

A vote is always a contact's: a customer who only ever tweeted votes through the contact their
identity resolves to, a portal visitor through the contact of their email, and an employee who
votes for a customer names that customer. Two identities of one person are one contact, so they
vote once; a merge of two contacts keeps one counted vote per idea (`ideas/wiring.py`).
"""

from django.db import models
from django.db.models import Q

from rapport.core.models import Membership, WorkspaceOwned


class Status(models.TextChoices):
    NEW = "new", "New"
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    DECLINED = "declined", "Declined"


#: The changes voters and followers are told about, on the channel they used.
ANNOUNCED = (Status.PLANNED, Status.SHIPPED, Status.DECLINED)
#: Open for votes (a shipped or declined idea keeps its votes but takes no more).
VOTABLE = (Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS)


class Origin(models.TextChoices):
    PORTAL = "portal", "Portal"
    POST = "post", "Post"
    CONVERSATION = "conversation", "Conversation"
    CASE = "case", "Case"
    EMPLOYEE = "employee", "Employee"


class Area(WorkspaceOwned):
    """A product area ideas are filed under ("Mobile app", "Cards")."""

    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="idea_area_name")]

    def __str__(self) -> str:
        return self.name


#: The ideas a list shows: not merged into another.
LISTED = Q(merged_into__isnull=True)


class Idea(WorkspaceOwned):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="A safe subset of Markdown")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    status_note = models.TextField(blank=True, help_text="Public: why, when, what next")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    author_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        "listening.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_cases = models.ManyToManyField("cases.Case", blank=True, related_name="+")
    linked_tasks = models.ManyToManyField("cases.Task", blank=True, related_name="+")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    #: Counted votes (one per person), kept with each vote so lists sort without counting.
    vote_count = models.PositiveIntegerField(default=0)
    #: ln of the sum over counted votes of e^(age of the epoch at the vote / TREND_DAYS): sorted
    #: by it, ideas rank by votes that count less the older they are, without a periodic update.
    trend = models.FloatField(default=-1e9)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-vote_count", "-id"]
        # Each sort of the portal's list reads its first page straight off its index (every
        # column of its ORDER BY, ties included), a status filter and the count of each status
        # too; partial (merged ideas are never listed) because PostgreSQL does not take
        # `merged_into IS NULL` as fixing an index's order. `idea_changed` finds a workspace's
        # latest change (similar ideas' index).
        indexes = [
            models.Index(
                fields=["workspace", "-vote_count", "-id"], name="idea_top", condition=LISTED
            ),
            models.Index(
                fields=["workspace", "-trend", "-vote_count", "-id"],
                name="idea_trending",
                condition=LISTED,
            ),
            models.Index(
                fields=["workspace", "-created_at", "-id"], name="idea_new", condition=LISTED
            ),
            models.Index(
                fields=["workspace", "status", "-vote_count", "-id"],
                name="idea_status",
                condition=LISTED,
            ),
            models.Index(fields=["workspace", "updated_at"], name="idea_changed"),
        ]

    def __str__(self) -> str:
        return self.title


class StatusChange(WorkspaceOwned):
    """One line of an idea's public status history; its announcements hang on it."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    before = models.CharField(max_length=16, choices=Status.choices)
    after = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    #: When its voters and followers were listed for its announcements (planned, shipped and
    #: declined only): set once, so a retried task never lists them, nor notifies members, twice.
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Vote(WorkspaceOwned):
    class Source(models.TextChoices):
        PORTAL = "portal", "Portal"
        POST = "post", "Post"
        EMPLOYEE = "employee", "Employee for the customer"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    post = models.ForeignKey(
        "listening.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The contact's tier and lifetime value when they voted.
    tier = models.CharField(max_length=10, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    #: False for a vote kept for the record that counts no more: the same person's second vote,
    #: found when their contacts or the ideas were merged.
    counted = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "contact"], condition=Q(counted=True), name="one_vote_per_person"
            )
        ]
        indexes = [models.Index(fields=["idea", "created_at"], name="vote_idea_time")]


class Follower(WorkspaceOwned):
    """Someone told about an idea's changes: a contact (told on their channel) or a member."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="followers")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(member__isnull=False),
                name="follower_is_someone",
            ),
        ]
        indexes = [models.Index(fields=["idea", "contact"], name="follower_contact")]


class Comment(WorkspaceOwned):
    """A comment on an idea: public (shown on the portal) or internal (staff only)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    author_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Announcement(WorkspaceOwned):
    """One voter's or follower's news of one status change: sent on their channel, or skipped
    with the reason (do-not-contact, no consent, nowhere to reach them)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    change = models.ForeignKey(StatusChange, on_delete=models.CASCADE, related_name="announcements")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="announcements")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=30, help_text="email, or the network of their post")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField(max_length=200, blank=True)
    post = models.ForeignKey(
        "listening.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.ForeignKey(
        "engagement.Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["change", "contact"], name="announcement_once")]


class Portal(models.Model):
    """A workspace's public idea portal: its look and whether it is open."""

    workspace = models.OneToOneField(
        "core.Workspace", on_delete=models.CASCADE, related_name="idea_portal"
    )
    enabled = models.BooleanField(default=True)
    title = models.CharField(max_length=120, blank=True)
    intro = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#2563eb", help_text="#rrggbb")
    accent = models.CharField(max_length=7, default="#0f172a", help_text="#rrggbb")

    def __str__(self) -> str:
        return self.title or f"Ideas portal of workspace {self.workspace_id}"


class PortalLink(WorkspaceOwned):
    """A one-time sign-in link emailed to a portal visitor; only its hash is kept."""

    email = models.EmailField()
    #: The name the visitor gave, for their contact when the email is new to the workspace.
    name = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "email", "created_at"], name="portal_link_email")
        ]

    def __str__(self) -> str:
        return f"Sign-in link for {self.email}"
