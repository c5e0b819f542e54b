"""Recognition → HR report: managers ask for a quarter's (or other dates') report for a
department, watch it being made, download its PDF and CSV; bad periods are named and nothing
is recorded; other roles and other workspaces are refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.core.models import AuditEvent, Team
from rapport.recognition.models import Report
from rapport.recognition.selectors import quarter_of
from rapport.recognition.tasks import make_recognition_report
from rapport.recognition.tests.factories import make_crew
from rapport.web.views.recognition_reports import quarters

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(acme, owner, make_member, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return make_crew(acme, owner, make_member)


@pytest.fixture
def maya(signed_in, crew):
    return signed_in(crew["maya"])


def page(slug="acme"):
    return reverse("web:recognition_reports", args=[slug])


def this_quarter_key():
    return quarters(timezone.localdate())[0][0]


def test_a_manager_asks_for_a_quarters_report_and_sees_it_queued(crew, maya):
    shown = maya.get(page())
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "HR report" in html
    assert "No reports yet." in html
    assert f'<option value="{crew["rnd"].pk}">R&amp;D</option>' in html
    assert f'value="{this_quarter_key()}" selected' in html

    asked = maya.post(page(), {"quarter": this_quarter_key(), "team": str(crew["rnd"].pk)})
    assert asked.status_code == 302
    report = Report.objects.get()
    q = quarter_of(timezone.localdate())
    assert (report.since, report.until, report.team, report.state) == (
        q.since,
        q.until,
        crew["rnd"],
        "queued",
    )
    listed = maya.get(page()).content.decode()
    assert "waiting for a worker" in listed
    assert 'hx-trigger="every 2s"' in listed  # the list polls itself while a report is made


def test_the_list_shows_progress_while_running_and_download_links_when_done(crew, maya):
    q = quarter_of(timezone.localdate())
    report = Report.objects.create(
        workspace=crew["maya"].workspace,
        since=q.since,
        until=q.until,
        state="running",
        done=3,
        total=8,
    )
    fragment = maya.get(page(), headers={"HX-Request": "true"}).content.decode()
    assert 'id="recognition-reports"' in fragment
    assert "<html" not in fragment
    assert '<progress max="8" value="3"' in fragment
    assert "3 of 8 people" in fragment
    Report.objects.filter(pk=report.pk).update(state="queued")
    make_recognition_report.call(report.pk)
    done = maya.get(page()).content.decode()
    assert "every 2s" not in done
    pdf_url = reverse("web:recognition_report_pdf", args=["acme", report.pk])
    csv_url = reverse("web:recognition_report_csv", args=["acme", report.pk])
    assert f'href="{pdf_url}" download>Download PDF' in done
    assert f'href="{csv_url}" download>Download CSV' in done

    pdf = maya.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="recognition-')
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    csv = maya.get(csv_url)
    assert b"".join(csv.streaming_content).decode("utf-8-sig").startswith("Person,Email,Team,")


def test_a_failed_report_says_why(crew, maya):
    q = quarter_of(timezone.localdate())
    Report.objects.create(
        workspace=crew["maya"].workspace,
        since=q.since,
        until=q.until,
        state="failed",
        error="The report could not be made: <Pango> is missing",
    )
    html = maya.get(page()).content.decode()
    assert "The report could not be made: &lt;Pango&gt; is missing" in html


@pytest.mark.parametrize(
    ("form", "says"),
    [
        (
            {"quarter": "custom", "since": "2020-01-01", "until": "2020-03-31"},
            "Nothing was recorded between 1 Jan 2020 and 31 Mar 2020 for the workspace.",
        ),
        (
            {"quarter": "custom", "since": "2026-03-31", "until": "2026-01-01"},
            "The period starts after it ends.",
        ),
        (
            {"quarter": "custom", "since": "", "until": "2026-01-01"},
            "Give the first day of the period.",
        ),
        (
            {"quarter": "custom", "since": "2026-02-30", "until": "2026-03-31"},
            "Enter a valid date.",
        ),
        ({"quarter": "1999-Q1"}, "Select a valid choice."),
        (
            {"quarter": "this", "team": "98765"},
            "There is no department (team) 98765 in this workspace.",
        ),
    ],
)
def test_a_bad_request_is_named_on_the_page_and_nothing_is_recorded(crew, maya, form, says):
    if form["quarter"] == "this":
        form["quarter"] = this_quarter_key()
    answer = maya.post(page(), form)
    assert answer.status_code == 400
    assert says in answer.content.decode().replace("&#x27;", "'")
    assert not Report.objects.exists()
    assert not AuditEvent.objects.filter(verb="recognition.report").exists()


def test_another_departments_report_from_another_workspace_is_refused(crew, maya, globex):
    theirs = Team.objects.create(workspace=globex, name="Claims")
    answer = maya.post(page(), {"quarter": this_quarter_key(), "team": str(theirs.pk)})
    assert answer.status_code == 400
    assert not Report.objects.exists()


def test_agents_are_refused_the_page_and_the_files(crew, signed_in):
    q = quarter_of(timezone.localdate())
    report = Report.objects.create(workspace=crew["sam"].workspace, since=q.since, until=q.until)
    sam = signed_in(crew["sam"])
    assert sam.get(page()).status_code == 403
    assert sam.post(page(), {"quarter": this_quarter_key()}).status_code == 403
    assert (
        sam.get(reverse("web:recognition_report_pdf", args=["acme", report.pk])).status_code == 403
    )
    assert not Report.objects.exclude(pk=report.pk).exists()


def test_another_workspaces_report_is_not_found(crew, maya, globex):
    q = quarter_of(timezone.localdate())
    theirs = Report.objects.create(
        workspace=globex, since=q.since, until=q.until, state="done", csv_file="x.csv"
    )
    for name in ("web:recognition_report_csv", "web:recognition_report_pdf"):
        assert maya.get(reverse(name, args=["acme", theirs.pk])).status_code == 404
    mine = Report.objects.create(workspace=crew["maya"].workspace, since=q.since, until=q.until)
    assert (
        maya.get(reverse("web:recognition_report_csv", args=["acme", mine.pk])).status_code == 404
    )


def test_the_list_is_paginated(crew, maya):
    q = quarter_of(timezone.localdate())
    Report.objects.bulk_create(
        Report(workspace=crew["maya"].workspace, since=q.since, until=q.until, state="done")
        for _ in range(30)
    )
    first = maya.get(page()).content.decode()
    assert "Page 1 of 2" in first
    second = maya.get(page(), {"page": 2}).content.decode()
    assert second.count("<tr>") == 1 + 5  # the header and the last five
