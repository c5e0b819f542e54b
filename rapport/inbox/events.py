"""What happens in the inbox that other domains may react to (see `rapport.core.events`).

Emitted inside the write's transaction, heard after its commit. The contribution ledger credits
captures, notes, replies (first responses above all) and the expert who answers after a hand-off;
insights count conversations opened, assigned, replied and resolved; the profile's timeline shows
a customer's resolved conversations.
"""

from rapport.core.events import declare

POST_CAPTURED = declare(
    "post.captured",
    "A member captured a post seen elsewhere into the inbox (`conversation`: where it went; "
    "`new`: Rapport had not heard it before; `fetched`: from its network, else pasted).",
    about="listening.post",
    data={"conversation": int, "new": bool, "fetched": bool, "team": int | None},
)
CONVERSATION_OPENED = declare(
    "conversation.opened",
    "New posts that belong to no conversation opened new ones: one event per grouped batch.",
    about="inbox.conversation",
)
CONVERSATION_ASSIGNED = declare(
    "conversation.assigned",
    "A conversation was given to a person and/or a team, by a member or by a routing rule "
    "(`rule`). A hand-off is `conversation.handed_off`.",
    about="inbox.conversation",
    data={"assignee": int | None, "team": int | None, "rule": int | None},
)
CONVERSATION_HANDED_OFF = declare(
    "conversation.handed_off",
    "A member asked an expert to take a conversation (`to` a person, or a `team`, chosen for a "
    "`skill`), with a `note` saying what is needed.",
    about="inbox.conversation",
    data={"to": int | None, "team": int | None, "skill": str, "note": int},
)
CONVERSATION_NOTED = declare(
    "conversation.noted",
    "A member added an internal note to a conversation (`mentions`: the members it names).",
    about="inbox.conversation",
    data={"note": int, "mentions": list, "team": int | None},
)
CONVERSATION_RESOLVED = declare(
    "conversation.resolved",
    "A member resolved a conversation.",
    about="inbox.conversation",
)
CONVERSATION_CLOSED = declare(
    "conversation.closed",
    "A member closed a conversation (a merged one is `conversation.merged`).",
    about="inbox.conversation",
)
CONVERSATION_REOPENED = declare(
    "conversation.reopened",
    "Resolved or closed conversations are open again (`ids`): a member reopened one, or the "
    "customer wrote again (no actor; one event per grouped batch).",
    about="inbox.conversation",
)
CONVERSATION_MERGED = declare(
    "conversation.merged",
    "A conversation was merged `into` another, the same matter: its posts, notes and tags moved "
    "there (`posts`: how many), and it is closed.",
    about="inbox.conversation",
    data={"into": int, "posts": int},
)
CONVERSATION_SPLIT = declare(
    "conversation.split",
    "A post was split out of a conversation (`source`) into a new one of its own (the object).",
    about="inbox.conversation",
    data={"source": int, "post": int},
)
CONVERSATION_REPLIED = declare(
    "conversation.replied",
    "A colleague replied to a post of the conversation (`first_response`: the conversation's "
    "first answer, which sets its first response time).",
    about="inbox.conversation",
    data={
        "post": int,
        "reply": int,
        "visibility": str,
        "first_response": bool,
        "team": int | None,
    },
)
