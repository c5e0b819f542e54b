"""Background tasks of recognition: making an HR report."""

from django_tasks import task

from rapport.recognition import reports


@task()
def make_recognition_report(report_id: int) -> dict[str, object]:
    """Writes the report's CSV and PDF, moving its progress; skips one already made."""
    return reports.make(report_id)
