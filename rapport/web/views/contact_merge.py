"""The review queue of identity resolution (w/<slug>/contacts/merge-suggestions/): suggested
pairs side by side with each field's part in the score, accept (merge) or reject ("not the same
person", remembered), a batch dedupe with its progress, and the merge history with unmerge."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.contacts import review
from rapport.contacts.merge import unmerge
from rapport.contacts.models import DedupeRun
from rapport.core.access import access_workspace
from rapport.core.permissions import Verb, can
from rapport.web.views.common import member_view, render_page, search_term

PER_PAGE = 10
HISTORY_PER_PAGE = 10


def _explained(suggestion: Any) -> dict[str, Any]:
    parts = [
        {**part, "direction": "for" if (part.get("bits") or 0) >= 0 else "against"}
        for part in suggestion.explanation
    ]
    keys = [p["label"] for p in parts if p.get("level") == "deterministic"]
    likely = keys[0] if keys else f"{min(suggestion.score * 100, 99.9):.1f}% likely the same person"
    return {"s": suggestion, "sides": review.sides(suggestion), "parts": parts, "likely": likely}


def _page_number(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "1")[:8]


@member_view
def merge_suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    q = search_term(request)
    error = ""
    try:
        pending = review.pending_suggestions(membership, q=q)
        page = Paginator(pending, PER_PAGE).get_page(_page_number(request, "page"))
    except ValidationError as e:
        error = " ".join(e.messages)
        page = Paginator(review.pending_suggestions(membership), PER_PAGE).get_page(1)
    history = Paginator(review.merge_history(membership), HISTORY_PER_PAGE).get_page(
        _page_number(request, "history")
    )
    run = review.latest_run(membership)
    context = {
        "page": page,
        "pairs": [_explained(s) for s in page.object_list],
        "q": q,
        "error": error,
        "history": history,
        "run": run,
        "running": run is not None
        and run.state in (DedupeRun.State.QUEUED, DedupeRun.State.RUNNING),
        "can_decide": can(membership, Verb.MERGE_CONTACTS),
        "can_unmerge_any": can(membership, Verb.UNMERGE_ANY),
        "can_dedupe": can(membership, Verb.DEDUPE),
    }
    partial = "web/contacts/_merge_list.html"
    if request.GET.get("part") == "run":
        partial = "web/contacts/_merge_run.html"
    return render_page(
        request,
        membership,
        "web/contacts/merge_suggestions.html",
        context,
        section="contacts",
        partial=partial,
    )


def _back(slug: str) -> HttpResponse:
    return redirect("web:contact_merge_suggestions", slug=slug)


@member_view
@require_POST
def accept(request: HttpRequest, slug: str, suggestion_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    suggestion = review.access_suggestion(membership, suggestion_id)
    try:
        survivor = int(request.POST.get("survivor", suggestion.contact_id))
        merge = review.accept_suggestion(membership, suggestion, survivor_id=survivor)
    except (ValueError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, f"Merged {merge.merged.name} into {merge.survivor.name}. Undo it below."
        )
    return _back(slug)


@member_view
@require_POST
def reject(request: HttpRequest, slug: str, suggestion_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    suggestion = review.access_suggestion(membership, suggestion_id)
    try:
        review.reject_suggestion(membership, suggestion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{suggestion.contact.name} and {suggestion.other.name} are not the same person: "
            "they will not be suggested again.",
        )
    return _back(slug)


@member_view
@require_POST
def undo(request: HttpRequest, slug: str, merge_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    merge = review.access_merge(membership, merge_id)
    try:
        restored = unmerge(membership, merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{restored.name} is a contact of their own again.")
    return _back(slug)


@member_view
@require_POST
def dedupe(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    review.start_dedupe(membership)
    messages.success(request, "Looking for duplicates in the background; this page shows how far.")
    return _back(slug)
