"""Recognition pages: a person's contributions (their own, or anyone's for a manager) with the
skills their work suggests and their export, and the team and company view (managers and up).
Scores are always explained in words and compared with the period before."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from rapport.core import selectors as core_selectors
from rapport.core import spreadsheet
from rapport.core.access import access_member, access_team, access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, refusal
from rapport.recognition import pages, selectors, skills
from rapport.recognition.scores import NOUNS
from rapport.recognition.selectors import RESOLUTION, RESPONSE, Period
from rapport.web.views.common import PER_PAGE, member_view, render_page
from rapport.web.views.recognition_charts import GROUPS, Delta, team_bars, weekly

PRESETS = [
    ("last30", "Last 30 days"),
    ("quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("custom", "Custom dates"),
]


@dataclass
class Chosen:
    """The period a page shows, as picked (what was typed is shown back when it was wrong)."""

    period: Period
    preset: str
    problem: str = ""
    since: str = ""
    until: str = ""

    @property
    def query(self) -> str:
        """The period as a query string, for links that keep it."""
        if self.preset == "custom":
            return f"period=custom&since={self.period.since}&until={self.period.until}"
        return f"period={self.preset}"


def chosen_period(request: HttpRequest) -> Chosen:
    preset = request.GET.get("period", "")
    since = request.GET.get("since", "").strip()[:40]
    until = request.GET.get("until", "").strip()[:40]
    if preset not in dict(PRESETS):
        preset = "custom" if since or until else "last30"
    today = timezone.localdate()
    if preset == "quarter":
        return Chosen(Period(selectors.quarter_of(today).since, today), preset)
    if preset == "last_quarter":
        start = selectors.quarter_of(today).since
        return Chosen(selectors.quarter_of(start - dt.timedelta(days=1)), preset)
    if preset == "custom":
        try:
            return Chosen(selectors.period(since, until), preset, since=since, until=until)
        except ValidationError as e:
            fields = {"since": "The start date", "until": "The end date"}
            problems = e.message_dict.items() if hasattr(e, "error_dict") else [("", e.messages)]
            # "'2025-13-01' is not a date" says which date it is; the others name the period.
            said = " ".join(
                f"{fields[name]}: {message}"
                if name in fields and "not a date" in message
                else message
                for name, errors in problems
                for message in errors
            )
            return Chosen(
                selectors.period(),
                "custom",
                f"{said} Showing the last 30 days instead.",
                since,
                until,
            )
    return Chosen(selectors.period(), "last30")


def period_links(request: HttpRequest, chosen: Chosen) -> list[dict[str, Any]]:
    """The preset periods as links that keep the rest of the query (the team filter)."""
    links = []
    for value, label in PRESETS[:-1]:
        query = request.GET.copy()
        for name in ("since", "until", "contributions", "kudos"):
            query.pop(name, None)
        query["period"] = value
        links.append(
            {"label": label, "url": "?" + query.urlencode(), "current": chosen.preset == value}
        )
    return links


def _pager(request: HttpRequest, items: Any, param: str) -> dict[str, Any]:
    """A page of `items` read from the query parameter `param`, with links that keep the rest
    of the query (two lists on one page page on their own)."""
    page: Page = Paginator(items, PER_PAGE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    return {
        "page": page,
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }


def _seen_member(membership: Membership, member_id: int) -> Membership:
    member = access_member(membership, member_id)
    if not selectors.can_see(membership, member):
        raise PermissionDenied(
            f"Only {member.user.display_name} and their managers see their contributions."
        )
    return member


@member_view
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    """ "My recognition": one's own page."""
    membership = access_workspace(request.user, slug)
    return redirect("web:recognition_person", slug=slug, member_id=membership.pk)


@member_view
def person(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    member = _seen_member(membership, member_id)
    chosen = chosen_period(request)
    record = selectors.person(membership, member, chosen.period)
    own = member.pk == membership.pk
    contributions = _pager(
        request, pages.contributions(membership, member, chosen.period), "contributions"
    )
    contributions["lines"] = pages.lines(list(contributions["page"].object_list))
    kudos = _pager(request, pages.kudos_received(membership, member, chosen.period), "kudos")
    kudos["lines"] = pages.kudos_lines(list(kudos["page"].object_list))
    context = {
        "member": member,
        "own": own,
        "record": record,
        "chosen": chosen,
        "period_links": period_links(request, chosen),
        "previous": chosen.period.previous(),
        "delta": Delta(record.score.points, record.previous.points),
        "chart": weekly(chosen.period, record.weeks),
        "groups": GROUPS,
        "contributions": contributions,
        "kudos": kudos,
        "suggestions": skills.suggestions(membership, member),
        "can_confirm": own and can(membership, Verb.OWN_SKILLS),
    }
    return render_page(
        request,
        membership,
        "web/recognition/person.html",
        context,
        section="recognition" if own else "people",
        status=400 if chosen.problem else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@member_view
def export(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Everything recorded about the person, as CSV; only they download it."""
    membership = access_workspace(request.user, slug)
    member = access_member(membership, member_id)
    rows = pages.export(membership, member)
    writer = spreadsheet.writer(_Echo(), lineterminator="\r\n")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="recognition-{membership.workspace.slug}-{member.pk}-{day}.csv"'
    )
    return cast(HttpResponse, response)


@member_view
@require_POST
def skill_confirm(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    member = access_member(membership, member_id)
    try:
        held = skills.confirm(membership, member, request.POST.get("name", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request, f"“{held.skill.name}” is now one of your skills: colleagues can ask you."
        )
    return _back_to_skills(request, slug, member)


@member_view
@require_POST
def skill_dismiss(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    member = access_member(membership, member_id)
    try:
        row = skills.dismiss(membership, member, request.POST.get("name", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"“{row.name}” will not be suggested to you again.")
    return _back_to_skills(request, slug, member)


#: The period a skill form was posted from (`Chosen.query`), to go back to it.
RETURN_QUERY = re.compile(r"period=[a-z_0-9]{1,20}(&since=[0-9-]{10}&until=[0-9-]{10})?")


def _back_to_skills(request: HttpRequest, slug: str, member: Membership) -> HttpResponse:
    query = request.POST.get("return_query", "")
    target = redirect("web:recognition_person", slug=slug, member_id=member.pk)
    if RETURN_QUERY.fullmatch(query):
        target["Location"] += f"?{query}"
    target["Location"] += "#skills"
    return target


def kinds_in_words(kinds: tuple[str, ...]) -> str:
    words = [NOUNS[k][1] for k in kinds]
    return ", ".join(words[:-1]) + " and " + words[-1]


@member_view
def team(request: HttpRequest, slug: str) -> HttpResponse:
    """Response and resolution contributions per team, who helped outside their own team, the
    evangelists and the leaderboard, for a period against the one before."""
    membership = access_workspace(request.user, slug)
    if not can(membership, Verb.SEE_TEAM_RECOGNITION):
        raise PermissionDenied(refusal(Verb.SEE_TEAM_RECOGNITION))
    raw_team = request.GET.get("team", "").strip()
    chosen_team = access_team(membership, raw_team) if raw_team else None
    chosen = chosen_period(request)
    view = selectors.team_view(membership, chosen.period, chosen_team)
    context = {
        "view": view,
        "chosen": chosen,
        "period_links": period_links(request, chosen),
        "previous": chosen.period.previous(),
        "teams": core_selectors.workspace_teams(membership),
        "chosen_team": chosen_team,
        "bars": team_bars(view.teams),
        "leaders": [(r, Delta(r.score.points, r.previous_points)) for r in view.leaders],
        "response_kinds": kinds_in_words(tuple(RESPONSE)),
        "resolution_kinds": kinds_in_words(tuple(RESOLUTION)),
        "policy": pages.policy(membership.workspace_id),
        "excluded": pages.excluded_count(membership.workspace_id),
    }
    return render_page(
        request,
        membership,
        "web/recognition/team.html",
        context,
        section="recognition",
        status=400 if chosen.problem else 200,
    )
