"""Other domains' audited writes onto the timeline: a conversation resolved.

`on_domain_event` listens to `rapport.core.audit.domain_event` (connected in `wiring.py`) until
the inbox emits named events: it reads the row each audit event names (`BY_OBJECT_TYPE`), and
a failure is logged, never raised into the write that caused it.
"""

import logging
from typing import Any

from rapport.core.models import AuditEvent
from rapport.inbox.models import Conversation
from rapport.profile.models import TimelineEntry
from rapport.profile.timeline import conversation_entry, insert_missing

logger = logging.getLogger(__name__)


def on_conversation(event: AuditEvent) -> list[TimelineEntry]:
    if not isinstance(event.after, dict) or event.after.get("status") != "resolved":
        return []
    conv = (
        Conversation.objects.filter(
            pk=event.object_id,
            workspace_id=event.workspace_id or 0,
            identity__contact__isnull=False,
        )
        .select_related("identity")
        .first()
    )
    if conv is None or conv.identity is None or conv.identity.contact_id is None:
        return []
    return [conversation_entry(conv, conv.identity.contact_id, resolved=True)]


#: object type of the audited row -> what it becomes on the timeline
BY_OBJECT_TYPE = {
    "inbox.conversation": on_conversation,
}


def on_domain_event(sender: Any, *, event: AuditEvent, **_: Any) -> None:
    """`domain_event` receiver (after commit): other domains' writes onto the timeline."""
    handler = BY_OBJECT_TYPE.get(event.object_type)
    if handler is None or event.workspace_id is None or not event.object_id.isdigit():
        return
    try:
        insert_missing(handler(event))
    except Exception:  # a timeline entry must never break the write that caused it
        logger.exception("timeline entry for %s %s failed", event.verb, event.object_id)
