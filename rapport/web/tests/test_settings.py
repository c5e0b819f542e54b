"""Settings through the web: each change goes through an action and leaves its audit event."""

import re

import pytest

from conftest import PASSWORD
from rapport.core import actions, selectors
from rapport.core.models import ApiToken, AuditEvent, Membership, TaskRun, Team
from rapport.core.roles import Role
from rapport.core.selectors import TaskRunState


def _last_event(verb: str) -> AuditEvent:
    event = AuditEvent.objects.filter(verb=verb).first()
    assert event is not None, f"no {verb} event"
    return event


@pytest.mark.django_db
def test_team_lifecycle_through_the_web_is_audited(owner, owner_client, make_member):
    response = owner_client.post(
        "/w/acme/settings/teams/", {"name": "Social Care", "description": "First line"}, follow=True
    )
    assert b"Team \xe2\x80\x9cSocial Care\xe2\x80\x9d created." in response.content
    team = Team.objects.get(workspace=owner.workspace, name="Social Care")
    created = _last_event("team.create")
    assert created.actor == owner.user
    assert created.after == {"name": "Social Care", "description": "First line"}

    owner_client.post(
        f"/w/acme/settings/teams/{team.pk}/", {"name": "Customer Care", "description": "First"}
    )
    renamed = _last_event("team.update")
    assert renamed.before == {"name": "Social Care", "description": "First line"}
    assert renamed.after == {"name": "Customer Care", "description": "First"}

    sam = make_member(owner.workspace, Role.AGENT, email="sam@acme.example")
    page = owner_client.get(f"/w/acme/settings/teams/{team.pk}/").content.decode()
    assert f'<option value="{sam.pk}">' in page
    owner_client.post(f"/w/acme/settings/teams/{team.pk}/members/", {"member": sam.pk})
    assert list(team.members.all()) == [sam]
    assert _last_event("team.add_member").after == {"member": "sam@acme.example"}
    page = owner_client.get(f"/w/acme/settings/teams/{team.pk}/").content.decode()
    assert "sam@acme.example" in page

    owner_client.post(f"/w/acme/settings/teams/{team.pk}/members/{sam.pk}/remove/")
    assert not team.members.exists()
    assert _last_event("team.remove_member").before == {"member": "sam@acme.example"}

    response = owner_client.post(f"/w/acme/settings/teams/{team.pk}/delete/", follow=True)
    assert b"deleted" in response.content
    assert not Team.objects.filter(pk=team.pk).exists()
    assert _last_event("team.delete").before == {"name": "Customer Care", "description": "First"}


@pytest.mark.django_db
def test_a_duplicate_team_name_is_shown_on_the_form(owner, owner_client):
    actions.create_team(owner, name="Sales")
    response = owner_client.post("/w/acme/settings/teams/", {"name": "sales"})
    assert response.status_code == 400
    assert "There is already a team called &#x27;sales&#x27;." in response.content.decode()
    assert Team.objects.filter(workspace=owner.workspace).count() == 1


@pytest.mark.django_db
def test_an_empty_team_name_is_refused(owner_client):
    response = owner_client.post("/w/acme/settings/teams/", {"name": "   "})
    assert response.status_code == 400
    assert b"This field is required." in response.content or b"A team needs a name" in (
        response.content
    )
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_rename_workspace(owner_client, acme):
    response = owner_client.post(
        "/w/acme/settings/workspace/", {"name": "Acme Bank plc"}, follow=True
    )
    assert b"The workspace is renamed." in response.content
    acme.refresh_from_db()
    assert acme.name == "Acme Bank plc"
    assert _last_event("workspace.rename").after == {"name": "Acme Bank plc"}


@pytest.mark.django_db
def test_add_a_member_who_can_then_sign_in(owner_client, client, acme):
    response = owner_client.post(
        "/w/acme/settings/members/",
        {
            "email": "Nora@Acme.example",
            "full_name": "Nora Blake",
            "title": "Mortgage advisor",
            "role": "agent",
            "password": PASSWORD,
        },
        follow=True,
    )
    assert b"nora@acme.example is now a member." in response.content
    nora = Membership.objects.get(workspace=acme, user__email="nora@acme.example")
    assert nora.role == Role.AGENT
    assert _last_event("member.add").after == {
        "email": "nora@acme.example",
        "role": "agent",
        "title": "Mortgage advisor",
    }
    signed = client.post(
        "/login/", {"username": "nora@acme.example", "password": PASSWORD}, follow=True
    )
    assert signed.redirect_chain[-1][0] == "/w/acme/inbox/"


@pytest.mark.django_db
def test_adding_an_existing_member_again_shows_the_error(owner_client, owner):
    response = owner_client.post(
        "/w/acme/settings/members/", {"email": owner.user.email, "role": "agent"}
    )
    assert response.status_code == 400
    assert b"is already a member." in response.content


@pytest.mark.django_db
def test_members_page_explains_the_roles(owner_client):
    html = owner_client.get("/w/acme/settings/members/").content.decode()
    assert "Reads everything in the workspace and changes only their own things." in html
    assert "Everything a manager may do, and also:" in html
    assert "create, rename and delete teams" in html
    assert "change a case&#x27;s owner, team, priority" in html


@pytest.mark.django_db
def test_change_role_and_remove_a_member(owner, owner_client, make_member):
    agent = make_member(owner.workspace, Role.AGENT)
    response = owner_client.post(
        f"/w/acme/settings/members/{agent.pk}/role/", {"role": "manager"}, follow=True
    )
    assert b"is now Manager." in response.content
    agent.refresh_from_db()
    assert agent.role == Role.MANAGER
    assert _last_event("member.change_role").after == {"role": "manager"}

    response = owner_client.post(f"/w/acme/settings/members/{agent.pk}/remove/", follow=True)
    assert b"is no longer a member." in response.content
    assert not Membership.objects.filter(pk=agent.pk).exists()
    assert _last_event("member.remove").before == {"email": agent.user.email, "role": "manager"}


@pytest.mark.django_db
def test_the_last_owner_cannot_step_down_and_is_told_why(owner, owner_client):
    response = owner_client.post(
        f"/w/acme/settings/members/{owner.pk}/role/", {"role": "admin"}, follow=True
    )
    assert b"A workspace must keep at least one owner." in response.content
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


@pytest.mark.django_db
def test_api_token_is_shown_once_and_can_be_revoked(owner, owner_client):
    response = owner_client.post("/w/acme/settings/tokens/", {"name": "CRM export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = ApiToken.objects.get(membership=owner)
    start = html.index('id="new-token"')
    raw = html[html.index(">", start) + 1 : html.index("</code>", start)]
    assert raw.startswith(token.prefix)
    assert "Copy it now" in html
    assert "data-copy" in html

    listed = owner_client.get("/w/acme/settings/tokens/").content.decode()
    assert "CRM export" in listed
    assert raw not in listed

    me = owner_client.__class__(headers={"Authorization": f"Bearer {raw}"})
    assert me.get("/api/v1/me").status_code == 200

    response = owner_client.post(f"/w/acme/settings/tokens/{token.pk}/revoke/", follow=True)
    assert b"revoked" in response.content
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert me.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_audit_log_filters_by_verb_actor_and_text(owner, owner_client, make_member):
    admin = make_member(owner.workspace, Role.ADMIN, email="adam@acme.example")
    actions.create_team(owner, name="Sales")
    actions.create_team(admin, name="Credit")
    actions.rename_workspace(admin, name="Acme Bank plc")

    def rows(query: str) -> str:
        html = owner_client.get(f"/w/acme/settings/audit/?{query}").content.decode()
        return html[html.index('id="audit-list"') :]

    teams_only = rows("verb=team.")
    assert "Sales" in teams_only
    assert "Credit" in teams_only
    assert "workspace.rename" not in teams_only
    by_adam = rows("actor=adam")
    assert "workspace.rename" in by_adam
    assert "Credit" in by_adam
    assert "Sales" not in by_adam
    assert "Credit" not in rows("q=sales")
    # Before and after are shown, field by field.
    rename = by_adam[by_adam.index("workspace.rename") :]
    assert re.search(
        r'<dt>name</dt>\s*<dd>\s*<span class="before">Acme Bank</span>.*?'
        r'<span class="after">Acme Bank plc</span>',
        rename,
        re.S,
    )


@pytest.mark.django_db
def test_check_the_worker_creates_a_task_run_and_its_row_polls_until_finished(owner, owner_client):
    response = owner_client.post("/w/acme/settings/tasks/", follow=True)
    assert b"Worker check queued" in response.content
    run = TaskRun.objects.get(workspace=owner.workspace)
    assert _last_event("task.check_worker").object_id == str(run.pk)
    html = response.content.decode()
    assert f'id="run-{run.pk}"' in html
    assert "Waiting for a worker" in html
    assert f'hx-get="/w/acme/settings/tasks/{run.pk}/"' in html
    assert 'hx-trigger="every 1s"' in html

    row = owner_client.get(f"/w/acme/settings/tasks/{run.pk}/", headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert row.content.decode().lstrip().startswith(f'<li class="run" id="run-{run.pk}"')
    assert b"READY" in row.content

    page = owner_client.get(f"/w/acme/settings/tasks/{run.pk}/")
    assert b"<html" in page.content
    assert f'id="run-{run.pk}"'.encode() in page.content


@pytest.mark.django_db
def test_check_the_worker_through_htmx_returns_the_refreshed_list(owner, owner_client):
    response = owner_client.post("/w/acme/settings/tasks/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    run = TaskRun.objects.get(workspace=owner.workspace)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="task-runs">')
    assert f'id="run-{run.pk}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (
            TaskRunState(
                "SUCCESSFUL",
                True,
                {"host": "worker-7", "pid": 4242, "ran_at": "2026-01-02T03:04:05Z"},
                "",
            ),
            [
                "SUCCESSFUL",
                "Answered by a worker on <strong>worker-7</strong> (pid 4242) at 03:04:05",
            ],
        ),
        (TaskRunState("FAILED", True, None, "builtins.RuntimeError"), ["FAILED", "RuntimeError"]),
        (
            TaskRunState("UNKNOWN", True, None, "The task queue no longer knows this task."),
            ["no longer knows"],
        ),
    ],
)
def test_a_finished_run_shows_its_outcome_and_stops_polling(
    owner, owner_client, monkeypatch, state, shown
):
    # A real worker answering is covered by rapport/core/tests/test_queue.py and the e2e flow.
    run = actions.start_worker_check(owner)
    monkeypatch.setattr(selectors, "task_run_state", lambda _run: state)
    row = owner_client.get(
        f"/w/acme/settings/tasks/{run.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    for text in shown:
        assert text in row
    assert "hx-trigger" not in row
