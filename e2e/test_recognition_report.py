"""The HR report in the browser: a manager asks for this quarter's report of R&D, the list
shows it waiting, a real worker makes it, the list refreshes itself to "Ready", and the PDF
downloads (screenshots with RAPPORT_SCREENSHOTS=folder)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from e2e import support
from e2e.support import screenshot
from rapport.recognition.models import Report
from rapport.recognition.tests.factories import make_crew

pytestmark = pytest.mark.browser

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_manager_makes_and_downloads_the_quarters_report(
    browser_page: Page,
    transactional_db,
    settings,
    run_worker_burst,
    tmp_path,
    acme,
    owner,
    make_member,
):
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_BACKEND = "database"
    settings.VAR_DIR = tmp_path  # the worker writes the files there; the page reads them there
    crew = make_crew(acme, owner, make_member)
    page = browser_page
    support.sign_in(page, crew["maya"].user.email, PASSWORD)
    page.goto("/w/acme/recognition/reports/")
    expect(page.get_by_role("heading", name="HR report")).to_be_visible()
    expect(page.get_by_text("No reports yet.")).to_be_visible()
    page.get_by_label("Department").select_option(label="R&D")
    page.get_by_role("button", name="Make the report").click()

    reports = page.locator("#recognition-reports")
    expect(reports).to_contain_text("waiting for a worker")
    screenshot(page, "recognition-report-queued")
    run_worker_burst(RAPPORT_TASKS_BACKEND="database", RAPPORT_VAR_DIR=str(tmp_path))
    # no reload: the list asks again every 2 s while a report is being made
    expect(reports.get_by_role("link", name="Download PDF")).to_be_visible(timeout=15_000)
    expect(reports).to_contain_text("2 people")
    screenshot(page, "recognition-report-ready")

    with page.expect_download() as download:
        reports.get_by_role("link", name="Download PDF").click()
    saved = download.value
    assert saved.suggested_filename.endswith("-r-d.pdf")
    assert Path(saved.path()).read_bytes().startswith(b"%PDF-")
    report = Report.objects.get()
    assert (report.state, report.done, report.total) == ("done", 2, 2)
