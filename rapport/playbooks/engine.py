"""Running a playbook on a case with SpiffWorkflow: start, step forward, persist after each step.

The workflow lives in `PlaybookRun.state` (SpiffWorkflow's JSON serialization, spec included), so
no Python object outlives a request: every change loads the run, acts, runs the engine forward
and saves it again in the same transaction as the change that caused it. The script engine is
always the restricted one (`evaluator.RestrictedScriptEngine`), set again on every load.

Steps: a user (or manual) task the workflow reaches becomes a case Task assigned by its lane (see
`assignment`), or, when it carries the property `approval=true`, an approval requested through
`rapport.cases.approvals.request_case_approval`; its decision lands in the task data as `approved`
(and `approval_comment`) for the next gateway. Completing the case task completes the workflow
task with the case's current data; gateways, DMN tables and scripts then run until the next
person is needed. Any failure marks the run failed with its reason; the person's own change
(completing their task) still stands.
"""

import datetime
import json
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as WorkflowTask
from SpiffWorkflow.util.task import TaskState

from rapport.cases import actions as case_actions
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Case
from rapport.core.audit import record
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.priority import priority_name
from rapport.core.roles import Role
from rapport.playbooks import activity, assignment
from rapport.playbooks.evaluator import ExpressionFailed, RefusedExpression, RestrictedScriptEngine
from rapport.playbooks.events import (
    PLAYBOOK_FAILED,
    PLAYBOOK_FINISHED,
    PLAYBOOK_STARTED,
    PLAYBOOK_STEP_COMPLETED,
    PLAYBOOK_STEP_OPENED,
)
from rapport.playbooks.forms import FormField, parse_form
from rapport.playbooks.models import Playbook, PlaybookRun, PlaybookStep
from rapport.playbooks.validate import PlaybookInvalid, parse_playbook

logger = logging.getLogger(__name__)

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SCRIPT_ENGINE = RestrictedScriptEngine()

#: Workflow task specs shown to people as steps (gateways and events are not).
STEP_CLASSES = {"UserTask", "ManualTask", "NoneTask", "BusinessRuleTask", "ScriptTask"}
PEOPLE_CLASSES = {"UserTask", "ManualTask", "NoneTask"}
#: Names the case data always has; custom fields with these names stay under `custom_fields`.
RESERVED = {
    "case_id",
    "subject",
    "priority",
    "priority_level",
    "status",
    "case_type",
    "amount",
    "custom_fields",
    "customer_tier",
    "approved",
    "approval_comment",
}
RUN_ERRORS = (
    SpiffWorkflowException,
    RefusedExpression,
    ExpressionFailed,
    ValidationError,
    PermissionDenied,
    PlaybookInvalid,
)


class PlaybookFailed(Exception):
    """A run could not go on; the message is shown on the case page."""


# The workflow and its data ------------------------------------------------------------------


def _number(value: object) -> float | int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (str, Decimal)):
        try:
            number = float(value)
        except ValueError:
            return 0
        return int(number) if number.is_integer() else number
    return 0


def case_data(case: Case) -> dict[str, Any]:
    """The case as the workflow sees it: what gateways, DMN tables and scripts can read."""
    fields = dict(case.custom_fields or {})
    tier = ""
    if case.customer_id:
        tier = getattr(case.customer, "tier", "") or ""
    data: dict[str, Any] = {
        key: value
        for key, value in fields.items()
        if isinstance(key, str)
        and key.isidentifier()
        and key not in RESERVED
        and not key.startswith("_")
    }
    data.update(
        {
            "case_id": case.pk,
            "subject": case.subject,
            "priority": priority_name(case.priority),
            "priority_level": int(case.priority),
            "status": case.status,
            "case_type": case.case_type.name if case.case_type else "",
            "amount": _number(fields.get("amount", 0)),
            "custom_fields": fields,
            "customer_tier": tier,
        }
    )
    return json.loads(json.dumps(data, default=str))


def new_workflow(playbook: Playbook, case: Case) -> BpmnWorkflow:
    parsed = parse_playbook(
        playbook.workspace,
        playbook.bpmn,
        playbook.dmn,
        bpmn_filename=playbook.bpmn_filename or "playbook.bpmn",
        check_people=False,
        check_schema=False,
    )
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.data.update(case_data(case))
    start = workflow.get_tasks(state=TaskState.READY)
    for task in start:
        task.data.update(case_data(case))
    return workflow


def _parents_first(state: dict[str, Any]) -> dict[str, Any]:
    """The state with each workflow's tasks in tree order, root first.

    SpiffWorkflow stores a task's data as a change from its parent's and restores the tasks in
    the order of their mapping, so a parent must come before its children; PostgreSQL's jsonb
    keeps keys sorted instead of in the order written.
    """

    def order(workflow: dict[str, Any]) -> None:
        tasks, root = workflow.get("tasks"), workflow.get("root")
        if not isinstance(tasks, dict) or not isinstance(root, str) or root not in tasks:
            return
        ordered: dict[str, Any] = {}
        queue: list[str] = [root]
        while queue:
            task_id = queue.pop(0)
            if task_id in tasks and task_id not in ordered:
                ordered[task_id] = tasks[task_id]
                queue.extend(tasks[task_id].get("children", []))
        ordered.update({k: v for k, v in tasks.items() if k not in ordered})
        workflow["tasks"] = ordered

    order(state)
    for sub in (state.get("subprocesses") or {}).values():
        if isinstance(sub, dict):
            order(sub)
    return state


def load(run: PlaybookRun) -> BpmnWorkflow:
    """A fresh workflow object from the stored state, with the restricted script engine."""
    state = _parents_first(json.loads(json.dumps(run.state)))
    workflow = SERIALIZER.deserialize_json(json.dumps(state))
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def dump(workflow: BpmnWorkflow) -> dict[str, Any]:
    return json.loads(SERIALIZER.serialize_json(workflow))


def _spec_kind(spec: Any) -> str:
    return type(spec).__name__


def _properties(spec: Any) -> dict[str, str]:
    return dict((getattr(spec, "extensions", None) or {}).get("properties", {}) or {})


def step_form(spec: Any) -> list[FormField]:
    try:
        return parse_form(_properties(spec).get("form", ""))
    except ValueError:
        return []


def _is_approval(spec: Any) -> bool:
    return _properties(spec).get("approval", "").strip().lower() == "true"


def _name(spec: Any) -> str:
    return (spec.bpmn_name or spec.bpmn_id or spec.name or "Step").strip()[:200]


def ordered_specs(workflow: BpmnWorkflow) -> list[Any]:
    """The process's steps in drawing order: breadth first from the start event."""
    return specs_in_order(workflow.spec)


def plan(spec: Any) -> list[dict[str, str]]:
    """What a playbook does, before any run: each step's name, kind and who does it."""
    return [
        {
            "name": _name(s),
            "kind": _kind(s),
            "lane": _properties(s).get("assignee") or s.lane or "",
        }
        for s in specs_in_order(spec)
    ]


def _kind(spec: Any) -> str:
    if _is_approval(spec):
        return "approval"
    return {"BusinessRuleTask": "decision", "ScriptTask": "script"}.get(_spec_kind(spec), "task")


def specs_in_order(process: Any) -> list[Any]:
    seen: set[str] = set()
    order = []
    queue = [process.start]
    while queue:
        spec = queue.pop(0)
        if spec.name in seen:
            continue
        seen.add(spec.name)
        if _spec_kind(spec) in STEP_CLASSES and getattr(spec, "bpmn_id", None):
            order.append(spec)
        queue.extend(spec.outputs)
    return order


def outline(workflow: BpmnWorkflow, run: PlaybookRun) -> list[dict[str, Any]]:
    """Each step with its state (done, current, waiting, future or skipped) and who has it."""
    states: dict[str, set[int]] = {}
    for task in workflow.get_tasks():
        states.setdefault(task.task_spec.name, set()).add(task.state)
    people: dict[str, PlaybookStep] = {}
    if run.pk:
        for step in PlaybookStep.objects.filter(run=run).select_related("assignee__user"):
            people[step.bpmn_id] = step  # a step drawn in a loop: its latest
    finished = workflow.is_completed() or run.status != PlaybookRun.Status.RUNNING
    # A step is still ahead when the diagram can reach it from where the run is now.
    reachable: set[str] = set()
    queue = [t.task_spec for t in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)]
    while queue:
        spec = queue.pop()
        if spec.name not in reachable:
            reachable.add(spec.name)
            queue.extend(spec.outputs)
    out = []
    for spec in ordered_specs(workflow):
        seen = states.get(spec.name, set())
        if TaskState.COMPLETED in seen:
            state = "done"
        elif seen & {TaskState.READY, TaskState.STARTED, TaskState.WAITING, TaskState.ERROR}:
            state = "waiting" if _is_approval(spec) else "current"
        elif not finished and spec.name in reachable:
            state = "future"
        else:
            state = "skipped"
        holder = people.get(spec.bpmn_id)
        props = _properties(spec)
        who = ""
        if holder is not None and holder.assignee is not None:
            who = holder.assignee.user.display_name
        out.append(
            {
                "id": spec.bpmn_id,
                "name": _name(spec),
                "lane": props.get("assignee") or spec.lane or "",
                "assignee": who,
                "state": state,
                "approval": _is_approval(spec),
                "customer_step": props.get("customer_step", ""),
                "form": props.get("form", ""),
                "kind": _kind(spec),
            }
        )
    return out


def _save(run: PlaybookRun, workflow: BpmnWorkflow) -> None:
    run.state = dump(workflow)
    if run.status == PlaybookRun.Status.RUNNING and workflow.is_completed():
        run.status = PlaybookRun.Status.COMPLETED
    steps = outline(workflow, run)
    current = next((s for s in steps if s["state"] in ("current", "waiting")), None)
    run.current_step = current["name"] if current else ""
    run.customer_step = (current["customer_step"] or current["name"]) if current else ""
    run.outline = steps
    run.save()


# Who acts -----------------------------------------------------------------------------------


def driver_for(case: Case, actor: Membership | None, playbook: Playbook) -> Membership | None:
    """The member in whose name the machine adds tasks: who caused the step, else the case
    owner, else who uploaded the playbook, else the workspace's first admin."""
    for member in (actor, case.owner, playbook.uploaded_by):
        if member is not None and member.has_role(Role.EMPLOYEE):
            return member
    return (
        Membership.objects.filter(workspace=case.workspace, role__in=[Role.OWNER, Role.ADMIN])
        .order_by("joined_at", "id")
        .first()
    )


def _audit(run: PlaybookRun, driver: Membership | None, verb: str, after: dict[str, Any]) -> None:
    """The audit event of a step of the run, and its line in the case's stream."""
    event = record(
        actor=driver.user if driver else None,
        workspace=run.case.workspace,
        verb=verb,
        obj=run,
        after={"case": run.case_id, **after},
    )
    activity.show(run.case, driver, event)


# Opening the steps people do ------------------------------------------------------------------


def _due(spec: Any) -> datetime.date | None:
    days = _properties(spec).get("due_in_days", "").strip()
    if days.isdigit():
        return timezone.localdate() + datetime.timedelta(days=int(days))
    return None


def _open_step(
    run: PlaybookRun, workflow_task: WorkflowTask, driver: Membership | None
) -> PlaybookStep:
    spec = workflow_task.task_spec
    case = run.case
    props = _properties(spec)
    target = (props.get("assignee") or spec.lane or "").strip()
    holders = assignment.resolve(case.workspace, target) if target else None
    if target and (holders is None or not holders.members):
        raise PlaybookFailed(
            f"Step {_name(spec)!r}: nobody in the workspace holds {target!r} any more."
        )
    step = PlaybookStep(
        workspace=case.workspace,
        run=run,
        workflow_task_id=str(workflow_task.id),
        bpmn_id=spec.bpmn_id,
        name=_name(spec),
    )
    if _is_approval(spec):
        requester = driver
        if requester is None:
            raise PlaybookFailed(f"Step {step.name!r}: nobody to ask for the approval.")
        kwargs: dict[str, Any] = {}
        if holders is None:
            raise PlaybookFailed(f"Step {step.name!r}: an approval needs a lane naming who.")
        if holders.kind == "team":
            kwargs["approver_team"] = holders.team
        elif holders.kind == "role":
            kwargs["approver_role"] = holders.role
        else:
            approver = assignment.least_loaded(holders, exclude=requester)
            if approver is None:
                raise PlaybookFailed(
                    f"Step {step.name!r}: only the requester holds {holders.label}; "
                    "somebody else must approve."
                )
            kwargs["approver"] = step.assignee = approver
        data = workflow_task.data
        amount = data.get("amount") or None
        approval = request_case_approval(
            requester,
            case,
            amount=amount,
            reason=(spec.documentation or f"The {run.playbook.name} playbook asks for it.")[:2000],
            summary=f"{step.name} (case #{case.pk})"[:200],
            **kwargs,
        )
        step.approval = approval
    else:
        assignee = assignment.assignee_for(holders, case.owner) if holders else case.owner
        actor = driver
        if actor is None:
            raise PlaybookFailed(f"Step {step.name!r}: nobody to add the task in whose name.")
        step.assignee = assignee
        step.task = case_actions.add_task(
            actor, case, title=step.name, assignee=assignee, due_date=_due(spec)
        )
    step.save()
    _audit(
        run,
        driver,
        "playbook.step.open",
        {
            "step": step.bpmn_id,
            "name": step.name,
            "assignee": step.assignee_id,
            "task": step.task_id,
            "approval": step.approval_id,
        },
    )
    emit(
        PLAYBOOK_STEP_OPENED,
        run.workspace_id,
        actor=driver,
        object_id=step.pk,
        case=run.case_id,
        run=run.pk,
        task=step.task_id,
        approval=step.approval_id,
    )
    return step


def _forward(run: PlaybookRun, workflow: BpmnWorkflow, driver: Membership | None) -> None:
    """Runs the engine until people are needed, opening a step for each task now waiting."""

    def done(task: WorkflowTask) -> None:
        if _spec_kind(task.task_spec) in ("BusinessRuleTask", "ScriptTask"):
            _audit(
                run,
                driver,
                "playbook.step.run",
                {"step": task.task_spec.bpmn_id, "name": _name(task.task_spec)},
            )

    workflow.do_engine_steps(did_complete_task=done)
    known = set(PlaybookStep.objects.filter(run=run).values_list("workflow_task_id", flat=True))
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if str(task.id) not in known:
            _open_step(run, task, driver)
    if workflow.is_completed():
        _audit(run, driver, "playbook.run.complete", {"playbook": run.playbook_id})
        emit(PLAYBOOK_FINISHED, run.workspace_id, actor=driver, object_id=run.pk, case=run.case_id)


def explain(error: Exception | str) -> str:
    """The reason a run stopped, in words: SpiffWorkflow's wrapper names the step, the
    evaluator's own error says why."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if not isinstance(error, SpiffWorkflowException):
        return str(error)
    spec = getattr(error, "task_spec", None)
    where = f"Step {_name(spec)!r} ({spec.bpmn_id})" if spec is not None else "The workflow"
    cause: BaseException | None = error.__cause__ or error.__context__
    while cause is not None and isinstance(cause, SpiffWorkflowException):
        cause = cause.__cause__ or cause.__context__
    reason = str(cause) if cause is not None else str(error)
    return f"{where}: {reason}"


def _fail(run: PlaybookRun, driver: Membership | None, error: Exception | str) -> None:
    message = explain(error)
    run.status = PlaybookRun.Status.FAILED
    run.error = message[:2000]
    run.save(update_fields=["status", "error", "updated_at"])
    _audit(run, driver, "playbook.run.fail", {"error": run.error})
    emit(PLAYBOOK_FAILED, run.workspace_id, actor=driver, object_id=run.pk, case=run.case_id)
    logger.warning("Playbook run %s on case %s failed: %s", run.pk, run.case_id, message)


def _step(run: PlaybookRun, driver: Membership | None, change: Any) -> None:
    """Loads the workflow, applies `change(workflow)`, runs it forward and saves it; on failure
    nothing of the step is kept and the run is marked failed with the reason."""
    try:
        with transaction.atomic():
            workflow = load(run)
            change(workflow)
            _forward(run, workflow, driver)
            _save(run, workflow)
    except (PlaybookFailed, *RUN_ERRORS) as exc:
        run.refresh_from_db()
        _fail(run, driver, exc)


# Entry points --------------------------------------------------------------------------------


def active_playbook(case: Case) -> Playbook | None:
    if not case.case_type_id:
        return None
    return Playbook.objects.filter(case_type_id=case.case_type_id, active=True).first()


def start(case: Case, playbook: Playbook, actor: Membership | None) -> PlaybookRun:
    """Starts `playbook` on the case (in the caller's transaction) and runs it to its first
    step; a run that cannot start is kept as failed, with the reason."""
    driver = driver_for(case, actor, playbook)
    run = PlaybookRun(workspace=case.workspace, case=case, playbook=playbook, state={})
    try:
        with transaction.atomic():
            workflow = new_workflow(playbook, case)
            run.state = dump(workflow)
            run.save()
            _audit(
                run,
                driver,
                "playbook.run.start",
                {"playbook": playbook.pk, "version": playbook.version},
            )
            emit(
                PLAYBOOK_STARTED,
                run.workspace_id,
                actor=driver,
                object_id=run.pk,
                case=case.pk,
                playbook=playbook.pk,
            )
            _forward(run, workflow, driver)
            _save(run, workflow)
    except (PlaybookFailed, *RUN_ERRORS) as exc:
        run = PlaybookRun(
            workspace=case.workspace, case=case, playbook=playbook, state={}, outline=[]
        )
        run.save()
        _fail(run, driver, exc)
    return run


def _locked_run(step: PlaybookStep) -> PlaybookRun | None:
    """The step's run, locked for this transaction (two steps of one run completed at once
    must not both write the workflow), or None when the step or run is over."""
    run = PlaybookRun.objects.select_for_update().select_related("playbook").get(pk=step.run_id)
    step.refresh_from_db(fields=["done"])
    if step.done or run.status != PlaybookRun.Status.RUNNING:
        return None
    step.run = run
    return run


def _step_completed(
    run: PlaybookRun, step: PlaybookStep, driver: Membership | None, *, approved: bool | None
) -> None:
    emit(
        PLAYBOOK_STEP_COMPLETED,
        run.workspace_id,
        actor=driver,
        object_id=step.pk,
        case=run.case_id,
        run=run.pk,
        approved=approved,
    )


def task_done(
    step: PlaybookStep, actor: Membership | None, data: dict[str, Any] | None = None
) -> None:
    """The case task of a step was completed: complete the workflow task and go on."""
    run = _locked_run(step)
    if run is None:
        return
    case = Case.objects.select_related("customer", "case_type").get(pk=run.case_id)
    run.case = case
    driver = driver_for(case, actor, run.playbook)

    def change(workflow: BpmnWorkflow) -> None:
        task = workflow.get_task_from_id(uuid.UUID(step.workflow_task_id))
        if task.state != TaskState.READY:
            raise PlaybookFailed(f"Step {step.name!r} is not waiting any more.")
        task.data.update(case_data(case))
        task.data.update(data or {})
        # Every field of the step's form is defined for what follows: its value, or None.
        for field in step_form(task.task_spec):
            task.data[field.name] = step.form_data.get(field.name)
        if actor is not None:
            task.data["completed_by"] = actor.user.display_name
        task.run()
        step.done = True
        step.save(update_fields=["done"])
        _audit(
            run,
            driver,
            "playbook.step.complete",
            {"step": step.bpmn_id, "name": step.name, "task": step.task_id},
        )
        _step_completed(run, step, driver, approved=None)

    _step(run, driver, change)


def approval_decided(step: PlaybookStep, approval: Any, actor: Membership | None) -> None:
    """The approval of a step was decided: its outcome goes into the data, and on."""
    run = _locked_run(step)
    if run is None:
        return
    case = Case.objects.select_related("customer", "case_type").get(pk=run.case_id)
    run.case = case
    approved = approval.state == "approved"
    driver = driver_for(case, actor, run.playbook)

    def change(workflow: BpmnWorkflow) -> None:
        task = workflow.get_task_from_id(uuid.UUID(step.workflow_task_id))
        if task.state != TaskState.READY:
            raise PlaybookFailed(f"Step {step.name!r} is not waiting any more.")
        task.data.update(case_data(case))
        task.data["approved"] = approved
        task.data["approval_comment"] = (approval.comment or "")[:2000]
        task.run()
        step.done = True
        step.save(update_fields=["done"])
        _audit(
            run,
            driver,
            "playbook.step.decided",
            {"step": step.bpmn_id, "approval": approval.pk, "approved": approved},
        )
        _step_completed(run, step, driver, approved=approved)

    # The case leaves "waiting on approval" before the next steps are added.
    _step(run, driver, change)


def retry(run: PlaybookRun, actor: Membership | None) -> PlaybookRun:
    """Goes on with a failed run from where it stopped: its state is the one before the failing
    step, so each step whose task was completed (or approval decided) meanwhile is applied again.
    A run that failed before its first step is started again."""
    if not run.state:
        case = Case.objects.select_related("customer", "case_type").get(pk=run.case_id)
        playbook = run.playbook
        run.delete()
        return start(case, playbook, actor)
    run.status = PlaybookRun.Status.RUNNING
    run.error = ""
    run.save(update_fields=["status", "error", "updated_at"])
    _audit(run, driver_for(run.case, actor, run.playbook), "playbook.run.retry", {})
    for step in PlaybookStep.objects.filter(run=run, done=False).select_related(
        "task", "approval", "run__playbook"
    ):
        if step.task is not None and step.task.status == step.task.State.DONE:
            task_done(step, actor)
        elif step.approval is not None and step.approval.state != "pending":
            approval_decided(step, step.approval, actor)
        run.refresh_from_db()
        if run.status != PlaybookRun.Status.RUNNING:
            break
    return run
