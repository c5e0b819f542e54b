"""Every write of the playbooks domain by a person, audited, in one transaction each.

Upload a playbook for a case type (validated; a refused upload changes nothing), switch it off,
start a run on a case by hand (cases of a type with an active playbook start one when opened:
see `wiring`), cancel a run. The machine's own steps are in `engine`. What a person does to a
run on a case is a line of the case's stream too (`activity`).
"""

import uuid
from collections.abc import Mapping

from django.core.exceptions import ValidationError

from rapport.cases import actions as case_actions
from rapport.cases.models import Case, CaseType, Status
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require, require_own_or
from rapport.playbooks import activity, engine
from rapport.playbooks.events import PLAYBOOK_CANCELLED
from rapport.playbooks.forms import clean_values
from rapport.playbooks.models import Playbook, PlaybookRun, PlaybookStep
from rapport.playbooks.validate import PlaybookInvalid, Problem, parse_playbook

MAX_FILENAME = 200


def _text(content: str | bytes, filename: str) -> str:
    if isinstance(content, bytes):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlaybookInvalid(
                [Problem(f"the file is not UTF-8 text (byte {exc.start})", filename)]
            ) from None
    return content


@action("playbook.upload")
def upload_playbook(
    actor: Membership,
    case_type: CaseType,
    *,
    bpmn: str | bytes,
    dmn: Mapping[str, str | bytes] | None = None,
    bpmn_filename: str = "playbook.bpmn",
) -> Playbook:
    """A new version of the case type's playbook, active from now on for newly opened cases.
    Refused with PlaybookInvalid (each problem with its element and line) when it is not valid;
    then the case type keeps the playbook it had."""
    require(actor, Verb.PLAYBOOKS)
    require_same_workspace(actor, case_type)
    bpmn_filename = (bpmn_filename or "playbook.bpmn")[:MAX_FILENAME]
    bpmn_text = _text(bpmn, bpmn_filename)
    dmn_texts = {name[:MAX_FILENAME]: _text(body, name) for name, body in (dmn or {}).items()}
    parsed = parse_playbook(actor.workspace, bpmn_text, dmn_texts, bpmn_filename=bpmn_filename)
    previous = (
        Playbook.objects.select_for_update()
        .filter(case_type=case_type)
        .order_by("-version")
        .first()
    )
    Playbook.objects.filter(case_type=case_type, active=True).update(active=False)
    playbook = Playbook.objects.create(
        workspace=actor.workspace,
        case_type=case_type,
        name=parsed.name,
        process_id=parsed.process_id,
        bpmn=bpmn_text,
        bpmn_filename=bpmn_filename,
        dmn=dmn_texts,
        version=(previous.version + 1) if previous else 1,
        steps=engine.plan(parsed.spec),
        uploaded_by=actor,
        active=True,
    )
    record_by(
        actor,
        verb="playbook.upload",
        obj=playbook,
        before={"version": previous.version, "active": previous.active} if previous else None,
        after={
            "case_type": case_type.pk,
            "name": playbook.name,
            "process": playbook.process_id,
            "version": playbook.version,
            "files": [bpmn_filename, *dmn_texts],
            "lanes": parsed.lanes,
        },
    )
    return playbook


@action("playbook.deactivate")
def deactivate_playbook(actor: Membership, playbook: Playbook) -> Playbook:
    """Newly opened cases of the type no longer start it; runs in progress go on."""
    require(actor, Verb.PLAYBOOKS)
    require_same_workspace(actor, playbook)
    before = {"active": playbook.active}
    playbook.active = False
    playbook.save(update_fields=["active"])
    record_by(
        actor, verb="playbook.deactivate", obj=playbook, before=before, after={"active": False}
    )
    return playbook


@action("playbook.start")
def start_run(actor: Membership, case: Case, *, playbook: Playbook | None = None) -> PlaybookRun:
    """Starts a playbook on the case by hand: its type's active one, or the one chosen (for a
    case opened before its playbook was uploaded, or one without a type, which then takes the
    playbook's case type). A finished, failed or cancelled run is replaced; a running one is
    not."""
    require(actor, Verb.RUN_PLAYBOOKS)
    require_same_workspace(actor, case, playbook)
    if case.status in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(
            f"Case #{case.pk} is {case.get_status_display().lower()}; reopen it first."
        )
    playbook = playbook or engine.active_playbook(case)
    if playbook is None:
        raise ValidationError(
            "This case's type has no active playbook; choose one."
            if case.case_type_id
            else "This case has no type; choose the playbook to run."
        )
    if not playbook.active:
        raise ValidationError(f"The playbook {playbook} is switched off.")
    typed = None
    if case.case_type_id is None:
        # A case opened without a type (from a conversation, say) takes the playbook's type,
        # so its custom fields (the amount the playbook reads) and SLA policy follow too.
        Case.objects.filter(pk=case.pk).update(case_type=playbook.case_type)
        case.case_type = playbook.case_type
        typed = playbook.case_type.name
    existing = PlaybookRun.objects.select_for_update().filter(case=case).first()
    replaced = None
    if existing is not None:
        if existing.status == PlaybookRun.Status.RUNNING:
            raise ValidationError(
                f"The playbook {existing.playbook.name} is already running on this case."
            )
        replaced = {"run": existing.pk, "status": existing.status}
        existing.delete()
    run = engine.start(case, playbook, actor)
    event = record_by(
        actor,
        verb="playbook.start",
        obj=run,
        before=replaced,
        after={
            "case": case.pk,
            "playbook": playbook.pk,
            "status": run.status,
            **({"case_type": typed} if typed else {}),
        },
    )
    activity.show(case, actor, event)
    return run


@action("playbook.cancel")
def cancel_run(actor: Membership, run: PlaybookRun) -> PlaybookRun:
    """Stops the run; its open tasks stay on the case as ordinary tasks."""
    require(actor, Verb.RUN_PLAYBOOKS)
    require_same_workspace(actor, run)
    if run.status != PlaybookRun.Status.RUNNING:
        raise ValidationError(f"The playbook is {run.get_status_display().lower()}, not running.")
    run.status = PlaybookRun.Status.CANCELLED
    run.current_step = run.customer_step = ""
    run.outline = [
        {**s, "state": "skipped"} if s["state"] in ("current", "waiting", "future") else s
        for s in run.outline
    ]
    run.save()
    event = record_by(actor, verb="playbook.cancel", obj=run, after={"case": run.case_id})
    activity.show(run.case, actor, event)
    emit(PLAYBOOK_CANCELLED, run.workspace_id, actor=actor, object_id=run.pk, case=run.case_id)
    return run


@action("playbook.step.submit")
def submit_step(
    actor: Membership, step: PlaybookStep, *, values: Mapping[str, object]
) -> PlaybookStep:
    """Completes a playbook step with its form: the values are checked against the step's
    `form`, kept, and its case task is completed (the workflow then reads them)."""
    require(actor, Verb.WORK_OWN_TASKS)
    require_same_workspace(actor, step)
    task = step.task
    if step.done or task is None or task.status == task.State.DONE:
        raise ValidationError(f"The step {step.name!r} is not waiting for anyone.")
    require_own_or(actor, task.assignee_id, Verb.WORK_OWN_TASKS, Verb.CHANGE_TASKS)
    run = step.run
    if run.status != PlaybookRun.Status.RUNNING:
        raise ValidationError(f"The playbook is {run.get_status_display().lower()}.")
    spec = engine.load(run).get_task_from_id(uuid.UUID(step.workflow_task_id)).task_spec
    step.form_data = clean_values(engine.step_form(spec), values)
    step.save(update_fields=["form_data"])
    event = record_by(
        actor,
        verb="playbook.step.submit",
        obj=step,
        after={"case": run.case_id, "step": step.bpmn_id, "values": step.form_data},
    )
    activity.show(run.case, actor, event)
    case_actions.update_task(actor, task, status="done")
    return step


@action("playbook.retry")
def retry_run(actor: Membership, run: PlaybookRun) -> PlaybookRun:
    """Goes on with a failed run once its cause is fixed (a lane someone holds again, the case
    data corrected): the steps done meanwhile are applied again; it may fail again, saying why."""
    require(actor, Verb.RUN_PLAYBOOKS)
    require_same_workspace(actor, run)
    if run.status != PlaybookRun.Status.FAILED:
        raise ValidationError(f"The playbook is {run.get_status_display().lower()}, not failed.")
    before = {"status": run.status, "error": run.error}
    run = engine.retry(run, actor)
    record_by(actor, verb="playbook.retry", obj=run, before=before, after={"status": run.status})
    return run
