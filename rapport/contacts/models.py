"""Contacts: the people behind posts. Identity rows are unique per (network, external id).

This is the first slice, what listening needs: an Identity for every author heard, linked to a
Contact once someone knows who it is. The 360° profile, organizations, consent and business data
come with the contacts issue.
"""

from django.db import models

from rapport.core.models import WorkspaceOwned


class Contact(WorkspaceOwned):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Identity(WorkspaceOwned):
    """An account on one network: who wrote a post, whether or not we know the person yet."""

    network = models.CharField(max_length=30)
    external_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    reach = models.PositiveIntegerField(default=0, help_text="Followers or subscribers")
    verified = models.BooleanField(default=False)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="identities"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="one_identity_per_account"
            )
        ]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"@{self.handle} on {self.network}"
