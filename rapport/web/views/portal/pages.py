"""The portal's pages anyone may read: the list of ideas, an idea, the portal's colours."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from rapport.ideas import markdown
from rapport.ideas import portal as public
from rapport.ideas.models import Idea, Portal, Status
from rapport.ideas.votes import target
from rapport.web.views.common import is_fragment
from rapport.web.views.portal.common import idea_url, portal_view, render_portal, sign_in_url
from rapport.web.views.portal.forms import CommentForm

PER_PAGE = 20
COMMENTS_PER_PAGE = 50
SORT_LABELS = [("trending", "Trending"), ("top", "Top"), ("new", "New")]


def _status_counts(portal: Portal) -> dict[str, int]:
    rows = (
        Idea.objects.filter(workspace_id=portal.workspace_id, merged_into__isnull=True)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return dict(rows)


def decorate(request: HttpRequest, ideas: list[Idea]) -> list[Idea]:
    """What a row shows besides the idea: an excerpt, its public comments, the visitor's vote."""
    comments = public.comment_counts(ideas)
    voted = public.voted_by(request.visitor, ideas)  # type: ignore[attr-defined]
    for idea in ideas:
        idea.excerpt = markdown.excerpt(idea.body)  # type: ignore[attr-defined]
        idea.public_comments = comments.get(idea.pk, 0)  # type: ignore[attr-defined]
        idea.voted = idea.pk in voted  # type: ignore[attr-defined]
        idea.open = public.takes_votes(idea)  # type: ignore[attr-defined]
    return ideas


@require_GET
@portal_view
def ideas(request: HttpRequest, portal: Portal) -> HttpResponse:
    chosen = public.filters(portal.workspace, request.GET)
    page = Paginator(public.public_ideas(portal.workspace, chosen), PER_PAGE).get_page(
        request.GET.get("page")
    )
    decorate(request, list(page.object_list))
    counts = _status_counts(portal)
    context: dict[str, Any] = {
        "page": page,
        "chosen": chosen,
        "sorts": SORT_LABELS,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "total": sum(counts.values()),
        "areas": public.areas(portal.workspace),
        "section": "ideas",
    }
    template = "web/portal/_results.html" if is_fragment(request) else "web/portal/list.html"
    return render_portal(request, template, context)


@require_GET
@portal_view
def idea(request: HttpRequest, portal: Portal, idea_id: int) -> HttpResponse:
    found = public.access_public_idea(portal.workspace, idea_id)
    if found.merged_into_id:
        # The duplicate lives on in the idea it was merged into: old links lead there.
        return redirect(idea_url(portal, target(found).pk))
    return render_portal(request, "web/portal/idea.html", idea_context(request, portal, found))


def idea_context(
    request: HttpRequest, portal: Portal, found: Idea, form: CommentForm | None = None
) -> dict[str, Any]:
    """What an idea's page shows (also when a comment on it was refused, with its form)."""
    decorate(request, [found])
    comments = Paginator(public.public_comments(found), COMMENTS_PER_PAGE).get_page(
        request.GET.get("comments")
    )
    for c in comments.object_list:
        who = public.public_name(c.author_contact.name) if c.author_contact else ""
        c.who = who  # type: ignore[attr-defined]
    return {
        "section": "ideas",
        "idea": found,
        "body_html": markdown.render(found.body),
        "history": public.history(found),
        "comments": comments,
        "following": public.follows(request.visitor, found),  # type: ignore[attr-defined]
        "comment_form": form or CommentForm(),
        "sign_in_here": sign_in_url(portal, idea_url(portal, found.pk)),
    }


def _mix(hex_colour: str, other: str, share: float) -> str:
    """`share` of `hex_colour` over `other` (both #rrggbb)."""
    a = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(
        f"{round(x * share + y * (1 - share)):02x}" for x, y in zip(a, b, strict=True)
    )


def _ink(hex_colour: str) -> str:
    """Black or white, whichever reads better on `hex_colour` (WCAG relative luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111827" if luminance > 0.4 else "#ffffff"


@require_GET
@portal_view
def theme(request: HttpRequest, portal: Portal) -> HttpResponse:
    """The portal's colours as a stylesheet (the Content-Security-Policy allows no inline style).

    Only #rrggbb values reach it: anything else stored falls back to the default colour.
    """
    brand = public.colour(portal.colour, public.DEFAULT_COLOUR)
    accent = public.colour(portal.accent, public.DEFAULT_ACCENT)
    css = (
        ":root {\n"
        f"  --brand: {brand};\n"
        f"  --brand-ink: {_ink(brand)};\n"
        f"  --brand-strong: {_mix(brand, '#000000', 0.82)};\n"
        f"  --brand-soft: {_mix(brand, '#ffffff', 0.1)};\n"
        f"  --brand-line: {_mix(brand, '#ffffff', 0.35)};\n"
        f"  --accent: {accent};\n"
        f"  --accent-ink: {_ink(accent)};\n"
        "}\n"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    # The page asks for it with the colours in its address: a new colour is a new address.
    response["Cache-Control"] = "public, max-age=86400"
    return response
