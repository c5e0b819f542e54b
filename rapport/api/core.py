"""The core router: who am I, members, teams, the audit log, background task runs."""

from django.db.models import Count
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.api.pagination import Pages
from rapport.api.schemas import (
    AuditEventOut,
    MemberOut,
    MeOut,
    TaskRunOut,
    TeamIn,
    TeamOut,
    TeamPatch,
)
from rapport.core import actions, selectors
from rapport.core.access import access_in_workspace, access_team
from rapport.core.models import Membership, TaskRun, Team

router = Router(tags=["workspace"])


@router.get("/me", response=MeOut, summary="The caller and the workspace their token acts in")
def me(request: HttpRequest) -> dict[str, object]:
    m = member(request)
    return {"user": m.user, "workspace": m.workspace, "role": m.role, "title": m.title}


@router.get("/members", response=list[MemberOut], summary="People in the workspace")
@paginate(Pages, page_size=50)
def list_members(request: HttpRequest, q: str = "") -> object:
    return selectors.workspace_members(member(request), search=q)


@router.get("/teams", response=list[TeamOut], summary="Teams, searchable by name")
@paginate(Pages, page_size=50)
def list_teams(request: HttpRequest, q: str = "") -> object:
    return selectors.workspace_teams(member(request), search=q)


def _team_out(team: Team) -> Team:
    return Team.objects.annotate(member_count=Count("members")).get(pk=team.pk)


@router.post("/teams", response={201: TeamOut}, summary="Create a team")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[Team]:
    team = actions.create_team(member(request), name=payload.name, description=payload.description)
    return Status(201, _team_out(team))


@router.get("/teams/{team_id}", response=TeamOut, summary="One team")
def get_team(request: HttpRequest, team_id: Id) -> Team:
    return _team_out(access_team(member(request), team_id))


@router.patch("/teams/{team_id}", response=TeamOut, summary="Rename or describe a team")
def update_team(request: HttpRequest, team_id: Id, payload: TeamPatch) -> Team:
    m = member(request)
    team = actions.update_team(
        m, access_team(m, team_id), name=payload.name, description=payload.description
    )
    return _team_out(team)


@router.delete("/teams/{team_id}", response={204: None}, summary="Delete a team")
def delete_team(request: HttpRequest, team_id: Id) -> Status[None]:
    m = member(request)
    actions.delete_team(m, access_team(m, team_id))
    return Status(204, None)


@router.get("/members/{member_id}", response=MemberOut, summary="One member")
def get_member(request: HttpRequest, member_id: Id) -> Membership:
    return access_in_workspace(
        member(request), Membership.objects.select_related("user"), member_id
    )


@router.get(
    "/audit-events", response=list[AuditEventOut], summary="The audit log (admins and owners)"
)
@paginate(Pages, page_size=50)
def list_audit_events(request: HttpRequest, verb: str = "", actor: str = "", q: str = "") -> object:
    return selectors.audit_trail(member(request), verb=verb, actor=actor, search=q)


def _run_out(run: TaskRun) -> dict[str, object]:
    state = selectors.task_run_state(run)
    return {
        "id": run.pk,
        "label": run.label,
        "status": state.status,
        "finished": state.finished,
        "result": state.return_value,
        "error": state.error,
        "created_at": run.created_at,
    }


@router.post(
    "/tasks/worker-check",
    response={202: TaskRunOut},
    summary="Queue a task that a running worker answers",
)
def check_worker(request: HttpRequest) -> Status[dict[str, object]]:
    return Status(202, _run_out(actions.start_worker_check(member(request))))


@router.get("/tasks/{run_id}", response=TaskRunOut, summary="State of a background task")
def get_task_run(request: HttpRequest, run_id: Id) -> dict[str, object]:
    return _run_out(access_in_workspace(member(request), TaskRun.objects.all(), run_id))
