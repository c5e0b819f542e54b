"""What each role may do through the web: a refusal is a 403 page that says why."""

import pytest

from rapport.core import actions
from rapport.core.models import AuditEvent, Team
from rapport.core.roles import Role


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.EMPLOYEE, Role.AGENT, Role.MANAGER])
def test_below_admin_cannot_create_teams(signed_in, acme, make_member, role):
    client = signed_in(make_member(acme, role))
    page = client.get("/w/acme/settings/teams/")
    assert page.status_code == 200
    assert b"Create a team" not in page.content
    response = client.post("/w/acme/settings/teams/", {"name": "Shadow team"})
    assert response.status_code == 403
    assert b"Only an admin or above may create, rename and delete teams." in response.content
    assert b'class="mainnav"' in response.content
    assert not Team.objects.filter(name="Shadow team").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.EMPLOYEE, Role.MANAGER])
def test_below_admin_cannot_read_the_audit_log(signed_in, acme, make_member, role):
    client = signed_in(make_member(acme, role))
    response = client.get("/w/acme/settings/audit/")
    assert response.status_code == 403
    assert b"Only an admin or above may read the audit log." in response.content
    assert b"Audit log</a>" not in client.get("/w/acme/settings/workspace/").content


@pytest.mark.django_db
def test_an_admin_can_create_teams_and_read_the_audit_log(signed_in, acme, make_member):
    client = signed_in(make_member(acme, Role.ADMIN))
    response = client.post("/w/acme/settings/teams/", {"name": "Social Care"})
    assert response.status_code == 302
    assert Team.objects.filter(workspace=acme, name="Social Care").exists()
    audit = client.get("/w/acme/settings/audit/")
    assert audit.status_code == 200
    assert b"team.create" in audit.content
    assert b"Social Care" in audit.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [(Role.EMPLOYEE, 403), (Role.AGENT, 403), (Role.MANAGER, 200)]
)
def test_background_tasks_are_for_managers(signed_in, acme, make_member, role, status):
    client = signed_in(make_member(acme, role))
    assert client.get("/w/acme/settings/tasks/").status_code == status


@pytest.mark.django_db
def test_a_manager_cannot_delete_teams_or_manage_members(signed_in, owner, make_member):
    manager = make_member(owner.workspace, Role.MANAGER)
    agent = make_member(owner.workspace, Role.AGENT)
    team = actions.create_team(owner, name="Sales")
    client = signed_in(manager)
    assert client.post(f"/w/acme/settings/teams/{team.pk}/delete/").status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()
    response = client.post(f"/w/acme/settings/members/{agent.pk}/role/", {"role": "admin"})
    assert response.status_code == 403
    assert client.post(f"/w/acme/settings/members/{agent.pk}/remove/").status_code == 403
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


@pytest.mark.django_db
def test_an_employee_cannot_rename_the_workspace(signed_in, acme, make_member):
    client = signed_in(make_member(acme, Role.EMPLOYEE))
    page = client.get("/w/acme/settings/workspace/")
    assert b"Save name" not in page.content
    assert client.post("/w/acme/settings/workspace/", {"name": "Mine"}).status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme Bank"
    assert not AuditEvent.objects.filter(verb="workspace.rename").exists()


@pytest.mark.django_db
def test_an_admin_cannot_make_owners_or_touch_the_owner(signed_in, owner, make_member):
    admin = make_member(owner.workspace, Role.ADMIN)
    agent = make_member(owner.workspace, Role.AGENT)
    client = signed_in(admin)
    page = client.get("/w/acme/settings/members/").content.decode()
    assert '<option value="owner"' not in page
    response = client.post(f"/w/acme/settings/members/{agent.pk}/role/", {"role": "owner"})
    assert response.status_code == 403
    assert client.post(f"/w/acme/settings/members/{owner.pk}/remove/").status_code == 403


@pytest.mark.django_db
def test_an_employee_is_offered_only_what_they_may_do_on_a_case(signed_in, owner, make_member):
    from rapport.cases import actions as case_actions

    employee = make_member(owner.workspace, Role.EMPLOYEE)
    agent = make_member(owner.workspace, Role.AGENT)
    case = case_actions.create_case(owner, subject="Charged twice", owner=agent)
    case_actions.add_task(owner, case, title="Sign the refund letter", assignee=employee)
    theirs = case_actions.add_task(owner, case, title="Call the bank", assignee=agent)
    page = signed_in(employee).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert page.count(">Complete<") == 1  # their own task only
    assert f"/case-tasks/{theirs.pk}/status/" not in page
    assert "Set parent" not in page
    assert "Create a public link" not in page
    assert "Add task" in page
    agent_page = signed_in(agent).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert agent_page.count(">Complete<") == 2
    assert "Set parent" in agent_page
