"""Settings → Audit log and Background tasks: what happened, and whether the worker is alive."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.dateparse import parse_datetime

from rapport.core import actions, selectors
from rapport.core.access import access_in_workspace, access_workspace
from rapport.core.audit import ACTIONS
from rapport.core.models import Membership, TaskRun
from rapport.core.permissions import Verb, require
from rapport.web.views.common import member_view, paginate, render_page

RECENT_RUNS = 20
RECENT_FAILURES = 50


@member_view
def audit(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    filters = {name: request.GET.get(name, "").strip()[:200] for name in ("verb", "actor", "q")}
    events = selectors.audit_trail(
        membership, verb=filters["verb"], actor=filters["actor"], search=filters["q"]
    )
    verbs = sorted(set(ACTIONS) | {verb.split(".")[0] + "." for verb in ACTIONS})
    return render_page(
        request,
        membership,
        "web/settings/audit.html",
        {"page": paginate(request, events), "filters": filters, "verbs": verbs},
        section="settings",
        subsection="settings_audit",
        partial="web/settings/_audit.html",
    )


@dataclass(frozen=True)
class RunRow:
    """A task run with what the queue says about it, ready to show."""

    run: TaskRun
    status: str
    finished: bool
    error: str
    host: str = ""
    pid: Any = None
    ran_at: datetime | None = None


def _row(run: TaskRun) -> RunRow:
    state = selectors.task_run_state(run)
    value = state.return_value if isinstance(state.return_value, dict) else {}
    ran_at = value.get("ran_at")
    return RunRow(
        run=run,
        status=state.status,
        finished=state.finished,
        error=state.error,
        host=str(value.get("host", "")),
        pid=value.get("pid"),
        ran_at=parse_datetime(ran_at) if isinstance(ran_at, str) else None,
    )


def _tasks_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = [_row(run) for run in selectors.task_runs(membership)[:RECENT_RUNS]]
    return render_page(
        request,
        membership,
        "web/settings/tasks.html",
        {
            "rows": rows,
            "failures": selectors.task_failures(membership)[:RECENT_FAILURES],
        },
        section="settings",
        subsection="settings_tasks",
        partial="web/settings/_task_runs.html",
    )


@member_view
def tasks(request: HttpRequest, slug: str) -> HttpResponse:
    """Recent background task runs; POST queues a worker check."""
    membership = access_workspace(request.user, slug)
    require(membership, Verb.BACKGROUND_TASKS)
    if request.method == "POST":
        run = actions.start_worker_check(membership)
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, f"{run.label} queued: a running worker will answer it.")
            return redirect("web:settings_tasks", slug=slug)
    return _tasks_page(request, membership)


@member_view
def task_run(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """One run; its row polls this URL through htmx until the run has finished."""
    membership = access_workspace(request.user, slug)
    require(membership, Verb.BACKGROUND_TASKS)
    run = access_in_workspace(membership, selectors.task_runs(membership), run_id)
    return render_page(
        request,
        membership,
        "web/settings/task_run.html",
        {"row": _row(run)},
        section="settings",
        subsection="settings_tasks",
        partial="web/settings/_task_run.html",
    )
