"""An uploaded import runs in a real worker process, reading the kept file from storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from rapport.contacts.imports import jobs
from rapport.contacts.models import Contact, ImportJob
from rapport.contacts.tests.conftest import FIXTURES
from rapport.core.roles import Role


@pytest.mark.queue
@pytest.mark.django_db(transaction=True)
def test_an_upload_is_checked_then_imported_by_a_worker(
    make_workspace, make_member, run_worker_burst, tmp_path
):
    manager = make_member(make_workspace("imports"), role=Role.MANAGER)
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {"RAPPORT_TASKS_BACKEND": "database", "RAPPORT_VAR_DIR": str(tmp_path)}
    with override_settings(TASKS=database_tasks, MEDIA_ROOT=tmp_path / "media"):
        upload = SimpleUploadedFile(
            "Contact.csv", (FIXTURES / "salesforce_Contact.csv").read_bytes(), "text/csv"
        )
        job = jobs.start_import(manager, upload, mapping="salesforce-contacts", dry_run=True)
        assert job.state == ImportJob.State.QUEUED
        _, output = run_worker_burst(**env)
        job.refresh_from_db()
        assert job.state == ImportJob.State.CHECKED, output
        assert not Contact.objects.exists()
        jobs.confirm_import(manager, job, valid_rows_only=False)
        _, output = run_worker_burst(**env)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, (job.message, output)
    assert (job.created_count, job.processed_rows) == (6, 6)
    assert Contact.objects.filter(workspace=manager.workspace).count() == 6
    assert not (tmp_path / "media" / jobs.file_name(job)).exists()  # deleted once imported
