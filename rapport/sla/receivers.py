"""How SLA timers hear about cases: their creation, status changes and public updates.

Each receiver runs inside the case's writing transaction, so a timer never disagrees with its
case. `post_save` is used for creation and comments so the cases domain need not call us. (A reply
published to the case's conversation counts as an answer too: `wiring.py` hears it.)
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from rapport.cases import signals
from rapport.cases.models import Case, Comment, Status
from rapport.core.audit import domain_event
from rapport.core.models import AuditEvent
from rapport.sla import timers
from rapport.sla.models import Metric

_DONE = (Status.RESOLVED, Status.CLOSED)


def case_saved(sender: Any, *, instance: Case, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw and instance.status not in _DONE:
        timers.start(instance)
        if instance.status == Status.WAITING_CUSTOMER:
            timers.pause(instance, instance.created_at or timezone.now())


def comment_saved(
    sender: Any, *, instance: Comment, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw and instance.public:
        at = instance.created_at or timezone.now()
        timers.meet(instance.case, (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE), at)


def status_changed(sender: Any, *, case: Case, before: str, after: str, **_: Any) -> None:
    now = timezone.now()
    if after == Status.WAITING_CUSTOMER:
        timers.pause(case, now)
    elif before == Status.WAITING_CUSTOMER:
        timers.resume(case, now)
        if after == Status.OPEN:  # the customer answered: a next response is owed
            timers.start_next_response(case, now)
    if after == Status.RESOLVED:
        timers.meet(case, (Metric.RESOLUTION,), now)
        timers.stop(case, (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE), now)
    elif before in _DONE and after not in _DONE:
        timers.reopen(case, now)


def priority_changed(sender: Any, *, verb: str, event: AuditEvent, **_: Any) -> None:
    """Somebody changed the case's priority: its timers follow the policy that now fits."""
    if verb != "case.update" or event.workspace_id is None or not isinstance(event.before, dict):
        return
    if not isinstance(event.after, dict) or event.before.get("priority") == event.after.get(
        "priority"
    ):
        return
    with transaction.atomic():
        case = Case.objects.filter(pk=event.object_id, workspace_id=event.workspace_id).first()
        if case is not None and case.status not in _DONE:
            timers.retarget(case, event.created_at)


def connect() -> None:
    post_save.connect(case_saved, sender=Case, dispatch_uid="sla.case_saved")
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="sla.comment_saved")
    signals.status_changed.connect(status_changed, sender=Case, dispatch_uid="sla.status")
    domain_event.connect(priority_changed, dispatch_uid="sla.priority_changed")
