"""Reads for "My work": one person's open case tasks and watched cases, across all cases.
(Their approvals come from `rapport.approvals.selectors`.)"""

from django.db.models import F, QuerySet

from rapport.cases.models import Case, Status, Task
from rapport.core.models import Membership


def open_tasks(member: Membership) -> QuerySet[Task]:
    """Tasks assigned to the member and still open, on cases not closed: soonest due first,
    those without a due date last."""
    return (
        Task.objects.filter(workspace=member.workspace, assignee=member, status=Task.State.OPEN)
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def watched_cases(member: Membership) -> QuerySet[Case]:
    """Cases the member watches that are not closed, most recently changed first."""
    return (
        Case.objects.filter(workspace=member.workspace, watchers=member)
        .exclude(status=Status.CLOSED)
        .select_related("owner__user", "team")
        .order_by("-updated_at", "-id")
    )
