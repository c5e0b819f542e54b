"""Listening: where posts come from (Source), what to listen for (ListeningQuery), what was heard
(Post, matched to queries by PostMatch), and what could not be understood (QuarantinedPayload)."""

from django.conf import settings
from django.db import models

from rapport.contacts.models import Identity
from rapport.core.models import WorkspaceOwned


class Source(WorkspaceOwned):
    """A configured connector: which network, what to follow, its credentials and its health."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    name = models.CharField(max_length=100)
    connector = models.CharField(max_length=30, help_text="Registry name, e.g. mastodon")
    config = models.JSONField(default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True, help_text="Fernet token; see crypto.py")
    poll_every_seconds = models.PositiveIntegerField(default=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cursor = models.JSONField(null=True, blank=True, help_text="Where the next poll continues")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posts_received = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_source_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ListeningQuery(WorkspaceOwned):
    class Label(models.TextChoices):
        BRAND = "brand", "Brand"
        PRODUCT = "product", "Product"
        COMPETITOR = "competitor", "Competitor"
        PERSON = "person", "Person"
        CAMPAIGN = "campaign", "Campaign"

    name = models.CharField(max_length=100)
    query = models.TextField(help_text='e.g. "acme bank" OR @acmebank -job lang:en')
    label = models.CharField(max_length=12, choices=Label.choices, default=Label.BRAND)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_query_name")
        ]
        ordering = ["name"]
        verbose_name_plural = "listening queries"

    def __str__(self) -> str:
        return self.name


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class Intent(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    PRAISE = "praise", "Praise"
    QUESTION = "question", "Question"
    LEAD = "lead", "Lead"
    IDEA = "idea", "Idea"
    OTHER = "other", "Other"


class Post(WorkspaceOwned):
    """A normalised mention heard on a network. Social text: untrusted, shown escaped."""

    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    network = models.CharField(max_length=30)
    external_id = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    identity = models.ForeignKey(
        Identity, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    author_external_id = models.CharField(max_length=200, blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_reach = models.PositiveIntegerField(default=0)
    author_verified = models.BooleanField(default=False)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    posted_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    reply_to_external_id = models.CharField(max_length=200, blank=True)
    thread_external_id = models.CharField(max_length=200, blank=True)
    repost_of_external_id = models.CharField(max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    content_hash = models.CharField(max_length=32, blank=True, db_index=True)
    metrics = models.JSONField(default=dict, blank=True)
    raw = models.JSONField(null=True, blank=True)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True, help_text="-1 … 1")
    complaint_probability = models.FloatField(null=True, blank=True)
    intent = models.CharField(max_length=10, choices=Intent.choices, blank=True)
    priority = models.PositiveSmallIntegerField(default=0, help_text="0 … 100")
    triaged_at = models.DateTimeField(null=True, blank=True)
    queries = models.ManyToManyField(ListeningQuery, through="PostMatch", related_name="posts")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_post_per_network_id"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-posted_at"]),
            # dedupe looks copies up by hash in each batch; without it SQLite scans the workspace
            models.Index(fields=["workspace", "content_hash"], name="post_workspace_hash_idx"),
        ]
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class PostMatch(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="matches")
    query = models.ForeignKey(ListeningQuery, on_delete=models.CASCADE, related_name="matches")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "query"], name="one_match_per_post_query")
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} matches query {self.query_id}"


class QuarantinedPayload(WorkspaceOwned):
    """A payload, or one item of it, that could not be parsed: kept with the reason for admins."""

    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="quarantined"
    )
    network = models.CharField(max_length=30)
    reason = models.TextField()
    raw = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.network}: {self.reason[:80]}"
