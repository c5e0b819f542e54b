"""The case page's playbook panel: the diagram's progress as a list of steps, and starting or
cancelling a run (the forms post to `playbooks.case_playbook_start` / `_cancel`)."""

from typing import Any

from rapport.cases.models import Case, Status
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.playbooks import selectors
from rapport.playbooks.models import PlaybookRun

STATE_LABELS = {
    "done": "Done",
    "current": "Now",
    "waiting": "Waiting on approval",
    "future": "Next",
    "skipped": "Not needed",
}


def panel(membership: Membership, case: Case) -> dict[str, Any]:
    run = selectors.run_of(case)
    steps = [
        {**step, "state_label": STATE_LABELS.get(step["state"], step["state"])}
        for step in selectors.steps(case)
    ]
    is_agent = membership.has_role(Role.AGENT)
    open_case = case.status not in (Status.RESOLVED, Status.CLOSED)
    can_start = is_agent and open_case and (run is None or run.status != PlaybookRun.Status.RUNNING)
    return {
        "playbook_panel": {
            "run": run,
            "steps": steps,
            "done": sum(1 for s in steps if s["state"] == "done"),
            "total": sum(1 for s in steps if s["state"] != "skipped"),
            "can_cancel": is_agent and run is not None and run.status == "running",
            "can_start": can_start,
            "startable": selectors.startable_playbooks(membership, case) if can_start else [],
        }
    }
