"""The inbox: conversations (posts that belong together), their notes and history, and the
routing rules that give each conversation a team, an owner, a priority and tags.

A Conversation keeps a few facts of its posts beside it (network, query label, sentiment, intent,
the author's identity, the time of the latest activity) so the inbox filters and sorts on one
indexed table, never joining a million posts to show a page.
"""

from django.db import models
from django.utils import timezone

from rapport.contacts.models import Identity
from rapport.core.models import Membership, Team, WorkspaceOwned
from rapport.core.priority import Priority
from rapport.listening.models import ListeningQuery, Post


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


#: A conversation in one of these still needs someone; a new post joins it.
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Tag(WorkspaceOwned):
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_inbox_tag_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(WorkspaceOwned):
    """Posts that belong together: a thread, a reply chain, one author on one topic for a while."""

    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    assignee = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    tags = models.ManyToManyField(Tag, through="ConversationTag", related_name="conversations")
    queries = models.ManyToManyField(
        ListeningQuery, through="ConversationQuery", related_name="conversations"
    )
    first_post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identity = models.ForeignKey(
        Identity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        help_text="The author of the first post",
    )
    network = models.CharField(max_length=30, blank=True)
    label = models.CharField(max_length=12, blank=True, help_text="The first post's query label")
    sentiment = models.CharField(max_length=8, blank=True, help_text="The latest post's")
    intent = models.CharField(max_length=10, blank=True, help_text="The first post's")
    post_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where its posts went when it was merged",
    )
    captured_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="captured_conversations",
    )
    last_activity_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            # Each filter of the inbox page walks one of these newest-first and stops at a page.
            models.Index(fields=["workspace", "-last_activity_at", "-id"], name="conv_recent"),
            models.Index(
                fields=["workspace", "status", "-last_activity_at", "-id"], name="conv_status"
            ),
            models.Index(
                fields=["workspace", "assignee", "status", "-last_activity_at", "-id"],
                name="conv_assignee",
            ),
            models.Index(
                fields=["workspace", "team", "status", "-last_activity_at", "-id"],
                name="conv_team",
            ),
            models.Index(
                fields=["workspace", "intent", "-last_activity_at", "-id"], name="conv_intent"
            ),
            models.Index(
                fields=["workspace", "sentiment", "-last_activity_at", "-id"],
                name="conv_sentiment",
            ),
            models.Index(
                fields=["workspace", "network", "-last_activity_at", "-id"], name="conv_network"
            ),
            models.Index(
                fields=["workspace", "priority", "-last_activity_at", "-id"], name="conv_priority"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"[:200]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ConversationPost(models.Model):
    """A post's place in a conversation: a post belongs to one conversation at most."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="links")
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="conversation_link")
    added_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"post {self.post_id} in conversation {self.conversation_id}"


class ConversationQuery(models.Model):
    """The listening queries a conversation's posts matched, for the inbox's query filter."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    query = models.ForeignKey(ListeningQuery, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["query", "conversation"], name="one_conversation_query")
        ]

    def __str__(self) -> str:
        return f"conversation {self.conversation_id} matched query {self.query_id}"


class ConversationTag(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "conversation"], name="one_conversation_tag")
        ]

    def __str__(self) -> str:
        return f"conversation {self.conversation_id} tagged {self.tag_id}"


class Note(WorkspaceOwned):
    """An internal note on a conversation: never shown to the customer. @mentions notify."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    mentions = models.ManyToManyField(Membership, blank=True, related_name="mentioned_in_notes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="note_conversation")]

    def __str__(self) -> str:
        return f"note on conversation {self.conversation_id}"


class Activity(WorkspaceOwned):
    """One line of a conversation's history. `actor` is empty when Rapport or a rule acted."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        POST_ADDED = "post_added", "Post added"
        CAPTURED = "captured", "Captured"
        ASSIGNED = "assigned", "Assigned"
        STATUS = "status", "Status changed"
        PRIORITY = "priority", "Priority changed"
        TAGGED = "tagged", "Tagged"
        UNTAGGED = "untagged", "Untagged"
        MERGED = "merged", "Merged"
        SPLIT = "split", "Split"
        HANDED_OFF = "handed_off", "Handed off"
        NOTED = "noted", "Note added"
        MENTIONED = "mentioned", "Mentioned"
        NOTIFIED = "notified", "Notified"
        REPLIED = "replied", "Replied"
        RULE = "rule", "Routing rule"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(
        "RoutingRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="activity_conversation")
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.message


class RoutingRule(WorkspaceOwned):
    """Conditions and actions as validated JSON (rapport.inbox.rules), evaluated in order."""

    class Match(models.TextChoices):
        ALL = "all", "All conditions"
        ANY = "any", "Any condition"

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list, blank=True)
    stop = models.BooleanField(default=False, help_text="Later rules are skipped when it matches")
    state = models.JSONField(default=dict, blank=True, help_text="Round-robin position")
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_routing_rule_name")
        ]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SavedView(WorkspaceOwned):
    """A member's own inbox filters, kept under a name beside the built-in views."""

    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_saved_view_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """The `view` the inbox's query string names it by."""
        return f"saved-{self.pk}"


class RuleApplication(models.Model):
    """A rule acted on a conversation: it never acts on it again, so it cannot re-trigger."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "rule"], name="one_application_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"rule {self.rule_id} applied to conversation {self.conversation_id}"
