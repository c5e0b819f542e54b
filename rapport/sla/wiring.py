"""What SLA timers hear from the domains below them (discovered by core; see
`rapport.core.events`): a reply published to a case's conversation answers the customer."""

from django.db import transaction

from rapport.cases.models import Case, Status
from rapport.core.events import Event, listen
from rapport.engagement.models import Reply
from rapport.inbox.models import ConversationPost
from rapport.sla import timers
from rapport.sla.models import Metric


@listen("reply.published")
def reply_published(event: Event) -> None:
    """A reply published on the network to a post of a case's conversation answers the customer
    as a public update does: the cases' response timers are met when it went out."""
    conversation = (
        ConversationPost.objects.filter(post_id=event.data["post"])
        .values_list("conversation_id", flat=True)
        .first()
    )
    if conversation is None or event.object_id is None:
        return
    sent_at = Reply.objects.filter(pk=event.object_id).values_list("sent_at", flat=True).first()
    with transaction.atomic():
        for case in Case.objects.filter(
            workspace_id=event.workspace_id, conversation_id=conversation
        ).exclude(status__in=(Status.RESOLVED, Status.CLOSED)):
            timers.meet(case, (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE), sent_at or event.at)
