"""A member of one workspace can neither see nor touch another's: every view answers 404."""

import pytest

from rapport.core import actions
from rapport.core.models import ApiToken, AuditEvent, Membership, TaskRun, Team
from rapport.core.roles import Role


@pytest.fixture
def other(globex):
    """Globex's owner, a member, a team and a token: things an Acme owner must never reach."""
    boss = globex.memberships.get()
    member = actions.add_member(boss, email="gina@globex.example", role=Role.AGENT)
    team = actions.create_team(boss, name="Globex claims")
    actions.add_team_member(boss, team, member)
    token, _ = actions.create_api_token(boss, name="globex script")
    run = actions.start_worker_check(boss)
    return {"boss": boss, "member": member, "team": team, "token": token, "run": run}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "",
        "inbox/",
        "listening/",
        "cases/",
        "contacts/",
        "people/",
        "settings/",
        "settings/workspace/",
        "settings/members/",
        "settings/teams/",
        "settings/tokens/",
        "settings/audit/",
        "settings/tasks/",
    ],
)
def test_pages_of_another_workspace_are_404(owner_client, globex, path):
    assert owner_client.get(f"/w/globex/{path}").status_code == 404


@pytest.mark.django_db
def test_pages_of_a_workspace_that_does_not_exist_are_404(owner_client):
    response = owner_client.get("/w/nowhere/inbox/")
    assert response.status_code == 404
    assert b"belongs to a workspace you are not a member of" in response.content


@pytest.mark.django_db
def test_other_workspaces_objects_under_my_slug_are_404_in_every_view(owner, owner_client, other):
    team, member, token, run = other["team"], other["member"], other["token"], other["run"]
    mine = actions.create_team(owner, name="Acme care")
    events_before = AuditEvent.objects.filter(workspace=other["team"].workspace_id).count()

    gets = [
        f"/w/acme/settings/teams/{team.pk}/",
        f"/w/acme/settings/tasks/{run.pk}/",
    ]
    posts = [
        (f"/w/acme/settings/teams/{team.pk}/", {"name": "Taken over"}),
        (f"/w/acme/settings/teams/{team.pk}/delete/", {}),
        (f"/w/acme/settings/teams/{team.pk}/members/", {"member": owner.pk}),
        (f"/w/acme/settings/teams/{mine.pk}/members/", {"member": member.pk}),
        (f"/w/acme/settings/teams/{team.pk}/members/{member.pk}/remove/", {}),
        (f"/w/acme/settings/teams/{mine.pk}/members/{member.pk}/remove/", {}),
        (f"/w/acme/settings/members/{member.pk}/role/", {"role": "viewer"}),
        (f"/w/acme/settings/members/{member.pk}/remove/", {}),
        (f"/w/acme/settings/members/{other['boss'].pk}/remove/", {}),
        (f"/w/acme/settings/tokens/{token.pk}/revoke/", {}),
    ]
    for path in gets:
        assert owner_client.get(path).status_code == 404, path
    for path, data in posts:
        assert owner_client.post(path, data).status_code == 404, path

    team.refresh_from_db()
    assert team.name == "Globex claims"
    assert list(team.members.all()) == [member]
    assert not mine.members.exists()
    assert Membership.objects.get(pk=member.pk).role == Role.AGENT
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert TaskRun.objects.filter(pk=run.pk).exists()
    assert Team.objects.filter(pk=team.pk).exists()
    assert AuditEvent.objects.filter(workspace=team.workspace_id).count() == events_before


@pytest.mark.django_db
def test_another_members_token_in_my_workspace_cannot_be_revoked_from_my_tokens_page(
    owner, signed_in, make_member
):
    agent = make_member(owner.workspace, Role.AGENT)
    token, _ = actions.create_api_token(owner, name="owner's")
    response = signed_in(agent).post(f"/w/acme/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_object_ids_that_are_not_numbers_are_404(owner_client):
    assert owner_client.get("/w/acme/settings/teams/abc/").status_code == 404
