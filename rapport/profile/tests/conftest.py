"""Fixtures of the profile's tests: members, and contacts' CRM and ERP exports imported inline."""

from pathlib import Path

import pytest

from rapport.contacts.imports.engine import run_job
from rapport.contacts.imports.jobs import new_job
from rapport.contacts.models import ImportJob
from rapport.core.roles import Role

#: contacts' import fixtures: real CRM and ERP exports
IMPORTS = Path(__file__).resolve().parents[2] / "contacts" / "tests" / "fixtures"


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER)


@pytest.fixture
def run_import(manager):
    """Runs an import of one of contacts' fixture files inline, as the CLI does."""

    def run(name: str, mapping: str) -> ImportJob:
        path = IMPORTS / name
        job = new_job(
            manager,
            manager.workspace_id,
            filename=path.name,
            mapping=mapping,
            dry_run=False,
            valid_rows_only=False,
        )
        run_job(job, path)
        job.refresh_from_db()
        assert job.state == ImportJob.State.DONE, job.message
        return job

    return run
