"""The HR report: a manager asks for a period and a department (`request_report`); a
background task (`tasks.make_recognition_report`) gathers everyone's contributions in a few
aggregate queries and writes a CSV and a PDF under the var directory, moving the report's
progress (`done` of `total` people) as it goes; a failure leaves the report failed with its
reason. The files are read back only through a view that checks the workspace and the role.
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rapport.core.audit import action, record_by
from rapport.core.ids import parse_id
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, require
from rapport.recognition import report_data, report_files
from rapport.recognition.models import Report
from rapport.recognition.selectors import period

log = logging.getLogger(__name__)

FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
#: The days a report may cover (a date's arithmetic overflows near the years 1 and 9999).
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2999, 12, 31)


def department(workspace_id: int, team_id: object) -> Team | None:
    """The team a report is for, from an id given from outside (none: the whole company)."""
    if team_id in (None, "", 0, "0"):
        return None
    if isinstance(team_id, Team):
        team: Team | None = team_id if team_id.workspace_id == workspace_id else None
    else:
        pk = parse_id(team_id)
        team = Team.objects.filter(pk=pk, workspace_id=workspace_id).first() if pk else None
    if team is None:
        raise ValidationError(
            {"team": f"There is no department (team) {team_id!s:.40} in this workspace."}
        )
    return team


@action("recognition.report")
def request_report(actor: Membership, since: object, until: object, team: object = None) -> Report:
    """Queues the HR report of `team` (a department; none: the whole company) for the days
    `since` to `until`; refuses a period in which nothing was recorded for it."""
    require(actor, Verb.SEE_TEAM_RECOGNITION)
    for name, value in (("since", since), ("until", until)):
        if value in (None, ""):
            raise ValidationError({name: "Give the first and the last day of the period."})
    when = period(since, until)
    if when.since < EARLIEST or when.until > LATEST:
        raise ValidationError(
            {"since": f"A report covers days from {EARLIEST.year} to {LATEST.year}."}
        )
    chosen = department(actor.workspace_id, team)
    if not report_data.counted_rows(actor.workspace_id, when, chosen).exists():
        where = chosen.name if chosen is not None else "the workspace"
        raise ValidationError(
            {
                "since": f"Nothing was recorded between {when.since:%-d %b %Y} and "
                f"{when.until:%-d %b %Y} for {where}."
            }
        )
    report = Report.objects.create(
        workspace_id=actor.workspace_id,
        requested_by=actor,
        since=when.since,
        until=when.until,
        team=chosen,
    )
    record_by(
        actor,
        verb="recognition.report",
        obj=report,
        after={
            "since": str(when.since),
            "until": str(when.until),
            "team": chosen.pk if chosen else None,
        },
    )
    from rapport.recognition.tasks import make_recognition_report

    transaction.on_commit(lambda: make_recognition_report.enqueue(report.pk))
    return report


# The files ---------------------------------------------------------------------------------


def root() -> Path:
    """Where reports are kept: under the var directory, never under the web root."""
    return Path(settings.VAR_DIR) / "reports"


def file_name(report: Report, kind: str) -> str:
    """The file's name relative to `root()`, made of ids only."""
    return f"{report.workspace_id}/recognition-{report.pk}.{kind}"


def file_path(report: Report, kind: str) -> Path | None:
    """The finished report's file of that kind, or None (not made, or gone)."""
    name = report.csv_file if kind == "csv" else report.pdf_file if kind == "pdf" else ""
    if report.state != Report.State.DONE or not name:
        return None
    base = root().resolve()
    path = (base / name).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


def download_name(report: Report, kind: str) -> str:
    """What the browser saves it as: the period and the department, in safe characters."""
    where = report.team.name if report.team is not None else "company"
    slug = "".join(c if c.isalnum() else "-" for c in where.lower()).strip("-")[:40] or "team"
    return f"recognition-{report.since}-to-{report.until}-{slug}.{kind}"


# Making it ---------------------------------------------------------------------------------


def build(report: Report) -> Report:
    """Makes the report's CSV and PDF now (the task calls it; so does the benchmark)."""
    Report.objects.filter(pk=report.pk).update(state=Report.State.RUNNING, done=0, error="")
    data = report_data.gather(report)
    Report.objects.filter(pk=report.pk).update(total=len(data.people))
    base = root()
    csv_name, pdf_name = file_name(report, "csv"), file_name(report, "pdf")
    report_files.write_csv(data, base / csv_name)

    def progress(n: int) -> None:
        Report.objects.filter(pk=report.pk).update(done=F("done") + n)

    report_files.write_pdf(data, base / pdf_name, progress)
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.DONE,
        done=len(data.people),
        csv_file=csv_name,
        pdf_file=pdf_name,
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


def make(report_id: int) -> dict[str, object]:
    """Makes a queued report (or one whose worker died while making it); a report already
    made is left alone, so running twice makes it once."""
    report = Report.objects.select_related("team").filter(pk=report_id).first()
    if report is None or report.state in (Report.State.DONE, Report.State.FAILED):
        return {"report_id": report_id, "status": "skipped"}
    try:
        build(report)
    except Exception as problem:  # the report says why; a retry would fail the same way
        log.exception("recognition report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            state=Report.State.FAILED,
            error=f"The report could not be made: {problem}"[:300],
            finished_at=timezone.now(),
        )
        return {"report_id": report_id, "status": "failed"}
    return {"report_id": report_id, "status": "done", "people": report.total}
