"""How playbooks follow their cases (discovered by core; see `rapport.core.hooks`).

The cases domain's hooks run inside its transactions. A run starts when a case of a type with an
active playbook is open: when it is opened with an owner, or when it goes from new to open.
Completing a case task made by a playbook completes its workflow step; deciding its approval
takes the approve/reject branch. Ad-hoc tasks (without a playbook step) are never looked at. The
customer's status page shows the step a running playbook is at.
"""

from rapport.approvals.models import Approval
from rapport.cases.models import Case, Status, Task
from rapport.cases.public import register_step_reader
from rapport.core import hooks
from rapport.core.models import Membership
from rapport.playbooks import engine, selectors
from rapport.playbooks.models import PlaybookRun, PlaybookStep


def _maybe_start(case: Case, actor: Membership | None) -> None:
    playbook = engine.active_playbook(case)
    if playbook is None or PlaybookRun.objects.filter(case=case).exists():
        return
    engine.start(case, playbook, actor)


@hooks.on("case.opening")
def start_when_opened(case: Case, actor: Membership) -> None:
    if case.status == Status.OPEN:
        _maybe_start(case, case.owner)


@hooks.on("case.status_changing")
def start_when_taken_up(case: Case, actor: Membership | None, before: str, after: str) -> None:
    if before == Status.NEW and after == Status.OPEN:
        _maybe_start(case, actor)


@hooks.on("task.completing")
def complete_the_step(task: Task, actor: Membership) -> None:
    step = PlaybookStep.objects.select_related("run__playbook").filter(task=task).first()
    if step is not None:
        engine.task_done(step, actor)


@hooks.on("case.approval_deciding")
def take_the_branch(case: Case, approval: Approval, actor: Membership | None) -> None:
    step = PlaybookStep.objects.select_related("run__playbook").filter(approval=approval).first()
    if step is not None:
        engine.approval_decided(step, approval, actor)


def customer_step(case: Case) -> str | None:
    """The step the case's running playbook is at, for the customer's status page."""
    return selectors.current_step(case)


register_step_reader(customer_step)
