"""What listening tells the other domains: posts stored, edited and deleted; and the hook that
lets them label a batch while it is being stored."""

from rapport.core.events import declare
from rapport.core.hooks import declare_hook

POST_STORED = declare(
    "post.stored",
    "New posts were stored: one event per received batch (triage labelled them as they were "
    "stored).",
    about="listening.post",
    data={"source": int | None},
)
POST_EDITED = declare(
    "post.edited",
    "Stored posts were edited on their network; their new text replaced the old.",
    about="listening.post",
)
POST_DELETED = declare(
    "post.deleted",
    "Stored posts were deleted on their network; their text is gone.",
    about="listening.post",
)

POST_STORING = declare_hook(
    "post.storing",
    "A received batch is being stored. What labels posts runs here, so each row is written once.",
    args={
        "workspace_id": "the workspace receiving",
        "new": "the new Post objects, in batch order, not inserted yet",
        "edited": "stored posts whose text an edit has just replaced",
        "then": "a list: append a function to run once the new posts are inserted and have ids",
    },
)
