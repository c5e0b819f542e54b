"""What the cases domain tells the others (see `rapport.core.events` and `rapport.core.hooks`).

Events, after the commit: a case opened, changed, moved along its states, commented on, merged
and unmerged; its tasks added, assigned, completed and reopened. The contribution ledger, the
insights rollups and the profile's timeline are fed by them (a case opened reaches the timeline
through the `case.opening` hook instead, in the opening's transaction).

Hooks, inside the writing transaction, for what must commit with the change: SLA timers start,
pause and are met, a playbook starts and steps forward (`rapport.sla.wiring`,
`rapport.playbooks.wiring`). Every path that opens a case, moves it, completes a task or adds a
comment runs them, through the actions here.
"""

from rapport.core.events import declare
from rapport.core.hooks import declare_hook

CASE_OPENED = declare(
    "case.opened",
    "A case was opened (by hand, from a conversation or post, or as a child of another).",
    about="cases.case",
    data={"status": str, "conversation": int | None, "customer": int | None, "team": int | None},
)
CASE_UPDATED = declare(
    "case.updated",
    "Fields of a case changed (its status changes are events of their own).",
    about="cases.case",
    data={"fields": list},
)
CASE_STATUS_CHANGED = declare(
    "case.status_changed",
    "A case moved between new, open and the waiting states (a decided approval resumes it).",
    about="cases.case",
    data={"before": str, "after": str},
)
CASE_RESOLVED = declare(
    "case.resolved",
    "A case was resolved.",
    about="cases.case",
    data={"before": str, "team": int | None},
)
CASE_CLOSED = declare(
    "case.closed",
    "A resolved case was closed (a merged duplicate is `case.merged` instead).",
    about="cases.case",
)
CASE_REOPENED = declare(
    "case.reopened",
    "A resolved or closed case was opened again.",
    about="cases.case",
    data={"before": str},
)
CASE_COMMENTED = declare(
    "case.commented",
    "Somebody commented on a case: internally, or publicly as an update for the customer.",
    about="cases.case",
    data={"comment": int, "public": bool, "team": int | None},
)
CASE_MERGED = declare(
    "case.merged",
    "A duplicate case was merged into another and closed; its tasks and comments moved.",
    about="cases.case",
    data={"into": int, "merge": int},
)
CASE_UNMERGED = declare(
    "case.unmerged",
    "An admin undid a merge: the case is its own again, with what had moved back.",
    about="cases.case",
    data={"into": int, "merge": int},
)
TASK_ADDED = declare(
    "task.added",
    "A task was added to a case (by a person, or by a playbook for one of its steps).",
    about="cases.task",
    data={"case": int, "assignee": int | None},
)
TASK_ASSIGNED = declare(
    "task.assigned",
    "A task was given to somebody else (or to nobody).",
    about="cases.task",
    data={"case": int, "assignee": int | None},
)
TASK_COMPLETED = declare(
    "task.completed",
    "A task was completed.",
    about="cases.task",
    data={"case": int, "assignee": int | None, "team": int | None},
)
TASK_REOPENED = declare(
    "task.reopened",
    "A completed task was opened again.",
    about="cases.task",
    data={"case": int},
)

CASE_OPENING = declare_hook(
    "case.opening",
    "A case is being opened (its row saved): what starts with it (SLA timers, its type's "
    "playbook, its entry on the customer's timeline) starts here.",
    args={"case": "the new Case", "actor": "the Membership who opened it"},
)
CASE_UPDATING = declare_hook(
    "case.updating",
    "A case's fields are being changed (its priority: the SLA policy that fits may change).",
    args={
        "case": "the Case, saved with its new values",
        "actor": "the Membership who changed it",
        "fields": "the names of the fields that changed",
    },
)
CASE_STATUS_CHANGING = declare_hook(
    "case.status_changing",
    "A case is moving to another status (a transition, a merge, an unmerge, a decided approval): "
    "SLA timers pause, resume, are met or reopened; a playbook starts when a new case opens.",
    args={
        "case": "the Case, saved in its new status",
        "actor": "the Membership who moved it, or None for the machine",
        "before": "the status it had",
        "after": "the status it has now",
    },
)
TASK_COMPLETING = declare_hook(
    "task.completing",
    "A case task is being completed: the playbook step it stands for completes with it.",
    args={"task": "the Task, saved as done", "actor": "the Membership who completed it"},
)
CASE_COMMENTING = declare_hook(
    "case.commenting",
    "A comment is being added to a case: a public one answers the customer (SLA responses met).",
    args={"comment": "the new Comment", "actor": "the Membership who wrote it"},
)
CASE_APPROVAL_DECIDING = declare_hook(
    "case.approval_deciding",
    "An approval on a case is being decided, withdrawn or expired: a playbook waiting on it "
    "takes its approve or reject branch.",
    args={
        "case": "the Case, locked for the decision",
        "approval": "the Approval, saved in its new state",
        "actor": "the Membership who decided, or None for the machine",
    },
)
