"""What happens in the inbox that other domains may react to (see `rapport.core.events`)."""

from rapport.core.events import declare

CONVERSATION_REPLIED = declare(
    "conversation.replied",
    "A colleague replied to a post of the conversation (`first_response`: the conversation's "
    "first answer, which sets its first response time).",
    about="inbox.conversation",
    data={"post": int, "reply": int, "visibility": str, "first_response": bool},
)
