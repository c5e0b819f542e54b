"""Reads of the core domain, always through the caller's membership."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django_tasks import default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from rapport.core import failures
from rapport.core.models import (
    ApiToken,
    AuditEvent,
    Membership,
    TaskFailure,
    TaskRun,
    Team,
    User,
)
from rapport.core.permissions import Verb, require


def memberships_of(user: User) -> QuerySet[Membership]:
    """The workspaces a person can switch between."""
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def workspace_members(viewer: Membership, search: str = "") -> QuerySet[Membership]:
    members = Membership.objects.filter(workspace=viewer.workspace).select_related("user")
    if search:
        members = members.filter(
            Q(user__email__icontains=search)
            | Q(user__full_name__icontains=search)
            | Q(title__icontains=search)
        )
    return members.prefetch_related("teams").order_by("user__full_name", "user__email")


def workspace_teams(viewer: Membership, search: str = "") -> QuerySet[Team]:
    teams = Team.objects.filter(workspace=viewer.workspace)
    if search:
        teams = teams.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return teams.annotate(member_count=Count("members")).order_by("name")


def audit_trail(
    viewer: Membership, *, verb: str = "", actor: str = "", search: str = ""
) -> QuerySet[AuditEvent]:
    require(viewer, Verb.AUDIT_LOG)
    events = AuditEvent.objects.filter(workspace=viewer.workspace)
    if verb:
        events = events.filter(verb__startswith=verb)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if search:
        events = events.filter(object_repr__icontains=search)
    return events


def api_tokens(viewer: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=viewer)


def task_runs(viewer: Membership) -> QuerySet[TaskRun]:
    return TaskRun.objects.filter(workspace=viewer.workspace).select_related("requested_by")


def task_failures(viewer: Membership) -> QuerySet[TaskFailure]:
    """Background work for this workspace that failed for good (`rapport.core.failures`)."""
    require(viewer, Verb.BACKGROUND_TASKS)
    return TaskFailure.objects.filter(workspace=viewer.workspace)


@dataclass(frozen=True)
class TaskRunState:
    status: str  # READY, RUNNING, SUCCESSFUL, FAILED, or UNKNOWN when the backend forgot it
    finished: bool
    return_value: Any
    error: str


def task_run_state(run: TaskRun) -> TaskRunState:
    if not default_task_backend.supports_get_result:
        return TaskRunState(
            "UNKNOWN", True, None, "This task backend keeps no results (it runs tasks inline)."
        )
    try:
        result = default_task_backend.get_result(run.result_id)
    except TaskResultDoesNotExist:
        return TaskRunState("UNKNOWN", True, None, "The task queue no longer knows this task.")
    status = str(result.status.value if hasattr(result.status, "value") else result.status)
    error = (
        failures.reason_of(result.errors[-1].exception_class_path, result.errors[-1].traceback)
        if result.errors
        else ""
    )
    value = result.return_value if status == "SUCCESSFUL" else None
    return TaskRunState(status, status in ("SUCCESSFUL", "FAILED"), value, error)
