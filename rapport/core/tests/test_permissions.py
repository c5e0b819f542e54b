"""The permission table: what the role descriptions say is what each role can do.

Every write endpoint is checked against the table as every role in
test_every_write_endpoint.py; these are the table's own checks and the behaviours the old
descriptions promised but the code did not keep.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from rapport.cases import actions as case_actions
from rapport.cases.models import Case, Task
from rapport.contacts import actions as contact_actions
from rapport.contacts.models import Contact
from rapport.core import actions
from rapport.core.models import AuditEvent, Team
from rapport.core.permissions import Verb, can, describe, markdown, refusal, require
from rapport.core.roles import Role
from rapport.listening import actions as listening_actions
from rapport.listening.models import Source
from rapport.listening.tests.scenarios import make_source


def test_the_committed_roles_doc_is_the_one_the_table_writes():
    committed = (Path(settings.BASE_DIR) / "docs" / "roles.md").read_text()
    assert committed == markdown(), "docs/roles.md is out of date: run `make roles`"


def test_every_verb_of_the_table_is_checked_somewhere_in_the_code():
    """A verb nothing checks would be a promise in the descriptions that nothing keeps."""
    code = "\n".join(
        path.read_text()
        for path in Path(settings.BASE_DIR, "rapport").rglob("*.py")
        if "tests" not in path.parts and path.name != "permissions.py"
    )
    checked = set(re.findall(r"Verb\.([A-Z_]+)", code))
    assert [verb.name for verb in Verb if verb.name not in checked] == []


def test_each_role_is_described_by_what_it_adds_to_the_role_below():
    assert describe(Role.VIEWER).startswith("Reads everything in the workspace")
    assert "save inbox views" in describe(Role.VIEWER)
    employee = describe(Role.EMPLOYEE)
    assert employee.startswith("Everything a viewer may do, and also:")
    assert "update and complete the tasks assigned to them" in employee
    assert "comment on cases" in employee
    assert "owner" not in employee  # changing a case's owner is an agent's
    assert "change a case's owner, team, priority" in describe(Role.AGENT)
    assert "create, rename and delete teams" in describe(Role.ADMIN)
    assert "delete sources" in describe(Role.ADMIN)
    assert "delete sources" not in describe(Role.MANAGER)
    assert "change who is in a team" in describe(Role.MANAGER)
    assert describe(Role.OWNER) == (
        "Everything an admin may do, and also: People: make, change and remove owners."
    )


@pytest.mark.parametrize("verb", list(Verb))
def test_a_verb_is_allowed_from_its_least_role_up(verb):
    allowed = [role for role in Role if can(role, verb)]
    assert allowed == [role for role in Role if role.rank >= verb.least.rank]
    assert refusal(verb).startswith(f"Only a{'n' if verb.least[0] in 'aeio' else ''} ")


def test_a_refusal_names_the_least_role_and_the_verb(acme, make_member):
    viewer = make_member(acme, Role.VIEWER)
    with pytest.raises(PermissionDenied, match=r"^Only an agent or above may merge cases\.$"):
        require(viewer, Verb.MERGE_CASES)


# What the old descriptions said and the code did not keep ----------------------------------


@pytest.fixture
def people(owner, make_member):
    return {role: make_member(owner.workspace, role) for role in Role if role != Role.OWNER} | {
        Role.OWNER: owner
    }


def _task_for(owner, assignee) -> Task:
    case = case_actions.create_case(owner, subject="Charged twice", owner=owner)
    return case_actions.add_task(owner, case, title="Check the ledger", assignee=assignee)


def test_an_employee_completes_their_own_task_but_not_a_colleagues(owner, people):
    employee, agent = people[Role.EMPLOYEE], people[Role.AGENT]
    mine = _task_for(owner, employee)
    case_actions.update_task(employee, mine, status="done")
    assert Task.objects.get(pk=mine.pk).status == "done"
    theirs = _task_for(owner, agent)
    with pytest.raises(PermissionDenied, match="agent or above may change, take or complete"):
        case_actions.update_task(employee, theirs, status="done")
    with pytest.raises(PermissionDenied):
        case_actions.update_task(employee, theirs, assignee=employee)  # taking it
    unassigned = _task_for(owner, None)
    with pytest.raises(PermissionDenied):
        case_actions.update_task(employee, unassigned, assignee=employee)
    assert Task.objects.get(pk=theirs.pk).status == "open"
    case_actions.update_task(agent, unassigned, assignee=agent)  # an agent takes work


def test_an_employee_changes_neither_a_cases_owner_nor_its_priority(owner, people):
    employee = people[Role.EMPLOYEE]
    case = case_actions.create_case(owner, subject="Charged twice", owner=owner)
    with pytest.raises(PermissionDenied, match="agent or above may change a case's owner"):
        case_actions.update_case(employee, case, owner=employee)
    with pytest.raises(PermissionDenied):
        case_actions.update_case(employee, case, priority="urgent")
    case.refresh_from_db()
    assert (case.owner, case.priority) == (owner, Case._meta.get_field("priority").default)
    case_actions.add_comment(employee, case, body="I can see the double charge in the ledger")
    case_actions.update_case(people[Role.AGENT], case, priority="urgent")


def test_an_employee_records_an_opt_out_but_changes_no_contact(owner, people):
    employee = people[Role.EMPLOYEE]
    dana = Contact.objects.create(workspace=owner.workspace, name="Dana", email="d@example.com")
    with pytest.raises(PermissionDenied, match="agent or above may change contacts"):
        contact_actions.update_contact(employee, dana, email="someone@else.example")
    with pytest.raises(PermissionDenied):
        contact_actions.update_contact(employee, dana, do_not_contact=True)
    contact_actions.record_consent(employee, dana, "all", False, "consent")
    dana.refresh_from_db()
    assert dana.do_not_contact
    assert dana.email == "d@example.com"
    with pytest.raises(PermissionDenied, match="agent or above may record a customer's consent"):
        contact_actions.record_consent(employee, dana, "email", True, "consent")
    contact_actions.record_consent(people[Role.AGENT], dana, "email", True, "consent")
    dana.refresh_from_db()
    assert not dana.do_not_contact


def test_a_manager_pauses_sources_but_deletes_none_and_creates_no_teams(owner, people):
    manager = people[Role.MANAGER]
    source = make_source(owner)
    listening_actions.pause_source(manager, source)
    with pytest.raises(PermissionDenied, match="admin or above may delete sources"):
        listening_actions.delete_source(manager, source)
    assert Source.objects.filter(pk=source.pk).exists()
    with pytest.raises(PermissionDenied, match="admin or above may create, rename and delete"):
        actions.create_team(manager, name="Shadow team")
    team = actions.create_team(people[Role.ADMIN], name="Social Care")
    actions.add_team_member(manager, team, people[Role.AGENT])  # leading it is a manager's
    assert list(Team.objects.get(pk=team.pk).members.all()) == [people[Role.AGENT]]
    listening_actions.delete_source(people[Role.ADMIN], source)
    assert AuditEvent.objects.filter(verb="source.delete").count() == 1
