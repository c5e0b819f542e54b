"""The recognition router: contributions (the caller's own, or anyone's for managers and up),
kudos, a person's recognition for a period (the score explained, counts per kind, the period
before, crossed help, customers and colleagues helped, kudos), and the HR report: ask for one
(202, made in the background), follow its progress, download its CSV and PDF when it is done.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.api.pagination import Pages
from rapport.api.schemas import DictOut, ErrorOut, InvalidOut
from rapport.core.access import access_in_workspace, access_member
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, require
from rapport.recognition import actions, reports, selectors
from rapport.recognition.models import Contribution, Kind, Kudos, Report
from rapport.recognition.scores import weights
from rapport.recognition.selectors import can_see, period

router = Router(tags=["recognition"])

KindFilter = Literal[
    "",
    "captured",
    "first_response",
    "public_reply",
    "expert_answer",
    "colleague_help",
    "case_note",
    "task_done",
    "approval_in_time",
    "case_resolved",
    "idea_promoted",
    "idea_shipped",
    "kudos",
    "praise",
]
assert set(KindFilter.__args__) - {""} == set(Kind.values)  # type: ignore[attr-defined]
KudosAbout = Literal["conversation", "case", "idea"]
assert set(KudosAbout.__args__) == set(Kudos.About.values)  # type: ignore[attr-defined]
FILE_KINDS = {"csv": "text/csv", "pdf": "application/pdf"}
#: a day of a period: years the ledger can hold (a period and the one before it fit in them)
Day = Annotated[date, Field(ge=reports.EARLIEST, le=reports.LATEST)]


# Schemas -----------------------------------------------------------------------------------


class ContributionOut(Schema):
    id: int
    member_id: int
    member: str = Field(description="The person credited")
    kind: str
    label: str = Field(description="The kind, in words")
    at: datetime
    object_type: str = Field(description="conversation, case, approval, idea, kudos or post")
    object_id: int
    team_id: int | None = Field(description="The person's team at the time")
    object_team_id: int | None = Field(description="The object's (or the asker's) team")
    crossed: bool = Field(description="Help outside the person's own team")
    colleague_id: int | None = Field(description="The colleague helped, if any")

    @staticmethod
    def resolve_member(obj: Contribution) -> str:
        return obj.member.user.display_name

    @staticmethod
    def resolve_label(obj: Contribution) -> str:
        return Kind(obj.kind).label


class KudosIn(Schema):
    receiver_id: Id = Field(description="The colleague thanked: a member of this workspace")
    about: KudosAbout
    object_id: Id = Field(description="The conversation, case or idea")
    message: str = Field(
        ..., max_length=actions.MESSAGE_MAX, description="What they are thanked for"
    )


class KudosOut(DictOut):
    id: int
    giver_id: int
    giver: str
    receiver_id: int
    receiver: str
    about: str
    object_id: int
    message: str = Field(description="As written: untrusted text")
    created_at: datetime


class RecognitionScoreOut(DictOut):
    points: int = Field(description="Counted with the workspace's weights")
    explained: str = Field(description='The score in words: "12 first responses and 3 …"')
    counts: dict[str, int] = Field(description="Contributions per kind")


class RecognitionKindOut(DictOut):
    kind: str
    label: str
    count: int
    points: int


class RecognitionWeekOut(DictOut):
    week: date = Field(description="The week's Monday")
    counts: dict[str, int]


class RecognitionHelpedOut(DictOut):
    id: int
    name: str
    count: int = Field(description="Contributions that helped them")


class PersonRecognitionOut(DictOut):
    member_id: int
    name: str
    since: date
    until: date
    score: RecognitionScoreOut
    previous_since: date
    previous_until: date
    previous: RecognitionScoreOut = Field(description="The period of the same length before")
    kinds: list[RecognitionKindOut] = Field(description="Every kind with a contribution")
    crossed: int = Field(description="Contributions that helped outside their own team")
    weeks: list[RecognitionWeekOut]
    customers: list[RecognitionHelpedOut] = Field(description="Contacts helped, most first")
    colleagues: list[RecognitionHelpedOut] = Field(description="Members helped, most first")
    kudos: list[KudosOut] = Field(description="Received in the period, newest first")
    kudos_given: int
    excluded: bool = Field(description="Left out of leaderboards at their request")


class RecognitionReportIn(Schema):
    since: Day = Field(description="The first day of the period")
    until: Day = Field(description="The last day of the period (inclusive)")
    team_id: Id | None = Field(None, description="The department; none for the whole company")


class RecognitionReportOut(DictOut):
    id: int
    kind: Literal["recognition"]
    state: str = Field(description="queued, running, done or failed")
    since: date
    until: date
    team_id: int | None
    team: str | None
    done: int = Field(description="People written so far")
    total: int = Field(description="People in the report (0 until it starts)")
    error: str = Field(description="Why it failed")
    requested_by_id: int | None
    created_at: datetime
    finished_at: datetime | None
    csv_url: str | None = Field(description="When done: the CSV (one row per person)")
    pdf_url: str | None = Field(description="When done: the PDF (a cover, a page per person)")


# Contributions and kudos --------------------------------------------------------------------


@router.get(
    "/contributions",
    response=list[ContributionOut],
    summary="Contributions, newest first: your own, or anyone's for managers and up",
    openapi_extra={"responses": {404: {"description": "No member `member_id` in this workspace"}}},
)
@paginate(Pages, page_size=50)
def list_contributions(
    request: HttpRequest,
    member_id: Id | None = None,
    since: Day | None = None,
    until: Day | None = None,
    kind: KindFilter = "",
) -> QuerySet[Contribution]:
    """`since`/`until`: days, inclusive (default: the 30 days to today). Without `member_id`,
    a manager sees everyone's and anyone else their own."""
    m = member(request)
    when = period(since, until)
    rows = Contribution.objects.filter(
        workspace_id=m.workspace_id, at__gte=when.start, at__lt=when.end
    )
    if member_id is not None:
        person = access_member(m, member_id)
        if not can_see(m, person):
            raise PermissionDenied("Only the person and their managers see their contributions.")
        rows = rows.filter(member=person)
    elif not can(m, Verb.SEE_TEAM_RECOGNITION):
        rows = rows.filter(member=m)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("member__user").order_by("-at", "-id")


def kudos_out(kudos: Kudos, receiver: Membership | None = None) -> dict[str, Any]:
    receiver = receiver or kudos.receiver
    return {
        "id": kudos.pk,
        "giver_id": kudos.giver_id,
        "giver": kudos.giver.user.display_name,
        "receiver_id": kudos.receiver_id,
        "receiver": receiver.user.display_name,
        "about": kudos.about,
        "object_id": kudos.object_id,
        "message": kudos.message,
        "created_at": kudos.created_at,
    }


def refused(problem: ValidationError) -> dict[str, Any]:
    """The body of a refusal: the message, and the problems by field of the request."""
    fields: dict[str, list[str]] = {}
    if hasattr(problem, "error_dict"):
        renamed = {"receiver": "receiver_id"}
        for name, errors in problem.error_dict.items():
            fields[renamed.get(name, name)] = [m for e in errors for m in e.messages]
    return {"detail": " ".join(problem.messages), "fields": fields}


@router.post(
    "/kudos",
    response={201: KudosOut, 422: InvalidOut},
    summary="Thank a colleague for a conversation, a case or an idea (they are told)",
    openapi_extra={
        "responses": {
            422: {
                "description": "Refused, nothing recorded: kudos to yourself, to nobody in this "
                "workspace, for an object not in it, or without a message"
            }
        }
    },
)
def give_kudos(request: HttpRequest, payload: KudosIn) -> Status[dict[str, Any]]:
    m = member(request)
    require(m, Verb.GIVE_KUDOS)
    receiver = (
        Membership.objects.select_related("user")
        .filter(pk=payload.receiver_id, workspace_id=m.workspace_id)
        .first()
    )
    try:
        if receiver is None:
            raise ValidationError(
                {
                    "receiver_id": "Kudos go to a colleague in this workspace; there is no member "
                    f"{payload.receiver_id} here."
                }
            )
        kudos = actions.give_kudos(m, receiver, payload.about, payload.object_id, payload.message)
    except ValidationError as problem:
        return Status(422, refused(problem))
    return Status(201, kudos_out(kudos))


# A person's recognition ---------------------------------------------------------------------


def _score(score: selectors.Score) -> dict[str, Any]:
    return {"points": score.points, "explained": score.explained, "counts": dict(score.counts)}


@router.get(
    "/people/{member_id}/recognition",
    response=PersonRecognitionOut,
    summary="A person's recognition for a period: their own, or anyone's for managers and up",
)
def person_recognition(
    request: HttpRequest,
    member_id: Id,
    since: Day | None = None,
    until: Day | None = None,
) -> dict[str, Any]:
    """`since`/`until`: days, inclusive (default: the 30 days to today); compared with the
    period of the same length just before."""
    m = member(request)
    person = access_member(m, member_id)
    when = period(since, until)
    seen = selectors.person(m, person, when)
    table = weights(m.workspace_id)
    before = when.previous()
    return {
        "member_id": person.pk,
        "name": person.user.display_name,
        "since": when.since,
        "until": when.until,
        "score": _score(seen.score),
        "previous_since": before.since,
        "previous_until": before.until,
        "previous": _score(seen.previous),
        "kinds": [
            {"kind": k, "label": Kind(k).label, "count": n, "points": n * table.get(k, 0)}
            for k, n in sorted(seen.score.counts.items(), key=lambda kn: (-kn[1], kn[0]))
            if n
        ],
        "crossed": seen.crossed,
        "weeks": [{"week": week, "counts": dict(counts)} for week, counts in seen.weeks],
        "customers": [{"id": c.pk, "name": c.name, "count": n} for c, n in seen.customers],
        "colleagues": [
            {"id": c.pk, "name": c.user.display_name, "count": n} for c, n in seen.colleagues
        ],
        "kudos": [kudos_out(k, receiver=person) for k in seen.kudos],
        "kudos_given": seen.kudos_given,
        "excluded": seen.excluded,
    }


# The HR report ------------------------------------------------------------------------------


def report_out(report: Report) -> dict[str, Any]:
    done = report.state == Report.State.DONE

    def url(kind: str) -> str | None:
        if not done:
            return None
        return reverse(f"api:recognition_report_{kind}", kwargs={"report_id": report.pk})

    return {
        "id": report.pk,
        "kind": "recognition",
        "state": report.state,
        "since": report.since,
        "until": report.until,
        "team_id": report.team_id,
        "team": report.team.name if report.team is not None else None,
        "done": report.done,
        "total": report.total,
        "error": report.error,
        "requested_by_id": report.requested_by_id,
        "created_at": report.created_at,
        "finished_at": report.finished_at,
        "csv_url": url("csv"),
        "pdf_url": url("pdf"),
    }


def _report(m: Membership, report_id: int) -> Report:
    require(m, Verb.SEE_TEAM_RECOGNITION)
    return access_in_workspace(m, Report.objects.select_related("team"), report_id)


@router.post(
    "/reports/recognition",
    response={202: RecognitionReportOut},
    summary="Ask for the HR report of a period and a department: made in the background",
)
def request_report(request: HttpRequest, payload: RecognitionReportIn) -> Status[dict[str, Any]]:
    """Refused (400) when nothing was recorded in the period for the department, or the team
    is not one of this workspace's. Follow it with `GET /reports/{id}`."""
    m = member(request)
    report = reports.request_report(m, payload.since, payload.until, payload.team_id)
    return Status(202, report_out(_report(m, report.pk)))


@router.get(
    "/reports/{report_id}",
    response=RecognitionReportOut,
    summary="A report: its state, its progress, and its files' addresses when done",
)
def get_report(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    return report_out(_report(member(request), report_id))


def _download(request: HttpRequest, report_id: int, kind: str) -> Any:
    m = member(request)
    report = _report(m, report_id)
    if report.state != Report.State.DONE:
        why: dict[str, str] = {
            Report.State.QUEUED: "The report is waiting for a worker to make it.",
            Report.State.RUNNING: f"The report is being made ({report.done} of {report.total}).",
        }
        return Status(409, {"detail": why.get(report.state, f"The report failed: {report.error}")})
    path: Path | None = reports.file_path(report, kind)
    if path is None:
        raise Http404("The file of this report is no longer kept; ask for the report again.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=reports.download_name(report, kind),
        content_type=reports.FORMATS[kind],
    )


def _file_answer(kind: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": f"The {kind.upper()} file, as an attachment",
                "content": {FILE_KINDS[kind]: {"schema": {"type": "string", "format": "binary"}}},
            },
            409: {"description": "The report is not made yet (queued, running) or failed"},
        }
    }


@router.get(
    "/reports/{report_id}/csv",
    response={200: None, 409: ErrorOut},
    url_name="recognition_report_csv",
    summary="The report's CSV: one row per person (cells never run as formulas)",
    openapi_extra=_file_answer("csv"),
)
def report_csv(request: HttpRequest, report_id: Id) -> Any:
    return _download(request, report_id, "csv")


@router.get(
    "/reports/{report_id}/pdf",
    response={200: None, 409: ErrorOut},
    url_name="recognition_report_pdf",
    summary="The report's PDF: a cover with a chart per team, then a page per person",
    openapi_extra=_file_answer("pdf"),
)
def report_pdf(request: HttpRequest, report_id: Id) -> Any:
    return _download(request, report_id, "pdf")
