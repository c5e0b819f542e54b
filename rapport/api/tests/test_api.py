"""The HTTP API: tokens, tenancy, clear JSON errors, and the committed schema."""

import json

import pytest
from django.test import Client

from rapport.api.openapi import SCHEMA_FILE, render
from rapport.core import actions
from rapport.core.models import AuditEvent, Membership, Team
from rapport.core.roles import Role


@pytest.fixture
def acme_owner(acme) -> Membership:
    return Membership.objects.get(workspace=acme, role=Role.OWNER)


@pytest.fixture
def globex_owner(globex) -> Membership:
    return Membership.objects.get(workspace=globex, role=Role.OWNER)


def test_me_names_the_user_and_the_workspace_of_the_token(api_client, acme, make_member):
    member = make_member(acme, Role.AGENT, email="sam@acme.example")
    response = api_client(member).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "user": {"id": member.user.pk, "email": "sam@acme.example", "full_name": ""},
        "workspace": {"id": acme.pk, "name": "Acme Bank", "slug": "acme"},
        "role": "agent",
        "title": "",
    }


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nope", "Token abc", "Basic dXNlcjpwYXNz"]
)
def test_requests_without_a_valid_token_get_401(header, acme):
    headers = {"Authorization": header} if header else {}
    response = Client(headers=headers).get("/api/v1/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_revoked_token_gets_401(acme_owner):
    token, raw = actions.create_api_token(acme_owner, name="old")
    actions.revoke_api_token(acme_owner, token)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.status_code == 401


def test_another_workspaces_objects_are_404(api_client, acme_owner, globex_owner):
    globex_team = actions.create_team(globex_owner, name="Claims")
    run = actions.start_worker_check(globex_owner)
    client = api_client(acme_owner)
    for method, path in [
        ("get", f"/api/v1/teams/{globex_team.pk}"),
        ("patch", f"/api/v1/teams/{globex_team.pk}"),
        ("delete", f"/api/v1/teams/{globex_team.pk}"),
        ("get", f"/api/v1/members/{globex_owner.pk}"),
        ("get", f"/api/v1/tasks/{run.pk}"),
    ]:
        response = getattr(client, method)(
            path, data={"name": "x"}, content_type="application/json"
        )
        assert response.status_code == 404, (method, path)
        assert response.json()["detail"].startswith("No such")
    globex_team.refresh_from_db()
    assert globex_team.name == "Claims"
    listing = client.get("/api/v1/teams").json()
    assert "Claims" not in [t["name"] for t in listing["items"]]
    members = client.get("/api/v1/members").json()
    assert globex_owner.user.email not in [m["email"] for m in members["items"]]


def test_teams_can_be_created_listed_searched_changed_and_deleted(api_client, acme_owner):
    client = api_client(acme_owner)
    created = client.post(
        "/api/v1/teams",
        data={"name": "Social Care", "description": "first line"},
        content_type="application/json",
    )
    assert created.status_code == 201
    team_id = created.json()["id"]
    client.post("/api/v1/teams", data={"name": "Sales"}, content_type="application/json")
    found = client.get("/api/v1/teams", {"q": "soc"}).json()
    assert [t["name"] for t in found["items"]] == ["Social Care"]
    changed = client.patch(
        f"/api/v1/teams/{team_id}", data={"name": "Customer Care"}, content_type="application/json"
    )
    assert changed.json()["name"] == "Customer Care"
    assert changed.json()["description"] == "first line"
    assert client.delete(f"/api/v1/teams/{team_id}").status_code == 204
    assert client.get(f"/api/v1/teams/{team_id}").status_code == 404
    verbs = list(
        AuditEvent.objects.filter(object_id=str(team_id), verb__startswith="team.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["team.create", "team.update", "team.delete"]


def test_lists_are_paginated(api_client, acme_owner):
    for i in range(55):
        Team.objects.create(workspace=acme_owner.workspace, name=f"Team {i:02}")
    client = api_client(acme_owner)
    first = client.get("/api/v1/teams").json()
    second = client.get("/api/v1/teams", {"page": 2}).json()
    assert first["count"] == second["count"] == 55
    assert len(first["items"]) == 50
    assert len(second["items"]) == 5


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ('{"name": "Sales"}', 400, "already a team called 'Sales'"),
        ('{"name": ""}', 422, "at least 1 character"),
        ('{"name": 42}', 422, "valid string"),
        ('{"description": "no name"}', 422, "Field required"),
        ("{not json", 400, "Cannot parse request body"),
        ('["a list"]', 422, ""),
    ],
)
def test_bad_input_gets_a_clear_error_not_a_500(body, status, detail, api_client, acme_owner):
    actions.create_team(acme_owner, name="Sales")
    response = api_client(acme_owner).post(
        "/api/v1/teams", data=body, content_type="application/json"
    )
    assert response.status_code == status
    assert detail in json.dumps(response.json())


def test_bad_path_and_query_values_are_422(api_client, acme_owner):
    client = api_client(acme_owner)
    assert client.get("/api/v1/teams/abc").status_code == 422
    assert client.get("/api/v1/teams", {"page": "zero"}).status_code == 422


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EMPLOYEE, Role.AGENT, Role.MANAGER])
def test_roles_below_admin_cannot_create_teams(role, api_client, acme, make_member):
    response = api_client(make_member(acme, role)).post(
        "/api/v1/teams", data={"name": "Skunkworks"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "admin or above" in response.json()["detail"]


def test_the_audit_log_is_for_admins(api_client, acme, acme_owner, make_member):
    agent = make_member(acme, Role.AGENT)
    assert api_client(agent).get("/api/v1/audit-events").status_code == 403
    events = api_client(acme_owner).get("/api/v1/audit-events", {"verb": "member."}).json()
    assert events["count"] >= 1
    assert {e["verb"] for e in events["items"]} == {"member.add"}


def test_worker_check_is_queued_and_reported(api_client, acme_owner):
    client = api_client(acme_owner)
    queued = client.post("/api/v1/tasks/worker-check")
    assert queued.status_code == 202
    body = queued.json()
    assert body["label"] == "Worker check"
    assert body["status"] in {"READY", "RUNNING", "SUCCESSFUL"}
    again = client.get(f"/api/v1/tasks/{body['id']}")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_committed_openapi_schema_matches_the_code():
    assert SCHEMA_FILE.read_text() == render(), "run `make openapi` and commit the result"
    schema = json.loads(SCHEMA_FILE.read_text())
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_unknown_api_paths_answer_404_in_json(api_client, acme_owner):
    for path in ["/api/v1/nothing-here", "/api/v2/me", "/api/"]:
        response = api_client(acme_owner).get(path)
        assert response.status_code == 404
        assert "No API endpoint" in response.json()["detail"]


def test_wrong_method_is_405_not_500(api_client, acme_owner):
    response = api_client(acme_owner).put("/api/v1/me", data={}, content_type="application/json")
    assert response.status_code == 405
