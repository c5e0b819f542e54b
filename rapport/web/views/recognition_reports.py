"""Recognition → HR report (managers and up): ask for a period's report for a department, watch
its progress, download its CSV and PDF. The files are served here, after the workspace and the
role are checked; they are never under the web root."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET

from rapport.core.access import access_in_workspace, access_workspace
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, can, refusal
from rapport.recognition import reports
from rapport.recognition.models import Report
from rapport.recognition.report_data import period_of
from rapport.recognition.selectors import Period, quarter_of
from rapport.web.views.common import add_action_errors, member_view, paginate, render_page

CUSTOM = "custom"
QUARTERS_SHOWN = 8
RUNNING = (Report.State.QUEUED, Report.State.RUNNING)


def quarters(today: dt.date, count: int = QUARTERS_SHOWN) -> list[tuple[str, Period]]:
    """This quarter and the ones before it, newest first: ("2026-Q1", its period)."""
    found = []
    day = today
    for _ in range(count):
        q = quarter_of(day)
        found.append((f"{q.since.year}-Q{(q.since.month - 1) // 3 + 1}", q))
        day = q.since - dt.timedelta(days=1)
    return found


class ReportForm(forms.Form):
    quarter = forms.ChoiceField(label="Period")
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))
    team = forms.CharField(label="Department", required=False)

    def __init__(self, *args: Any, periods: list[tuple[str, Period]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = dict(periods)
        self.fields["quarter"].choices = [  # type: ignore[attr-defined]
            (key, f"{key.replace('-', ' ')}: {p}") for key, p in periods
        ] + [(CUSTOM, "Other dates (below)")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("quarter")
        if chosen and chosen != CUSTOM:
            data["since"], data["until"] = self.periods[chosen].since, self.periods[chosen].until
        elif chosen == CUSTOM:
            for name, says in (("since", "the first day"), ("until", "the last day")):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"Give {says} of the period.")
        return data


def _manager(request: HttpRequest, slug: str) -> Membership:
    membership = access_workspace(request.user, slug)
    if not can(membership, Verb.SEE_TEAM_RECOGNITION):
        raise PermissionDenied(refusal(Verb.SEE_TEAM_RECOGNITION))
    return membership


@member_view
def recognition_reports(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _manager(request, slug)
    periods = quarters(timezone.localdate())
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        periods=periods,
        initial={"quarter": periods[0][0]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = reports.request_report(membership, data["since"], data["until"], data["team"])
        except ValidationError as problem:
            add_action_errors(form, problem)
        else:
            messages.success(request, f"The report for {period_of(report)} is being made.")
            return redirect("web:recognition_reports", slug=slug)
    made = (
        Report.objects.filter(workspace=membership.workspace)
        .select_related("team", "requested_by__user")
        .order_by("-created_at", "-id")
    )
    page = paginate(request, made)
    return render_page(
        request,
        membership,
        "web/recognition/reports.html",
        {
            "form": form,
            "teams": Team.objects.filter(workspace=membership.workspace).order_by("name"),
            "page": page,
            "running": any(r.state in RUNNING for r in page.object_list),
        },
        section="recognition",
        partial="web/recognition/_reports_list.html",
        status=400 if form.errors else 200,
    )


def _file(request: HttpRequest, slug: str, report_id: int, kind: str) -> HttpResponse:
    membership = _manager(request, slug)
    report = access_in_workspace(membership, Report.objects.select_related("team"), report_id)
    path = reports.file_path(report, kind)
    if path is None:
        raise Http404("This report has no such file (not made yet, or no longer kept).")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=reports.download_name(report, kind),
        content_type=reports.FORMATS[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # streamed; member_view only adds headers


@member_view
@require_GET
def recognition_report_csv(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    return _file(request, slug, report_id, "csv")


@member_view
@require_GET
def recognition_report_pdf(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    return _file(request, slug, report_id, "pdf")
