"""The inbox's reactions to other domains' writes (connected in apps.py).

A reply is part of the conversation's history and its first response. It arrives after the
other domain's transaction committed.
"""

import logging
from typing import Any

from django.db import transaction

from rapport.core.models import AuditEvent, Membership

logger = logging.getLogger(__name__)


def on_domain_event(
    sender: Any, verb: str, workspace_id: int | None, event: AuditEvent, **_: Any
) -> None:
    if workspace_id is None:
        return
    if verb == "reply.send" and isinstance(event.after, dict) and event.after.get("post"):
        from rapport.inbox.intake import reply_recorded

        author = (
            Membership.objects.filter(workspace_id=workspace_id, user_id=event.actor_id).first()
            if event.actor_id
            else None
        )
        name = author.user.display_name if author else event.actor_label
        visibility = event.after.get("visibility", "public")
        status = str(event.after.get("status", "")).replace("_", " ")
        how = "publicly" if visibility == "public" else "in a private message"
        with transaction.atomic():
            reply_recorded(
                workspace_id,
                int(event.after["post"]),
                author.pk if author else None,
                f"{name} replied {how} ({status})",
            )
