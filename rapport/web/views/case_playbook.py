"""The case page's playbook panel: the diagram's progress as a list of steps, and starting or
cancelling a run (the forms post to `playbooks.case_playbook_start` / `_cancel`)."""

from typing import Any

from rapport.cases.models import Case, Status
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can
from rapport.playbooks import selectors
from rapport.playbooks.forms import FormField, parse_form
from rapport.playbooks.models import PlaybookRun, PlaybookStep

STATE_LABELS = {
    "done": "Done",
    "current": "Now",
    "waiting": "Waiting on approval",
    "future": "Next",
    "skipped": "Not needed",
}


def _forms(
    membership: Membership, run: PlaybookRun | None, steps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The forms of the steps waiting now that this member may complete."""
    with_form = {s["id"]: s["form"] for s in steps if s["state"] == "current" and s.get("form")}
    if run is None or run.status != PlaybookRun.Status.RUNNING or not with_form:
        return []
    out = []
    for step in PlaybookStep.objects.filter(
        run=run, done=False, bpmn_id__in=with_form, task__status="open"
    ).select_related("task"):
        if step.task is None:
            continue
        if step.task.assignee_id != membership.pk and not can(membership, Verb.CHANGE_TASKS):
            continue
        try:
            fields: list[FormField] = parse_form(with_form[step.bpmn_id])
        except ValueError:
            continue
        out.append({"step": step, "fields": fields})
    return out


def panel(membership: Membership, case: Case) -> dict[str, Any]:
    run = selectors.run_of(case)
    steps = [
        {**step, "state_label": STATE_LABELS.get(step["state"], step["state"])}
        for step in selectors.steps(case)
    ]
    is_agent = can(membership, Verb.RUN_PLAYBOOKS)
    open_case = case.status not in (Status.RESOLVED, Status.CLOSED)
    can_start = is_agent and open_case and (run is None or run.status != PlaybookRun.Status.RUNNING)
    return {
        "playbook_panel": {
            "run": run,
            "steps": steps,
            "done": sum(1 for s in steps if s["state"] == "done"),
            "total": sum(1 for s in steps if s["state"] != "skipped"),
            "forms": _forms(membership, run, steps),
            "can_retry": is_agent and open_case and run is not None and run.status == "failed",
            "can_cancel": is_agent and run is not None and run.status == "running",
            "can_start": can_start,
            "startable": selectors.startable_playbooks(membership, case) if can_start else [],
        }
    }
