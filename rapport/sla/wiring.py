"""How SLA timers follow their cases (discovered by core; see `rapport.core.hooks`).

The cases domain's hooks run inside the case's writing transaction, so a timer never disagrees
with its case: a case opened starts its timers, a status change pauses, resumes, meets or reopens
them, a public update meets the response timers, a new priority moves them to the policy that now
fits. A reply published to the case's conversation counts as an answer too (after its commit).
The sweep runs every minute.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.cases.models import Case, Comment, Status
from rapport.core import hooks, schedule
from rapport.core.audit import domain_event
from rapport.core.models import AuditEvent, Membership
from rapport.inbox.models import ConversationPost
from rapport.sla import timers
from rapport.sla.models import Metric
from rapport.sla.tasks import sweep_slas

_DONE = (Status.RESOLVED, Status.CLOSED)
_RESPONSES = (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE)


@hooks.on("case.opening")
def start_timers(case: Case, actor: Membership) -> None:
    if case.status not in _DONE:
        timers.start(case)
        if case.status == Status.WAITING_CUSTOMER:
            timers.pause(case, case.created_at or timezone.now())


@hooks.on("case.commenting")
def public_update_answers(comment: Comment, actor: Membership) -> None:
    if comment.public:
        timers.meet(comment.case, _RESPONSES, comment.created_at or timezone.now(), actor)


@hooks.on("case.status_changing")
def follow_status(case: Case, actor: Membership | None, before: str, after: str) -> None:
    now = timezone.now()
    if after == Status.WAITING_CUSTOMER:
        timers.pause(case, now)
    elif before == Status.WAITING_CUSTOMER:
        timers.resume(case, now)
        if after == Status.OPEN:  # the customer answered: a next response is owed
            timers.start_next_response(case, now)
    if after == Status.RESOLVED:
        timers.meet(case, (Metric.RESOLUTION,), now, actor)
        timers.stop(case, _RESPONSES, now)
    elif before in _DONE and after not in _DONE:
        timers.reopen(case, now)


@hooks.on("case.updating")
def follow_priority(case: Case, actor: Membership, fields: list[str]) -> None:
    """Somebody changed the case's priority: its timers follow the policy that now fits."""
    if "priority" in fields and case.status not in _DONE:
        timers.retarget(case, timezone.now())


def reply_published(sender: Any, *, verb: str, event: AuditEvent, **_: Any) -> None:
    """A reply published on the network to a post of a case's conversation answers the customer
    as a public update does (after commit: the outbox publishes outside any case's action)."""
    if verb != "reply.published" or not isinstance(event.after, dict):
        return
    post_id = event.after.get("post")
    if not isinstance(post_id, int) or event.workspace_id is None:
        return
    conversation = (
        ConversationPost.objects.filter(post_id=post_id).values_list("conversation_id", flat=True)
    ).first()
    if conversation is None:
        return
    with transaction.atomic():
        for case in Case.objects.filter(
            workspace_id=event.workspace_id, conversation_id=conversation
        ).exclude(status__in=_DONE):
            timers.meet(case, (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE), event.created_at)


# The engagement domain's `reply.published` event replaces this receiver.
domain_event.connect(reply_published, dispatch_uid="sla.reply_published")
schedule.every("sla.sweep", seconds=60, task=sweep_slas)
