"""Shared test fixtures: workspaces and members made by small factories, API clients."""

import pytest
from django.test import Client

from rapport.core import actions
from rapport.core.models import Membership, User, Workspace
from rapport.core.roles import Role

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing passwords the strong way is most of the tests' time and none of their point."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Gives this run a test database of its own (named after its pid).

    Several people or CI jobs running the suite at once in one checkout, or against one
    PostgreSQL server, would otherwise share `var/test.sqlite3` or `test_<name>` and break each
    other's runs.
    """
    import os
    from pathlib import Path

    from django.conf import settings

    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        if db["ENGINE"] == "django.db.backends.sqlite3":
            name = Path(test.get("NAME") or db["NAME"])
            test["NAME"] = str(name.with_name(f"{name.stem}-{os.getpid()}{name.suffix}"))
        else:
            test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{os.getpid()}"


def pytest_report_header(config: pytest.Config) -> str:
    """Says in the test output which database and task queue this run uses."""
    import re

    from django.conf import settings

    db = settings.DATABASES["default"]
    vendor = f"PostgreSQL ({db['NAME']})" if "postgresql" in db["ENGINE"] else "SQLite"
    queue = settings.TASKS_BACKEND
    if settings.REDIS_URL:  # without any password in it
        queue += f" ({re.sub(r'//[^@/]*@', '//', settings.REDIS_URL)})"
    return f"rapport: database {vendor}, task queue {queue}"
