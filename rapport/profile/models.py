"""The profile's own rows: `TimelineEntry`, the index its timeline pages through.

The table keeps the name it had when contacts held it (`contacts_timelineentry`): the model moved
to this app without its data moving.
"""

from django.db import models

from rapport.contacts.models import Contact
from rapport.core.models import WorkspaceOwned


class TimelineEntry(WorkspaceOwned):
    """One thing that happened with a contact, whatever domain it lives in; the timeline's index.

    `kind` names the thing ("post", "case", "order", "call"...), `ref` points at it
    (app_label.model:pk) so the page can link to it; `title` and `summary` are what the
    timeline shows without reading the source row.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    ref = models.CharField(max_length=80, blank=True, help_text="app_label.model:pk")

    class Meta:
        db_table = "contacts_timelineentry"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-occurred_at", "-id"], name="timeline_contact"),
            models.Index(fields=["ref"], name="timeline_ref"),
        ]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return self.title
