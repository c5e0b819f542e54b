"""Shared test fixtures: workspaces and members made by small factories, API clients."""

from datetime import timedelta
from typing import Any, cast

import pytest
from django.test import Client

from rapport.core import actions
from rapport.core.models import Membership, User, Workspace
from rapport.core.roles import Role

PASSWORD = "correct horse battery staple"
clock_moved = pytest.StashKey[timedelta | None]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """`RAPPORT_TEST_CLOCK=+365d` runs the whole session, and the processes it starts, a year
    ahead (rapport/core/testclock.py): no test may depend on the day it runs."""
    from rapport.core import testclock

    try:
        config.stash[clock_moved] = testclock.move_from_environment()
    except testclock.BadClock as problem:
        raise pytest.UsageError(str(problem)) from None


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing passwords the strong way is most of the tests' time and none of their point."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty in-process cache, whatever RAPPORT_CACHE says."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def events_heard_at_once(monkeypatch):
    """Queued listeners run in the test's process, and a listener's error fails the test.

    A test of the queue itself says `events.inline(False)`.
    """
    from rapport.core import events

    monkeypatch.setattr(events, "raise_errors", True)
    with events.inline():
        yield


@pytest.fixture
def heard(monkeypatch):
    """Every domain event delivered while the test runs, in order (after their commits)."""
    from rapport.core import events

    delivered: list[events.Event] = []
    deliver = events.deliver

    def record(event: events.Event, **options: Any) -> None:
        delivered.append(event)
        deliver(event, **options)

    monkeypatch.setattr(events, "deliver", record)
    return delivered


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
    header = f"rapport: database {vendor}, task queue {queue}"
    if moved := config.stash.get(clock_moved, None):
        from django.utils import timezone

        days = moved.total_seconds() / 86400
        header += f"; clock moved {days:+.4g} days, to {timezone.now():%Y-%m-%d %H:%M} UTC"
    return header


def _test_database_url() -> str:
    """DATABASE_URL of this run's test database, for a worker started as its own process."""
    from pathlib import Path
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def test_database_url() -> str:
    """DATABASE_URL of this run's test database, for a process a test starts itself."""
    return _test_database_url()


@pytest.fixture
def run_worker_burst():
    """Runs `rapport worker --burst` as its own process against this run's test database.

    Call it with environment variables to add (e.g. RAPPORT_TASKS_BACKEND="database"); it
    returns the worker's pid and what it printed, and fails the test if the worker fails. Tests
    using it need `transactional_db`, so the rows they write are committed where it reads them.
    """
    import os
    import subprocess
    import sys

    from django.conf import settings

    def run(timeout: float = 120, **env: str) -> tuple[int, str]:
        with subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker", "--burst"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": _test_database_url(), **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as proc:
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
                pytest.fail(f"the worker was still running after {timeout}s:\n{output}")
        assert proc.returncode == 0, f"the worker failed:\n{output}"
        return proc.pid, output

    return run


@pytest.fixture
def start_worker(tmp_path):
    """Starts a long-running `rapport worker --no-scheduler` against this run's test database
    and returns its process (the test kills it); any still running at the end is killed."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> subprocess.Popen[bytes]:
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker", "--no-scheduler"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": _test_database_url(), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(autouse=True)
def on_commit_runs_as_in_production(request):
    """Runs `transaction.on_commit` callbacks when the action's transaction ends, as it would
    commit outside a test.

    A test's own transaction never commits, so without this nothing registered on commit (domain
    events and their listeners, queued tasks) would run. Callbacks of a block that rolled back
    are dropped, as Django drops them on a real rollback.
    """
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and not (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if ("db" not in request.fixturenames and not marked) or (
        "transactional_db" in request.fixturenames or (marker is not None and not marked)
    ):
        yield  # no database, or one whose transactions really commit
        return
    request.getfixturevalue("db")  # the test's transaction first: callbacks run above it
    from django.db import connections
    from django.db.transaction import Atomic

    base = {alias: len(connections[alias].atomic_blocks) for alias in connections}
    original_exit = Atomic.__exit__
    running = False

    def exit_and_commit(self, exc_type, exc_value, traceback):
        nonlocal running
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = connections[self.using or "default"]
        at_test_level = len(connection.atomic_blocks) == base.get(self.using or "default", 0)
        if exc_type is None and at_test_level and connection.in_atomic_block and not running:
            running = True
            try:
                while connection.run_on_commit:
                    # (savepoint ids, callback, robust); django-stubs know only two of them
                    _, func, robust = cast(Any, connection.run_on_commit.pop(0))
                    if robust:
                        try:
                            func()
                        except Exception:  # as Django does for robust callbacks
                            import logging

                            logging.getLogger("django.db.backends.base").exception(
                                "on_commit callback %r failed", func
                            )
                    else:
                        func()
            finally:
                running = False
        return result

    Atomic.__exit__ = exit_and_commit  # type: ignore[method-assign]
    try:
        yield
    finally:
        Atomic.__exit__ = original_exit  # type: ignore[method-assign]
