"""Triage models: corrections people make to the labels the model gave a post.

The predictions themselves live on `listening.Post` (sentiment, sentiment_score,
complaint_probability, intent). A correction replaces the post's label and keeps the model's
original here, so the lists show what people said and `rapport triage train --include-feedback`
learns from it (`triage.feedback.feedback_examples`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.core.models import WorkspaceOwned
from rapport.listening.models import Post


class CorrectedField(models.TextChoices):
    SENTIMENT = "sentiment", "Sentiment"
    INTENT = "intent", "Intent"
    COMPLAINT = "complaint", "Complaint"


class TriageCorrection(WorkspaceOwned):
    """A person's label for one field of one post; a new correction of that field replaces it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="triage_corrections")
    field = models.CharField(max_length=10, choices=CorrectedField.choices)
    old_value = models.CharField(max_length=10, help_text="The model's label, kept as it was")
    old_score = models.FloatField(
        null=True,
        blank=True,
        help_text="The model's sentiment score or complaint probability, kept as it was",
    )
    new_value = models.CharField(max_length=10)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "field"], name="one_correction_per_post_field")
        ]
        indexes = [models.Index(fields=["field", "id"], name="correction_by_field")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"post {self.post_id} {self.field}: {self.old_value} -> {self.new_value}"
