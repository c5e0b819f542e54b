"""Emails of notifications: one task per notifying write, sent through Django's email backend."""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django_tasks import task

from rapport.core.models import Membership, Workspace
from rapport.notifications.models import Kind

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.RAPPORT_BASE_URL.rstrip("/") + path


def render_email(member: Membership, message: dict[str, Any]) -> EmailMessage:
    kind = Kind(message["kind"])
    workspace: Workspace = member.workspace
    text = message["text"]
    subject = f"[{workspace.name}] {kind.label}: {text}"
    if len(subject) > 140:
        subject = subject[:139] + "…"
    preferences = absolute(reverse("web:settings_notifications", args=[workspace.slug]))
    lines = [f"Hello {member.user.display_name},", "", text, ""]
    if message.get("url"):
        lines += [f"Open it in Rapport: {absolute(message['url'])}", ""]
    lines += [
        "--",
        f"You get this email because you are in {workspace.name} on Rapport and chose email for",
        f"“{kind.label}”. Change that here: {preferences}",
    ]
    # Plain text only: the notification's words may quote a customer and are never markup.
    return EmailMessage(subject=subject, body="\n".join(lines), to=[member.user.email])


@task()
def send_notification_emails(member_ids: list[int], message: dict[str, Any]) -> int:
    """Sends one notification to each member still active; returns how many were sent."""
    members = Membership.objects.filter(
        pk__in=member_ids, user__is_active=True, workspace_id=message["workspace_id"]
    ).select_related("user", "workspace")
    emails = [render_email(m, message) for m in members if m.user.email]
    if not emails:
        return 0
    with get_connection() as connection:
        return connection.send_messages(emails) or 0
