"""What the ideas domain tells the others (see `rapport.core.events`).

Emitted inside the write's transaction, heard after its commit: the announcements of a status
change to every voter and follower are sent from `idea.status_changed` (`ideas/wiring.py`); the
contribution ledger and insights will hear the rest.
"""

from rapport.core.events import declare

IDEA_CREATED = declare(
    "idea.created",
    "An idea was submitted (portal, employee) or turned from a post, conversation or case.",
    about="ideas.idea",
    data={"origin": str, "post": int | None, "contact": int | None},
)
IDEA_UPDATED = declare(
    "idea.updated",
    "An idea's title, text or product area changed.",
    about="ideas.idea",
    data={"fields": list},
)
IDEA_STATUS_CHANGED = declare(
    "idea.status_changed",
    "An idea moved to another status (planned, shipped, declined are announced to its people).",
    about="ideas.idea",
    data={"before": str, "after": str, "change": int},
)
IDEA_VOTED = declare(
    "idea.voted",
    "A person's vote was added to an idea (on the portal, from a post, or by an employee).",
    about="ideas.idea",
    data={"vote": int, "contact": int, "source": str},
)
IDEA_VOTE_REMOVED = declare(
    "idea.vote_removed",
    "A vote was taken back or removed.",
    about="ideas.idea",
    data={"vote": int, "contact": int},
)
IDEA_MERGED = declare(
    "idea.merged",
    "A duplicate idea was merged into another: its votes, followers and comments moved.",
    about="ideas.idea",
    data={"into": int, "votes_moved": int, "votes_already_there": int},
)
IDEA_COMMENTED = declare(
    "idea.commented",
    "Somebody commented on an idea (publicly on the portal, or internally).",
    about="ideas.idea",
    data={"comment": int, "public": bool},
)
IDEA_ANNOUNCED = declare(
    "idea.announced",
    "A voter or follower was told of an idea's new status (a reply on their network, or an email).",
    about="ideas.idea",
    data={"announcement": int, "change": int, "contact": int, "channel": str},
)
