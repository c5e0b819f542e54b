"""Shared test fixtures: workspaces and members made by small factories, API clients."""

import pytest
from django.test import Client

from rapport.core import actions
from rapport.core.models import Membership, User, Workspace
from rapport.core.roles import Role

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_workspace(db):
    def make(slug: str = "acme", name: str | None = None) -> Workspace:
        owner = User.objects.create_user(f"owner@{slug}.example", PASSWORD, full_name="Owner")
        return actions.create_workspace(name=name or slug.title(), slug=slug, owner=owner)

    return make


@pytest.fixture
def make_member(db):
    def make(workspace: Workspace, role: str = Role.AGENT, email: str | None = None) -> Membership:
        owner = Membership.objects.filter(workspace=workspace, role=Role.OWNER).first()
        assert owner is not None
        email = email or f"{role}{Membership.objects.count()}@{workspace.slug}.example"
        return actions.add_member(owner, email=email, role=role, password=PASSWORD)

    return make


@pytest.fixture
def acme(make_workspace) -> Workspace:
    return make_workspace("acme", "Acme Bank")


@pytest.fixture
def globex(make_workspace) -> Workspace:
    return make_workspace("globex", "Globex Insurance")


@pytest.fixture
def owner(acme) -> Membership:
    return Membership.objects.get(workspace=acme, role=Role.OWNER)


@pytest.fixture
def api_client(db):
    """A test client that calls the API as `member`, through a real token."""

    def make(member: Membership) -> Client:
        _, raw = actions.create_api_token(member, name="tests")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
