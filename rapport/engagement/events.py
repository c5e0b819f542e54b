"""What happens to replies that other domains may react to (see `rapport.core.events`).

A member sends a reply (it waits for an approval, or goes straight to the outbox); an approver
lets it go or stops it; the outbox publishes it on the network, or gives up. The inbox records
replies in the conversation's history, SLA timers count a published reply as an answer, and the
profile's timeline shows it; the ledger and insights count them.
"""

from rapport.core.events import declare

REPLY_SENT = declare(
    "reply.sent",
    "A member sent a reply to a post: queued for the network, or waiting for an approval "
    "(`status`: queued or pending_approval).",
    about="engagement.reply",
    data={"post": int, "network": str, "visibility": str, "status": str},
)
REPLY_APPROVED = declare(
    "reply.approved",
    "An approver let a waiting reply go (`edited`: they changed its text); it is queued.",
    about="engagement.reply",
    data={"post": int, "edited": bool},
)
REPLY_REJECTED = declare(
    "reply.rejected",
    "A waiting reply will not be posted: its approval was rejected, or expired undecided.",
    about="engagement.reply",
    data={"post": int, "expired": bool},
)
REPLY_WITHDRAWN = declare(
    "reply.withdrawn",
    "A reply waiting for approval was taken back; it is a draft again and the post is free.",
    about="engagement.reply",
    data={"post": int},
)
REPLY_PUBLISHED = declare(
    "reply.published",
    "The outbox published a reply on its network (`recorded_only`: recorded as what it would "
    "have posted, in record-only mode). `author` is the member who wrote it.",
    about="engagement.reply",
    data={
        "post": int,
        "network": str,
        "visibility": str,
        "author": int | None,
        "recorded_only": bool,
    },
)
REPLY_FAILED = declare(
    "reply.failed",
    "The outbox gave up on a reply (the network kept refusing it, or sending stopped half-way); "
    "a person may retry it.",
    about="engagement.reply",
    data={"post": int, "attempts": int},
)
