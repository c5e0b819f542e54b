"""A colleague's reply in its conversation: the history says so, and the first one is the
conversation's first response.

Heard from engagement's `reply.sent` (`wiring.py`) once the reply has committed; the others hear
`conversation.replied`, with whether it was the first response.
"""

from django.utils import timezone

from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.engagement.models import Reply
from rapport.inbox.events import CONVERSATION_REPLIED
from rapport.inbox.models import Activity, Conversation, ConversationPost, Status


def record_reply(
    workspace_id: int,
    *,
    reply_id: int,
    post_id: int,
    author_id: int | None,
    visibility: str,
    status: str,
) -> Conversation | None:
    """Writes the reply into the history of the post's conversation (None: the post has none)."""
    link = ConversationPost.objects.filter(post_id=post_id).values_list("conversation_id").first()
    if link is None:
        return None
    # locked: two replies at once cannot both be the first response
    conv = Conversation.objects.select_for_update().get(pk=link[0])
    first = conv.first_response_at is None
    changed = []
    if first:
        conv.first_response_at = timezone.now()
        changed.append("first_response_at")
    if conv.status == Status.NEW:
        conv.status = Status.OPEN
        changed.append("status")
    if changed:
        conv.save(update_fields=changed)
    author = (
        Membership.objects.filter(pk=author_id, workspace_id=workspace_id)
        .select_related("user")
        .first()
        if author_id is not None
        else None
    )
    name = author.user.display_name if author else "Someone"
    how = "publicly" if visibility == Reply.Visibility.PUBLIC else "in a private message"
    Activity.objects.create(
        workspace_id=conv.workspace_id,
        conversation=conv,
        kind=Activity.Kind.REPLIED,
        actor=author,
        message=f"{name} replied {how} ({status.replace('_', ' ')})"[:500],
        data={"post": post_id},
    )
    emit(
        CONVERSATION_REPLIED,
        conv.workspace_id,
        actor=author,
        object_id=conv.pk,
        post=post_id,
        reply=reply_id,
        visibility=visibility,
        first_response=first,
        team=conv.team_id,
    )
    return conv
