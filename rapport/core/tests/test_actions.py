"""Every write goes through an action that records who did what, in the same transaction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.approvals.tests.scenarios import SCENARIOS as APPROVAL_SCENARIOS
from rapport.cases.tests.scenarios import SCENARIOS as CASE_SCENARIOS
from rapport.contacts.tests.linkage_scenarios import SCENARIOS as LINKAGE_SCENARIOS
from rapport.contacts.tests.scenarios import SCENARIOS as CONTACT_SCENARIOS
from rapport.core import actions
from rapport.core.audit import ACTIONS
from rapport.core.models import ApiToken, AuditEvent, Membership, Team
from rapport.core.roles import Role
from rapport.engagement.tests.scenarios import SCENARIOS as ENGAGEMENT_SCENARIOS
from rapport.ideas.tests.scenarios import CUSTOMER_ACTIONS
from rapport.ideas.tests.scenarios import SCENARIOS as IDEA_SCENARIOS
from rapport.inbox.tests.scenarios import SCENARIOS as INBOX_SCENARIOS
from rapport.listening.tests.scenarios import SCENARIOS as LISTENING_SCENARIOS
from rapport.notifications.tests.scenarios import SCENARIOS as NOTIFICATION_SCENARIOS
from rapport.people.tests.scenarios import SCENARIOS as PEOPLE_SCENARIOS
from rapport.playbooks.tests.scenarios import SCENARIOS as PLAYBOOK_SCENARIOS
from rapport.recognition.tests.scenarios import SCENARIOS as RECOGNITION_SCENARIOS
from rapport.sla.tests.scenarios import SCENARIOS as SLA_SCENARIOS
from rapport.triage.tests.scenarios import SCENARIOS as TRIAGE_SCENARIOS


def _team(owner: Membership, name: str = "Social Care") -> Team:
    return actions.create_team(owner, name=name)


# One way to perform each action, given the owner of a fresh workspace.
SCENARIOS = {
    "workspace.create": lambda o: actions.create_workspace(
        name="Initech", slug="initech", owner=o.user
    ),
    "workspace.rename": lambda o: actions.rename_workspace(o, name="Acme Bank plc"),
    "member.add": lambda o: actions.add_member(o, email="new@acme.example", role=Role.AGENT),
    "member.change_role": lambda o: actions.change_role(
        o, actions.add_member(o, email="x@acme.example", role=Role.AGENT), role=Role.MANAGER
    ),
    "member.remove": lambda o: actions.remove_member(
        o, actions.add_member(o, email="y@acme.example", role=Role.VIEWER)
    ),
    "team.create": lambda o: _team(o),
    "team.update": lambda o: actions.update_team(o, _team(o), name="Customer Care"),
    "team.delete": lambda o: actions.delete_team(o, _team(o)),
    "team.add_member": lambda o: actions.add_team_member(o, _team(o), o),
    "team.remove_member": lambda o: actions.remove_team_member(
        o, actions.add_team_member(o, _team(o), o), o
    ),
    "token.create": lambda o: actions.create_api_token(o, name="zapier"),
    "token.revoke": lambda o: actions.revoke_api_token(
        o, actions.create_api_token(o, name="old")[0]
    ),
    "task.check_worker": lambda o: actions.start_worker_check(o),
}
SCENARIOS.update(LISTENING_SCENARIOS)
SCENARIOS.update(APPROVAL_SCENARIOS)
SCENARIOS.update(ENGAGEMENT_SCENARIOS)
SCENARIOS.update(NOTIFICATION_SCENARIOS)
SCENARIOS.update(PEOPLE_SCENARIOS)
SCENARIOS.update(TRIAGE_SCENARIOS)
SCENARIOS.update(INBOX_SCENARIOS)
SCENARIOS.update(CASE_SCENARIOS)
SCENARIOS.update(PLAYBOOK_SCENARIOS)
SCENARIOS.update(SLA_SCENARIOS)
SCENARIOS.update(LINKAGE_SCENARIOS)
SCENARIOS.update(CONTACT_SCENARIOS)
SCENARIOS.update(IDEA_SCENARIOS)
SCENARIOS.update(RECOGNITION_SCENARIOS)


def test_every_action_has_a_scenario():
    assert set(SCENARIOS) == set(ACTIONS), "add a scenario for each new action"


@pytest.mark.parametrize("verb", sorted(SCENARIOS))
def test_every_action_writes_an_audit_event(verb, owner):
    before = AuditEvent.objects.filter(verb=verb).count()
    SCENARIOS[verb](owner)
    event = AuditEvent.objects.filter(verb=verb).order_by("-id").first()
    assert AuditEvent.objects.filter(verb=verb).count() == before + 1
    assert event is not None
    if verb in CUSTOMER_ACTIONS:  # a customer on the portal: no member acted
        assert event.actor is None
    else:
        assert event.actor == owner.user
        assert event.actor_label == owner.user.email
    assert event.workspace is not None
    assert event.object_type
    assert event.object_repr


def test_audit_event_keeps_before_and_after(owner):
    team = actions.create_team(owner, name="Social Care", description="first line")
    actions.update_team(owner, team, name="Customer Care")
    event = AuditEvent.objects.get(verb="team.update")
    assert event.before == {"name": "Social Care", "description": "first line"}
    assert event.after == {"name": "Customer Care", "description": "first line"}
    assert event.object_id == str(team.pk)


def test_audit_events_are_append_only(owner):
    actions.create_team(owner, name="Sales")
    event = AuditEvent.objects.get(verb="team.create")
    event.verb = "team.forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "team.create"


def test_a_failed_action_changes_nothing_and_records_nothing(owner):
    actions.create_team(owner, name="Sales")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="already a team called"):
        actions.create_team(owner, name="sales")
    assert Team.objects.filter(workspace=owner.workspace).count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EMPLOYEE, Role.AGENT, Role.MANAGER])
def test_only_admins_and_above_create_teams(role, acme, make_member):
    member = make_member(acme, role)
    with pytest.raises(PermissionDenied, match="admin or above"):
        actions.create_team(member, name="Skunkworks")
    assert not Team.objects.filter(name="Skunkworks").exists()


def test_admin_cannot_make_an_owner_and_the_last_owner_stays(owner, acme, make_member):
    admin = make_member(acme, Role.ADMIN)
    agent = make_member(acme, Role.AGENT)
    with pytest.raises(PermissionDenied, match="Only an owner or above may make"):
        actions.change_role(admin, agent, role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        actions.remove_member(admin, owner)
    with pytest.raises(ValidationError, match="at least one owner"):
        actions.change_role(owner, owner, role=Role.ADMIN)
    with pytest.raises(ValidationError, match="at least one owner"):
        actions.remove_member(owner, owner)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_unknown_role_is_named_in_the_error(owner):
    with pytest.raises(ValidationError, match="Unknown role 'king'"):
        actions.add_member(owner, email="a@acme.example", role="king")


def test_adding_the_same_person_twice_is_refused(owner):
    actions.add_member(owner, email="Pat@Acme.example", role=Role.AGENT)
    with pytest.raises(ValidationError, match="already a member"):
        actions.add_member(owner, email="pat@acme.example", role=Role.AGENT)
    assert Membership.objects.filter(user__email="pat@acme.example").count() == 1


def test_one_user_can_belong_to_two_workspaces(acme, globex):
    acme_owner = Membership.objects.get(workspace=acme, role=Role.OWNER)
    globex_owner = Membership.objects.get(workspace=globex, role=Role.OWNER)
    actions.add_member(acme_owner, email="pat@example.com", role=Role.AGENT)
    actions.add_member(globex_owner, email="pat@example.com", role=Role.VIEWER)
    roles = dict(
        Membership.objects.filter(user__email="pat@example.com").values_list(
            "workspace__slug", "role"
        )
    )
    assert roles == {"acme": "agent", "globex": "viewer"}


def test_token_secret_is_never_stored(owner):
    token, raw = actions.create_api_token(owner, name="zapier")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("rpt_")
    assert len(raw) > 40
    assert raw not in (stored.key_hash, stored.prefix, stored.name)
    event = AuditEvent.objects.get(verb="token.create")
    assert raw not in str(event.after)


def test_agents_cannot_revoke_other_peoples_tokens(acme, owner, make_member):
    token, _ = actions.create_api_token(owner, name="ops")
    agent = make_member(acme, Role.AGENT)
    with pytest.raises(PermissionDenied):
        actions.revoke_api_token(agent, token)
    token.refresh_from_db()
    assert token.revoked_at is None
