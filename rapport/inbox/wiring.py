"""What the inbox hears: triaged posts to place in conversations, corrected labels, and
colleagues' replies for the conversations' history; and the inbox's own routing actions in its
registry (other domains add theirs in their `wiring.py`)."""

from django.db import transaction

from rapport.core.events import Event, listen
from rapport.inbox import registry
from rapport.inbox.intake import intake_stored, posts_changed
from rapport.inbox.replies import record_reply
from rapport.inbox.routing_actions import INBOX_ACTIONS

for action_type in INBOX_ACTIONS:
    registry.register(action_type)


@listen("post.triaged", queued=True)
def place_triaged_posts(event: Event) -> None:
    """Groups a triaged batch into conversations and routes them: a task per batch, so storing
    posts never waits for the inbox."""
    intake_stored(event.workspace_id, event.ids)


@listen("post.relabelled")
def follow_corrected_labels(event: Event) -> None:
    """A person corrected a post's label: its conversation's facts and rules follow."""
    if event.object_id is not None:
        with transaction.atomic():
            posts_changed(event.workspace_id, [event.object_id])


@listen("reply.sent")
def reply_in_history(event: Event) -> None:
    """A colleague replied to a post: its conversation's history says so, and the first reply is
    the conversation's first response."""
    if event.object_id is not None:
        with transaction.atomic():
            record_reply(
                event.workspace_id,
                reply_id=event.object_id,
                post_id=event.data["post"],
                author_id=event.actor_id,
                visibility=event.data["visibility"],
                status=event.data["status"],
            )
