"""Listening: the overview's charts, the live list of posts, the queries, source health."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, require
from rapport.listening import actions, selectors
from rapport.listening.access import access_post, access_query
from rapport.listening.models import Intent, ListeningQuery, Post, Sentiment
from rapport.triage import actions as triage_actions
from rapport.triage.selectors import triage_labels
from rapport.web.views.common import (
    add_action_errors,
    is_fragment,
    member_view,
    paginate,
    paginate_capped,
    render_page,
)

PERIODS = {7: "Last 7 days", 14: "Last 14 days", 30: "Last 30 days", 90: "Last 90 days"}
DEFAULT_DAYS = 14
RAW_PREVIEW = 600  # bytes of a quarantined payload shown


# Charts: drawn on the server as inline SVG, each with a table beside it for screen readers.
CHART_W, CHART_H, CHART_PAD = 640, 150, 18
VOICE_COLOURS = ["#3b3fc4", "#d97706", "#0f766e", "#be185d", "#4d7c0f", "#6d28d9", "#0369a1"]


def _bars(overview: selectors.Overview) -> dict[str, Any]:
    days = overview.per_day
    top = max(overview.max_per_day, 1)
    slot = CHART_W / max(len(days), 1)
    width = max(slot * 0.72, 1)
    scale = (CHART_H - CHART_PAD) / top
    volume, sentiment, ticks = [], [], []
    for i, d in enumerate(days):
        x = round(i * slot + (slot - width) / 2, 1)
        h = round(d.posts * scale, 1)
        label = d.day.strftime("%a %-d %b")
        volume.append(
            {
                "x": x,
                "y": CHART_H - h,
                "w": round(width, 1),
                "h": h,
                "title": label,
                "value": d.posts,
            }
        )
        y = float(CHART_H)
        stack = []
        for name, value in (
            ("negative", d.negative),
            ("neutral", d.neutral),
            ("positive", d.positive),
        ):
            sh = round(value * scale, 1)
            y -= sh
            stack.append({"name": name, "y": round(y, 1), "h": sh, "value": value})
        sentiment.append({"x": x, "w": round(width, 1), "title": label, "stack": stack})
        if len(days) <= 14 or i % max(len(days) // 10, 1) == 0:
            ticks.append({"x": round(i * slot + slot / 2, 1), "label": d.day.strftime("%-d %b")})
    return {
        "volume": volume,
        "sentiment": sentiment,
        "ticks": ticks,
        "top": top,
        "width": CHART_W,
        "height": CHART_H,
    }


def _voice(overview: selectors.Overview) -> list[dict[str, Any]]:
    x, segments = 0.0, []
    for i, voice in enumerate(v for v in overview.share_of_voice if v.posts):
        segments.append(
            {
                "voice": voice,
                "x": round(x, 2),
                "w": voice.percent,
                "colour": VOICE_COLOURS[i % len(VOICE_COLOURS)],
            }
        )
        x += voice.percent
    return segments


def charts(overview: selectors.Overview) -> dict[str, Any]:
    return {**_bars(overview), "voice": _voice(overview)}


class QueryForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What people call it, e.g. Acme mortgages.")
    label = forms.ChoiceField(choices=ListeningQuery.Label.choices)
    query = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text='Words, "phrases", @handles, #tags, OR, -exclude, (groups), lang:en, '
        "network:mastodon, from:handle.",
    )


def _filters(request: HttpRequest) -> dict[str, str]:
    get = request.GET
    filters = {name: get.get(name, "").strip()[:200] for name in ("query", "network", "q")}
    filters["sentiment"] = get.get("sentiment", "") if get.get("sentiment") in Sentiment else ""
    filters["intent"] = get.get("intent", "") if get.get("intent") in Intent else ""
    try:
        days = int(get.get("days", DEFAULT_DAYS))
    except ValueError:
        days = DEFAULT_DAYS
    filters["days"] = str(days if days in PERIODS else DEFAULT_DAYS)
    return filters


def _with_triage(posts: list[Post]) -> list[Post]:
    """Each post with `.triage`: its badges, the model's confidence, corrections."""
    labels = triage_labels(posts)
    for post in posts:
        post.triage = labels.get(post.pk)  # type: ignore[attr-defined]
    return posts


def _page(
    request: HttpRequest, membership: Membership, form: QueryForm | None = None, status: int = 200
) -> HttpResponse:
    filters = _filters(request)
    posts = paginate_capped(
        request,
        selectors.search_posts(
            membership,
            query_id=filters["query"] or None,
            q=filters["q"],
            network=filters["network"],
            sentiment=filters["sentiment"],
            intent=filters["intent"],
        ),
    )
    posts.object_list = _with_triage(list(posts.object_list))
    context: dict[str, Any] = {
        "filters": filters,
        "page": posts,
        "can_correct": can(membership, Verb.CORRECT_TRIAGE),
        "live": posts.number == 1,
        "sentiments": Sentiment.choices,
        "intents": Intent.choices,
    }
    if request.htmx and request.htmx.target == "post-list":  # type: ignore[attr-defined]
        return render_page(
            request,
            membership,
            "web/listening/_posts.html",
            context,
            section="listening",
            partial="web/listening/_posts.html",
        )
    queries = list(selectors.workspace_queries(membership))
    overview = _overview(membership, filters["query"], int(filters["days"]))
    context.update(
        queries=queries,
        overview=overview,
        charts=charts(overview),
        periods=PERIODS,
        networks=selectors.networks(membership),
        form=form or QueryForm(),
        can_manage=can(membership, Verb.MANAGE_QUERIES),
    )
    return render_page(
        request, membership, "web/listening/index.html", context, section="listening", status=status
    )


#: The overview's charts are at most this old: each is an aggregate over the period's posts,
#: too costly to compute on every view of the page while posts arrive by the second.
OVERVIEW_SECONDS = 60


def _overview(membership: Membership, query: str, days: int) -> selectors.Overview:
    if query:  # checked on every view: a query can be deleted, or belong to another workspace
        query = str(access_query(membership, query).pk)
    key = f"listening-overview:{membership.workspace_id}:{query}:{days}"
    overview = cache.get(key)
    if overview is None:
        overview = selectors.listening_overview(membership, query_id=query or None, days=days)
        cache.set(key, overview, OVERVIEW_SECONDS)
    return overview


@member_view
def listening(request: HttpRequest, slug: str) -> HttpResponse:
    """The overview (charts, authors, terms), the live list of posts and the queries."""
    membership = access_workspace(request.user, slug)
    return _page(request, membership)


@member_view
def query_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Creates a query, matches it against recent posts and shows what it found."""
    membership = access_workspace(request.user, slug)
    if request.method != "POST":
        return redirect("web:listening", slug=slug)
    form = QueryForm(request.POST)
    if form.is_valid():
        try:
            query = actions.create_query(membership, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            found = query.matches.count()
            messages.success(
                request,
                f"Query “{query.name}” created: it matches {found} recent "
                f"post{'s' if found != 1 else ''}, and every new one from now on.",
            )
            return redirect(reverse("web:listening", args=[slug]) + f"?query={query.pk}#posts")
    return _page(request, membership, form=form, status=400)


@member_view
def sources(request: HttpRequest, slug: str) -> HttpResponse:
    """Source health and the quarantine, for admins."""
    membership = access_workspace(request.user, slug)
    require(membership, Verb.SOURCE_HEALTH)
    items = paginate(request, selectors.quarantined(membership))
    items.object_list = list(items.object_list)
    for item in items.object_list:
        raw = bytes(item.raw or b"")
        item.preview = raw[:RAW_PREVIEW].decode("utf-8", "replace")
        item.truncated = len(raw) > RAW_PREVIEW
    return render_page(
        request,
        membership,
        "web/listening/sources.html",
        {
            "sources": selectors.source_health(membership),
            "page": items,
        },
        section="listening",
        partial="web/listening/_quarantine.html",
    )


@member_view
@require_POST
def triage_correct(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """One click on a badge's menu: the post's label becomes the one chosen (htmx: its badges)."""
    membership = access_workspace(request.user, slug)
    post = access_post(membership, post_id)
    error = ""
    try:
        triage_actions.correct_label(
            membership,
            post,
            field=request.POST.get("field", ""),
            value=request.POST.get("value", ""),
        )
    except ValidationError as e:
        error = " ".join(e.messages)
    if is_fragment(request):
        post.refresh_from_db()
        response = render(
            request,
            "web/listening/_triage.html",
            {
                "post": _with_triage([post])[0],
                "workspace": membership.workspace,
                "can_correct": True,
                "triage_error": error,
                "focus_field": request.POST.get("field", ""),
            },
        )
        # 200 even with an error: htmx swaps only 2xx answers, and the message shows in place.
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Label corrected; thank you — the model learns from it.")
    return redirect(reverse("web:listening", args=[slug]) + f"#post-{post.pk}")
