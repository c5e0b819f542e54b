"""Other domains' audited writes onto the timeline: a case opened or resolved, a reply
published, an approval requested or decided. (A resolved conversation arrives as the inbox's
`conversation.resolved`, in `wiring.py`.)

`on_domain_event` listens to `rapport.core.audit.domain_event` (connected in `wiring.py`) until
those domains emit named events: it reads the row each audit event names (`BY_OBJECT_TYPE`), and
a failure is logged, never raised into the write that caused it.
"""

import logging
from typing import Any

from rapport.approvals.models import Approval
from rapport.cases.models import Case
from rapport.core.models import AuditEvent
from rapport.engagement.models import Reply
from rapport.listening.models import Post
from rapport.profile.models import TimelineEntry
from rapport.profile.timeline import (
    approval_entry,
    case_entries,
    insert_missing,
    reply_entry,
)

logger = logging.getLogger(__name__)


def contact_of_post(post_id: int) -> int | None:
    return (
        Post.objects.filter(pk=post_id, identity__contact__isnull=False)
        .values_list("identity__contact_id", flat=True)
        .first()
    )


def on_case(event: AuditEvent) -> list[TimelineEntry]:
    case = Case.objects.filter(pk=event.object_id, workspace_id=event.workspace_id or 0).first()
    return case_entries(case) if case is not None else []


def on_reply(event: AuditEvent) -> list[TimelineEntry]:
    reply = (
        Reply.objects.select_related("author__user")
        .filter(pk=event.object_id, workspace_id=event.workspace_id or 0)
        .first()
    )
    if reply is None or reply.status != Reply.Status.SENT:
        return []
    contact_id = contact_of_post(reply.post_id)
    return [reply_entry(reply, contact_id)] if contact_id else []


def approval_contact(approval: Approval) -> int | None:
    """The contact an approval is about: a case's customer, or the author of a replied post."""
    model = approval.content_type.model_class()
    if model is None:
        return None
    label = model._meta.label_lower
    if label == "cases.case":
        return (
            Case.objects.filter(pk=approval.object_id).values_list("customer_id", flat=True).first()
        )
    if label == "engagement.reply":
        post_id = Reply.objects.filter(pk=approval.object_id).values_list("post_id", flat=True)
        return contact_of_post(post_id.first() or 0)
    return None


def on_approval(event: AuditEvent) -> list[TimelineEntry]:
    approval = (
        Approval.objects.select_related("content_type")
        .filter(pk=event.object_id, workspace_id=event.workspace_id or 0)
        .first()
    )
    if approval is None:
        return []
    contact_id = approval_contact(approval)
    return [approval_entry(approval, contact_id)] if contact_id else []


#: object type of the audited row -> what it becomes on the timeline
BY_OBJECT_TYPE = {
    "cases.case": on_case,
    "engagement.reply": on_reply,
    "approvals.approval": on_approval,
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
