"""Telling people about inbox events through the notifications domain, when it is installed.

The inbox records every mention, hand-off and escalation in the conversation's history either
way; this only adds the bell and the email. Calls run inside the caller's transaction.
"""

import logging
from collections.abc import Iterable

from django.urls import NoReverseMatch, reverse

from rapport.core.models import Membership, Workspace

logger = logging.getLogger(__name__)


def conversation_path(workspace: Workspace, conversation_id: int) -> str:
    try:
        return reverse("web:conversation", args=[workspace.slug, conversation_id])
    except NoReverseMatch:  # the web app is not mounted (a command, a worker)
        return f"/w/{workspace.slug}/inbox/{conversation_id}/"


def tell(
    recipients: Iterable[Membership],
    kind: str,
    text: str,
    url: str,
    actor: Membership | None = None,
) -> int:
    """Notifies each recipient (not the actor); returns how many were told."""
    try:
        from rapport.notifications.actions import notify
    except ImportError:  # notifications not installed: the history is the record
        return 0
    told = 0
    for member in recipients:
        if actor is not None and member.pk == actor.pk:
            continue
        if notify(member, kind, text, url, actor) is not None:
            told += 1
    return told
