"""Ideas: the list (search, filters by status, area and origin, sorted by trending, votes or
newest, in pages), the board by status, and submitting an idea. An idea's own page is in
`idea_page.py`, the analytics in `idea_analytics.py`, turning posts into ideas and votes in
`idea_capture.py`.

Ids from the URL or a form go through `access_*`; every change is an ideas action; idea text is
social text, shown escaped.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.ideas import actions, browse
from rapport.ideas.access import access_area, access_idea
from rapport.ideas.models import ANNOUNCED, Idea, Origin, Status
from rapport.web.views.common import add_action_errors, member_view, paginate, render_page

PER_PAGE = 20
#: The board's filters, kept when a card is moved and the board comes back.
BOARD_KEYS = ("q", "area", "origin")


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=actions.TITLE_MAX)
    body = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=actions.BODY_MAX,
        help_text="What the customer wants and why. A little Markdown: **bold**, lists, links.",
    )
    area = forms.TypedChoiceField(
        label="Product area", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No area")] + [(a.pk, a.name) for a in browse.areas(member)]

    def cleaned(self, member: Membership) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["area"] = access_area(member, data["area"]) if data["area"] else None
        return data


def tabs(membership: Membership, current: str) -> list[dict[str, Any]]:
    """The Ideas pages' own tabs: the list, the board, the analytics."""
    slug = membership.workspace.slug
    return [
        {"label": label, "url": reverse(f"web:{name}", args=[slug]), "current": name == current}
        for name, label in (
            ("ideas", "List"),
            ("ideas_board", "Board"),
            ("ideas_analytics", "Analytics"),
        )
    ]


def _list_page(
    request: HttpRequest,
    membership: Membership,
    form: IdeaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filters, problems = browse.read_filters(request.GET)
    page = paginate(request, browse.filter_ideas(membership, filters), PER_PAGE)
    shown = list(page.object_list)
    counts = browse.comment_counts(shown)
    for idea in shown:
        idea.comment_total = counts.get(idea.pk, 0)
    return render_page(
        request,
        membership,
        "web/ideas/index.html",
        {
            "page": page,
            "ideas": shown,
            "filters": filters,
            "q": filters.q,
            "problems": problems,
            "any_idea": bool(shown) or Idea.objects.filter(workspace=membership.workspace).exists(),
            "statuses": Status.choices,
            "origins": Origin.choices,
            "areas": browse.areas(membership),
            "sorts": browse.SORT_LABELS,
            "tabs": tabs(membership, "ideas"),
            "form": form or IdeaForm(member=membership),
        },
        section="ideas",
        partial="web/ideas/_list.html",
        status=status,
    )


@member_view
def ideas(request: HttpRequest, slug: str) -> HttpResponse:
    return _list_page(request, access_workspace(request.user, slug))


@member_view
@require_POST
def idea_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.SUBMIT_IDEAS)
    form = IdeaForm(request.POST, member=membership)
    if form.is_valid():
        try:
            idea = actions.create_idea(membership, **form.cleaned(membership))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Idea #{idea.pk} submitted; you follow it.")
            return redirect("web:idea", slug=slug, idea_id=idea.pk)
    return _list_page(request, membership, form=form, status=400)


# The board ----------------------------------------------------------------------------------


def board_query(data: QueryDict) -> str:
    """The board's filters from `data`, as a query string (nothing else is carried over)."""
    kept = {key: data[key] for key in BOARD_KEYS if data.get(key)}
    return urlencode(kept)


@member_view
def board(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    filters, problems = browse.read_filters(request.GET)
    columns = browse.board(membership, filters)
    return render_page(
        request,
        membership,
        "web/ideas/board.html",
        {
            "columns": columns,
            "total": sum(c.count for c in columns),
            "filters": filters,
            "q": filters.q,
            "problems": problems,
            "areas": browse.areas(membership),
            "origins": Origin.choices,
            "statuses": Status.choices,
            "board_query": board_query(request.GET),
            "tabs": tabs(membership, "ideas_board"),
        },
        section="ideas",
        partial="web/ideas/_board.html",
    )


@member_view
@require_POST
def idea_status(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    """Moves the idea to another status with its public note; back to the board or the page."""
    membership = access_workspace(request.user, slug)
    idea = access_idea(membership, idea_id)
    before = idea.status
    try:
        actions.change_status(
            membership,
            idea,
            request.POST.get("status", ""),
            request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = idea.get_status_display().lower()
        if idea.status == before:
            messages.success(request, f"The public note of idea #{idea.pk} is saved.")
        else:
            told = " Its voters and followers are told." if idea.status in ANNOUNCED else ""
            messages.success(request, f"Idea #{idea.pk} is now {label}.{told}")
    if request.POST.get("next") == "board":
        query = board_query(request.POST)
        return redirect(reverse("web:ideas_board", args=[slug]) + (f"?{query}" if query else ""))
    return redirect("web:idea", slug=slug, idea_id=idea.pk)
