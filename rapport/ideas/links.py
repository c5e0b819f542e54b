"""Where an idea is read: its public page on the portal (in announcements sent to customers) and
its page in Rapport (in members' notifications). One place, so a route that moves moves here."""

from django.conf import settings

from rapport.ideas.models import Idea


def portal_path(idea: Idea) -> str:
    return f"/portal/{idea.workspace.slug}/ideas/{idea.pk}/"


def portal_url(idea: Idea) -> str:
    """The idea's public page, as a customer opens it from an email or a reply."""
    return settings.RAPPORT_BASE_URL.rstrip("/") + portal_path(idea)


def idea_path(idea: Idea) -> str:
    """The idea's page in Rapport, for members."""
    return f"/w/{idea.workspace.slug}/ideas/{idea.pk}/"
