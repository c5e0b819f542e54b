"""Fixtures of the HR report's tests: reports kept in the test's own var directory, made at
once when asked for, and a small history made through the real actions."""

import pytest

from rapport.recognition.tests.factories import make_crew

IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture
def var_dir(settings, tmp_path):
    """Reports are written under this test's var directory."""
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def tasks_at_once(settings, var_dir):
    """A queued task runs as soon as it is enqueued (after the action's commit)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def crew(acme, owner, make_member):
    return make_crew(acme, owner, make_member)
