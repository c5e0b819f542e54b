from pathlib import Path

import pytest

from rapport.contacts.imports.engine import run_job
from rapport.contacts.imports.jobs import new_job
from rapport.contacts.models import ImportJob
from rapport.core.roles import Role

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_import(manager):
    """Runs an import of `path` inline, as the CLI does, and returns the finished job."""

    def run(path, mapping, *, member=None, dry_run=False, valid_rows_only=False, **kw) -> ImportJob:
        member = member or manager
        job = new_job(
            member,
            member.workspace_id,
            filename=Path(path).name,
            mapping=mapping,
            dry_run=dry_run,
            valid_rows_only=valid_rows_only,
            **kw,
        )
        run_job(job, path)
        job.refresh_from_db()
        return job

    return run
