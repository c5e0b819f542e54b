"""How engagement plugs into the others (discovered by core; see `rapport.core.events`).

A reply's approval, once decided, queues or stops the reply (the approvals registry); the
outbox publishes the replies that are due every minute.
"""

from rapport.approvals import registry
from rapport.core import schedule
from rapport.engagement.actions import reply_approval_decided
from rapport.engagement.models import Reply
from rapport.engagement.tasks import publish_due_replies

registry.register(Reply, reply_approval_decided, editable=("text",))
schedule.every("engagement.outbox", seconds=60, task=publish_due_replies)
