"""The HR report: asked for by a manager for a period and a department, refused with a clear
message when there is nothing to report, made in the background into a CSV and a PDF under
the var directory, its progress moving as people are written, failed with a reason."""

import csv
import datetime as dt
import io
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.core.models import AuditEvent, Team
from rapport.recognition import report_data, report_files, reports
from rapport.recognition.models import Contribution, Kind, Report
from rapport.recognition.selectors import quarter_of
from rapport.recognition.tasks import make_recognition_report
from rapport.recognition.tests import history


def this_quarter():
    return quarter_of(timezone.localdate())


def pages_in(pdf: bytes) -> int:
    """The pages of a PDF, counted in its objects (WeasyPrint compresses them in streams)."""
    found = 0
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found += len(re.findall(rb"/Type\s*/Page\b(?!s)", zlib.decompress(stream)))
        except zlib.error:
            continue
    return found + len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def rows_of(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def test_a_department_report_is_made_in_the_background_into_a_csv_and_a_pdf(
    crew, tasks_at_once, var_dir
):
    q = this_quarter()
    report = reports.request_report(crew["maya"], q.since, q.until, crew["rnd"].pk)
    report.refresh_from_db()
    assert report.state == Report.State.DONE
    assert (report.done, report.total) == (2, 2)  # Ravi, and Kim who is in R&D and did nothing
    assert report.csv_file == f"{report.workspace_id}/recognition-{report.pk}.csv"
    csv_path = reports.file_path(report, "csv")
    pdf_path = reports.file_path(report, "pdf")
    assert csv_path == var_dir / "reports" / report.csv_file
    assert pdf_path is not None
    assert csv_path is not None
    assert pdf_path.parent == csv_path.parent

    header, *rows = rows_of(csv_path)
    assert header[:3] == ["Person", "Email", "Team"]
    assert header[-4:] == ["Points", "Explanation", "Crossed team lines", "Kudos messages"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_name) == {"Ravi Patel", "Kim Lee"}  # Sam is in Customer care
    ravi = by_name["Ravi Patel"]
    assert ravi["Team"] == "R&D"
    assert ravi[Kind.EXPERT_ANSWER.label] == "1"
    assert ravi[Kind.CASE_RESOLVED.label] == "1"
    assert ravi[Kind.KUDOS.label] == "1"
    assert ravi["Kudos messages"] == "1"
    assert int(ravi["Crossed team lines"]) >= 2  # the prospect's question and Care's case
    assert "1 expert answer" in ravi["Explanation"]
    assert int(ravi["Points"]) > 0
    assert by_name["Kim Lee"]["Explanation"] == "nothing recorded"

    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert pages_in(pdf) == 1 + 2  # the cover, then one page per person
    audit = AuditEvent.objects.get(verb="recognition.report")
    assert audit.after == {"since": str(q.since), "until": str(q.until), "team": crew["rnd"].pk}


def test_the_pdf_draws_a_chart_per_team_and_per_person_with_their_kudos(crew, var_dir):
    q = this_quarter()
    report = Report.objects.create(workspace=crew["maya"].workspace, since=q.since, until=q.until)
    data = report_data.gather(report)
    cover = report_files._html(data, [], cover=True)
    assert "Customer care" in cover
    assert "R&amp;D" in cover
    assert cover.count('<svg width="160pt"') == len(data.teams) == 2 + 1  # and "No team"
    ravi = next(p for p in data.people if p.member == crew["ravi"])
    page = report_files._html(data, [ravi], cover=False)
    assert "Ravi Patel" in page
    assert "Contributions per week" in page
    assert page.count('<path fill="#') >= 2  # his answers and his resolution, by colour
    assert "Thanks for the Xero answer!" in page
    assert "Dana Scully" in page  # a customer helped
    assert "Sam Okafor" in page  # the colleague helped by the expert answer, and the giver
    assert ravi.customers == 1
    assert ravi.colleagues == 1
    assert ravi.kudos_received == 1


def test_peoples_text_is_escaped_in_the_pdf_and_guarded_in_the_csv(crew, tasks_at_once):
    ravi = crew["ravi"]
    ravi.user.full_name = '=HYPERLINK("http://evil.example","<b>click</b>")'
    ravi.user.save(update_fields=["full_name"])
    q = this_quarter()
    report = Report.objects.create(workspace=ravi.workspace, since=q.since, until=q.until)
    data = report_data.gather(report)
    person = next(p for p in data.people if p.member == ravi)
    page = report_files._html(data, [person], cover=False)
    assert "<b>click</b>" not in page
    assert "&lt;b&gt;click&lt;/b&gt;" in page
    reports.build(report)
    names = [row[0] for row in rows_of(reports.file_path(report, "csv"))]
    assert "'" + ravi.user.full_name in names


def test_the_reports_progress_moves_as_people_are_written(crew, var_dir, monkeypatch):
    monkeypatch.setattr(report_files, "CHUNK", 1)
    q = this_quarter()
    report = Report.objects.create(workspace=crew["maya"].workspace, since=q.since, until=q.until)
    write_pdf, seen = report_files.write_pdf, []

    def watched(data, path, progress):
        def moved(n):
            progress(n)
            seen.append(Report.objects.values_list("state", "done", "total").get(pk=report.pk))

        write_pdf(data, path, moved)

    monkeypatch.setattr(report_files, "write_pdf", watched)
    reports.build(report)
    people = report.total
    assert people == len(report_data.gather(report).people) >= 5
    assert seen == [("running", n, people) for n in range(1, people + 1)]
    assert report.state == Report.State.DONE
    assert report.done == people


def test_a_report_that_cannot_be_made_fails_with_its_reason_and_is_not_made_twice(
    crew, var_dir, monkeypatch
):
    def broken(data, path, progress):
        raise OSError("Pango is missing")

    monkeypatch.setattr(report_files, "write_pdf", broken)
    q = this_quarter()
    report = Report.objects.create(workspace=crew["maya"].workspace, since=q.since, until=q.until)
    assert make_recognition_report.call(report.pk)["status"] == "failed"
    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert report.error == "The report could not be made: Pango is missing"
    assert report.finished_at is not None
    assert reports.file_path(report, "pdf") is None
    assert make_recognition_report.call(report.pk)["status"] == "skipped"
    assert make_recognition_report.call(999_999)["status"] == "skipped"


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-03-31", "2026-01-01", "The period starts after it ends."),
        ("2026-02-30", "2026-03-31", "'2026-02-30' is not a date (YYYY-MM-DD)."),
        ("", "2026-03-31", "Give the first and the last day of the period."),
        (
            "2020-01-01",
            "2020-03-31",
            "Nothing was recorded between 1 Jan 2020 and 31 Mar 2020 for R&D.",
        ),
    ],
)
def test_a_report_of_a_bad_or_empty_period_is_refused_and_nothing_is_recorded(
    crew, since, until, message
):
    with pytest.raises(ValidationError) as refused:
        reports.request_report(crew["maya"], since, until, crew["rnd"].pk)
    assert refused.value.messages == [message]
    assert not Report.objects.exists()
    assert not AuditEvent.objects.filter(verb="recognition.report").exists()


def test_a_report_for_an_unknown_department_or_another_workspaces_is_refused(crew, globex):
    q = this_quarter()
    elsewhere = Team.objects.create(workspace=globex, name="R&D")
    for team_id in (elsewhere.pk, "12345678", "R&D", 2**70):
        with pytest.raises(ValidationError, match="There is no department") as refused:
            reports.request_report(crew["maya"], q.since, q.until, team_id)
        assert "team" in refused.value.message_dict
    assert not Report.objects.exists()


def test_only_managers_and_up_ask_for_the_report(crew):
    q = this_quarter()
    with pytest.raises(PermissionDenied):
        reports.request_report(crew["sam"], q.since, q.until)
    assert not Report.objects.exists()


def test_a_whole_company_report_lists_everyone_by_team_and_name(crew):
    q = this_quarter()
    report = Report.objects.create(workspace=crew["maya"].workspace, since=q.since, until=q.until)
    data = report_data.gather(report)
    assert data.department == "the whole company"
    listed = [(p.team, p.name) for p in data.people]
    assert listed[:3] == [
        ("Customer care", "Sam Okafor"),
        ("R&D", "Kim Lee"),
        ("R&D", "Ravi Patel"),
    ]
    assert {team for team, _ in listed[3:]} == {report_data.NO_TEAM}  # Maya and the owner
    assert data.contributions == Contribution.objects.count()


def test_everyones_figures_are_read_in_the_same_few_queries_however_many_people(acme, var_dir):
    q = this_quarter()

    def queries_for(count: int, prefix: str) -> int:
        members = history.people(acme, count, teams=3, prefix=prefix)
        history.contributions(acme, members, q.since, q.until, per_person=20, seed=count)
        report = Report.objects.create(workspace=acme, since=q.since, until=q.until)
        with CaptureQueriesContext(connection) as done:
            data = report_data.gather(report)
        assert len([p for p in data.people if p.contributions]) >= count
        return len(done.captured_queries)

    few = queries_for(3, "few")
    many = queries_for(40, "many")
    assert few == many <= 15


def test_a_files_path_never_leaves_the_reports_directory(crew, var_dir):
    q = this_quarter()
    report = Report.objects.create(
        workspace=crew["maya"].workspace,
        since=q.since,
        until=q.until,
        state=Report.State.DONE,
        csv_file="../../secret_key",
        pdf_file="1/recognition-1.pdf",
    )
    (var_dir / "secret_key").write_text("x")
    assert reports.file_path(report, "csv") is None
    assert reports.file_path(report, "pdf") is None  # not written
    assert reports.file_path(report, "exe") is None


def test_the_weeks_of_a_period_start_on_monday():
    weeks = report_data.weeks_between(report_data.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)))
    assert weeks[0] == dt.date(2025, 12, 29)
    assert weeks[-1] == dt.date(2026, 3, 30)
    assert len(weeks) == 14
    assert all(w.weekday() == 0 for w in weeks)
