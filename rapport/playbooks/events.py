"""What happens to playbook runs that other domains may react to (see `rapport.core.events`).

A run follows its case inside the case's transactions (the cases domain's hooks, registered in
`wiring.py`); these events tell the others after the commit. Each names its case.
"""

from rapport.core.events import declare

PLAYBOOK_STARTED = declare(
    "playbook.started",
    "A playbook started on a case (when it opened, or by hand) and ran to its first step.",
    about="playbooks.playbookrun",
    data={"case": int, "playbook": int},
)
PLAYBOOK_STEP_OPENED = declare(
    "playbook.step_opened",
    "A playbook reached a step people do: a case task for its lane, or an approval to decide.",
    about="playbooks.playbookstep",
    data={"case": int, "run": int, "task": int | None, "approval": int | None},
)
PLAYBOOK_STEP_COMPLETED = declare(
    "playbook.step_completed",
    "A playbook step was done: its task completed, or its approval decided (`approved`: the "
    "branch taken; None for a task).",
    about="playbooks.playbookstep",
    data={"case": int, "run": int, "approved": bool | None},
)
PLAYBOOK_FINISHED = declare(
    "playbook.finished",
    "A playbook run reached its end.",
    about="playbooks.playbookrun",
    data={"case": int},
)
PLAYBOOK_FAILED = declare(
    "playbook.failed",
    "A playbook run could not go on (a lane nobody holds, an expression that failed); the "
    "case page says why, and an agent may retry it.",
    about="playbooks.playbookrun",
    data={"case": int},
)
PLAYBOOK_CANCELLED = declare(
    "playbook.cancelled",
    "An agent cancelled a running playbook; its open tasks stay on the case.",
    about="playbooks.playbookrun",
    data={"case": int},
)
