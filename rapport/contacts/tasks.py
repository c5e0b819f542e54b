"""Background tasks of contacts: running an uploaded import."""

from django.core.files.storage import default_storage
from django_tasks import task

from rapport.contacts.imports.engine import run_job
from rapport.contacts.imports.jobs import file_name, local_copy
from rapport.contacts.models import ImportJob


@task()
def run_import(job_id: int) -> dict[str, object]:
    """Checks or imports the kept file of an ImportJob; a finished import deletes the file."""
    job = (
        ImportJob.objects.select_related("workspace", "requested_by__user")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.state != ImportJob.State.QUEUED:
        return {"job_id": job_id, "status": "skipped"}
    name = file_name(job)
    if not default_storage.exists(name):
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.FAILED, message="The uploaded file is missing; upload it again."
        )
        return {"job_id": job_id, "status": "failed"}
    with local_copy(name) as path:
        run_job(job, path)
    if job.state == ImportJob.State.DONE:
        default_storage.delete(name)
    return {
        "job_id": job_id,
        "status": job.state,
        "created": job.created_count,
        "updated": job.updated_count,
        "errors": job.error_count,
    }
