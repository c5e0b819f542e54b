"""Tenancy: one workspace never sees another's data; unknown and foreign look the same (404)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from rapport.core import actions
from rapport.core.access import (
    access_by_api_token,
    access_member,
    access_team,
    access_workspace,
)
from rapport.core.models import Membership
from rapport.core.roles import Role


def test_members_reach_their_workspace_and_nobody_else_does(acme, globex, make_member):
    agent = make_member(acme, Role.AGENT)
    assert access_workspace(agent.user, "acme") == agent
    with pytest.raises(Http404):
        access_workspace(agent.user, "globex")
    with pytest.raises(Http404):
        access_workspace(agent.user, "no-such-workspace")
    with pytest.raises(Http404):
        access_workspace(AnonymousUser(), "acme")


def test_inactive_users_reach_nothing(acme, make_member):
    agent = make_member(acme, Role.AGENT)
    agent.user.is_active = False
    agent.user.save()
    with pytest.raises(Http404):
        access_workspace(agent.user, "acme")


def test_objects_of_another_workspace_are_not_found(acme, globex, make_member):
    acme_owner = Membership.objects.get(workspace=acme, role=Role.OWNER)
    globex_owner = Membership.objects.get(workspace=globex, role=Role.OWNER)
    globex_team = actions.create_team(globex_owner, name="Claims")
    acme_team = actions.create_team(acme_owner, name="Claims")
    assert access_team(acme_owner, acme_team.pk) == acme_team
    with pytest.raises(Http404):
        access_team(acme_owner, globex_team.pk)
    with pytest.raises(Http404):
        access_member(acme_owner, globex_owner.pk)
    with pytest.raises(Http404):
        access_team(acme_owner, "not-a-number")


def test_tokens_act_as_their_member_until_revoked(acme, make_member):
    agent = make_member(acme, Role.AGENT)
    token, raw = actions.create_api_token(agent, name="cli")
    assert access_by_api_token(raw) == agent
    assert access_by_api_token(raw + "x") is None
    actions.revoke_api_token(agent, token)
    assert access_by_api_token(raw) is None


def test_a_token_reads_its_member_workspace_and_user_at_once_and_never_from_memory(
    acme, make_member, django_assert_num_queries
):
    agent = make_member(acme, Role.AGENT)
    _, raw = actions.create_api_token(agent, name="cli")
    assert access_by_api_token(raw) == agent  # the first use stamps last_used_at
    with django_assert_num_queries(1):
        member = access_by_api_token(raw)
        assert member is not None
        assert (member.workspace.slug, member.user.email) == (acme.slug, agent.user.email)
    agent.user.is_active = False  # right after a request that worked: the next one fails
    agent.user.save()
    assert access_by_api_token(raw) is None


def test_tokens_of_deactivated_users_stop_working(acme, make_member):
    agent = make_member(acme, Role.AGENT)
    _, raw = actions.create_api_token(agent, name="cli")
    agent.user.is_active = False
    agent.user.save()
    assert access_by_api_token(raw) is None


def test_task_state_in_immediate_mode_says_no_results_are_kept(owner):
    from django.test import override_settings

    from rapport.core import selectors

    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        run = actions.start_worker_check(owner)
        state = selectors.task_run_state(run)
    assert state.status == "UNKNOWN"
    assert "keeps no results" in state.error
