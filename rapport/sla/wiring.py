"""How SLA timers follow their cases (discovered by core; see `rapport.core.hooks`).

The cases domain's hooks run inside the case's writing transaction, so a timer never disagrees
with its case: a case opened starts its timers, a status change pauses, resumes, meets or reopens
them, a public update meets the response timers, a new priority moves them to the policy that now
fits. A reply published to the case's conversation counts as an answer too (after its commit).
The sweep runs every minute.
"""

from django.db import transaction
from django.utils import timezone

from rapport.cases.models import Case, Comment, Status
from rapport.core import hooks, schedule
from rapport.core.events import Event, listen
from rapport.core.models import Membership
from rapport.engagement.models import Reply
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
        ).exclude(status__in=_DONE):
            timers.meet(case, _RESPONSES, sent_at or event.at)


schedule.every("sla.sweep", seconds=60, task=sweep_slas)
