"""How playbooks follow their cases: the cases domain's signals, inside its transactions.

A run starts when a case of a type with an active playbook is open: at creation when it is
created open (with an owner), or when it goes from new to open. Completing a case task made by a
playbook completes its workflow step; deciding its approval takes the approve/reject branch.
Ad-hoc tasks (without a playbook step) are never looked at.
"""

from typing import Any

from django.db.models.signals import post_save

from rapport.cases import signals
from rapport.cases.models import Case, Status
from rapport.playbooks import engine
from rapport.playbooks.models import PlaybookRun, PlaybookStep


def _maybe_start(case: Case, actor: Any) -> None:
    playbook = engine.active_playbook(case)
    if playbook is None or PlaybookRun.objects.filter(case=case).exists():
        return
    engine.start(case, playbook, actor)


def on_case_saved(sender: Any, instance: Case, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw and instance.status == Status.OPEN:
        _maybe_start(instance, instance.owner)


def on_status_changed(
    sender: Any, case: Case, actor: Any, before: str, after: str, **_: Any
) -> None:
    if before == Status.NEW and after == Status.OPEN:
        _maybe_start(case, actor)


def on_task_completed(sender: Any, task: Any, actor: Any, **_: Any) -> None:
    step = PlaybookStep.objects.select_related("run__playbook").filter(task=task).first()
    if step is not None:
        engine.task_done(step, actor)


def on_approval_decided(sender: Any, case: Case, approval: Any, actor: Any, **_: Any) -> None:
    step = PlaybookStep.objects.select_related("run__playbook").filter(approval=approval).first()
    if step is not None:
        engine.approval_decided(step, approval, actor)


def connect() -> None:
    post_save.connect(on_case_saved, sender=Case, dispatch_uid="playbooks.case_saved")
    signals.status_changed.connect(on_status_changed, dispatch_uid="playbooks.status_changed")
    signals.task_completed.connect(on_task_completed, dispatch_uid="playbooks.task_completed")
    signals.approval_decided.connect(on_approval_decided, dispatch_uid="playbooks.approval_decided")
