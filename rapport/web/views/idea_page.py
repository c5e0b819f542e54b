"""An idea's page: its text, votes (who, from where, their tier and value when they voted),
followers, status with the public note and its history, comments (internal or public), the
cases and tasks R&D works it in, merged duplicates, where it came from, and the announcements
of each status change. And what managers do there: edit it, change its status, link and unlink
work, merge it into another idea, remove a vote; and what employees do: comment, add a
customer's vote.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from rapport.cases.access import access_case, access_task
from rapport.contacts.access import access_contact
from rapport.contacts.selectors import filter_contacts
from rapport.core.access import access_workspace
from rapport.core.ids import MAX_ID, parse_id
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.ideas import actions, browse, merge, votes
from rapport.ideas.access import access_idea, access_vote
from rapport.ideas.models import ANNOUNCED, Idea, Status
from rapport.ideas.similar import similar_ideas
from rapport.web.views.common import (
    add_action_errors,
    is_fragment,
    member_view,
    render_page,
    search_term,
)
from rapport.web.views.ideas import IdeaForm

VOTES_PER_PAGE = 25
ANNOUNCEMENTS_PER_PAGE = 25
PICK_LIMIT = 10
_announced = [Status(s).label.lower() for s in ANNOUNCED]
#: "planned, shipped or declined"
ANNOUNCED_WORDS = ", ".join(_announced[:-1]) + " or " + _announced[-1]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=actions.COMMENT_MAX,
    )
    visibility = forms.ChoiceField(
        choices=[
            ("internal", "Internal: only colleagues see it"),
            ("public", "Public: shown on the idea portal"),
        ],
        initial="internal",
        widget=forms.RadioSelect,
        label="Who sees it",
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(
        label="Public note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=actions.NOTE_MAX,
        help_text="Shown on the portal and in the announcement: why, when, what next.",
    )


def _page(request: HttpRequest, items: Any, per_page: int, name: str) -> Any:
    return Paginator(items, per_page).get_page(request.GET.get(name))


def portal_url(membership: Membership, idea: Idea) -> str:
    """The idea's page on the public portal, or "" where this Rapport has no portal pages."""
    try:
        return reverse("web:portal_idea", args=[membership.workspace.slug, idea.pk])
    except NoReverseMatch:
        return ""


def _announcements(request: HttpRequest, idea: Idea) -> dict[str, Any]:
    changes = browse.announced_changes(idea)
    wanted = parse_id(request.GET.get("change", ""))
    shown = next((c for c in changes if c.change.pk == wanted), changes[0] if changes else None)
    rows = (
        _page(
            request,
            browse.announcements_of(idea, shown.change.pk),
            ANNOUNCEMENTS_PER_PAGE,
            "announcements_page",
        )
        if shown
        else None
    )
    return {"announced": changes, "announced_shown": shown, "announcements": rows}


def _idea_page(
    request: HttpRequest,
    membership: Membership,
    idea: Idea,
    *,
    comment_form: CommentForm | None = None,
    edit_form: IdeaForm | None = None,
    status_form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    vote_page = _page(request, browse.votes_of(idea), VOTES_PER_PAGE, "votes_page")
    context: dict[str, Any] = {
        "idea": idea,
        "votes": vote_page,
        "counted_votes": idea.vote_count,
        "followers": idea.followers.count(),
        "history": browse.history(idea),
        "comments": browse.comments(idea),
        "linked_cases": idea.linked_cases.select_related("owner__user").order_by("id"),
        "linked_tasks": browse.linked_tasks(idea),
        "duplicates": browse.merged_duplicates(idea),
        "portal_url": portal_url(membership, idea) if not idea.merged_into_id else "",
        "announced_statuses": ANNOUNCED_WORDS,
        "comment_form": comment_form or CommentForm(),
        "status_form": status_form
        or StatusForm(initial={"status": idea.status, "note": idea.status_note}),
        "edit_form": edit_form
        or IdeaForm(
            member=membership,
            initial={"title": idea.title, "body": idea.body, "area": idea.area_id},
        ),
        **_announcements(request, idea),
    }
    if is_fragment(request) and request.GET.get("votes_page"):
        partial = "web/ideas/_votes.html"
    elif is_fragment(request) and (
        request.GET.get("announcements_page") or request.GET.get("change")
    ):
        partial = "web/ideas/_announcements.html"
    else:
        partial = None
    return render_page(
        request,
        membership,
        "web/ideas/idea.html",
        context,
        section="ideas",
        partial=partial,
        status=status,
    )


@member_view
def idea(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    return _idea_page(request, membership, access_idea(membership, idea_id))


def _back(idea: Idea, anchor: str = "") -> HttpResponse:
    url = reverse("web:idea", args=[idea.workspace.slug, idea.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@member_view
@require_POST
def idea_edit(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    require(membership, Verb.MANAGE_IDEAS)
    form = IdeaForm(request.POST, member=membership)
    if form.is_valid():
        try:
            actions.update_idea(membership, found, **form.cleaned(membership))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Idea #{found.pk} is saved.")
            return _back(found)
    found.refresh_from_db()
    return _idea_page(request, membership, found, edit_form=form, status=400)


@member_view
@require_POST
def idea_comment(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    require(membership, Verb.COMMENT_IDEAS)
    form = CommentForm(request.POST)
    if form.is_valid():
        public = form.cleaned_data["visibility"] == "public"
        try:
            note = actions.comment(membership, found, form.cleaned_data["body"], public=public)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                "Comment posted; it shows on the portal." if public else "Internal comment added.",
            )
            return _back(votes.target(found), f"comment-{note.pk}")
    return _idea_page(request, membership, found, comment_form=form, status=400)


def _number(raw: str, what: str) -> int:
    number = parse_id(raw.strip().lstrip("#"))
    if number is None:
        raise ValidationError(
            f"Give the {what} as a number, like 12 (from 1 to {MAX_ID:,})."
            if raw.strip()
            else f"Give the number of the {what} to link."
        )
    return number


@member_view
@require_POST
def idea_link(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    """Links (or with `unlink`, unlinks) a case or a task given by its number."""
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    require(membership, Verb.MANAGE_IDEAS)
    kind = request.POST.get("kind", "")
    raw = request.POST.get("number", "")
    on = not request.POST.get("unlink")
    if kind not in ("case", "task"):
        messages.error(request, "Choose whether to link a case or a task.")
        return _back(found, "work")
    try:
        number = _number(raw, kind)
        if kind == "case":
            case = access_case(membership, number, related=())
            linked = found.linked_cases.filter(pk=case.pk).exists()
            if on == linked:
                raise ValidationError(
                    f"Case #{case.pk} is {'already' if on else 'not'} linked to this idea."
                )
            actions.link(membership, found, case=case, on=on)
            what = f"Case #{case.pk} “{case.subject}”"
        else:
            task = access_task(membership, number)
            linked = found.linked_tasks.filter(pk=task.pk).exists()
            if on == linked:
                raise ValidationError(
                    f"Task #{task.pk} is {'already' if on else 'not'} linked to this idea."
                )
            actions.link(membership, found, task=task, on=on)
            what = f"Task #{task.pk} “{task.title}”"
    except Http404:
        messages.error(request, f"There is no {kind} {raw.strip()} in this workspace.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{what} is {'linked to' if on else 'unlinked from'} this idea.")
    return _back(found, "work")


# Merging a duplicate --------------------------------------------------------------------------


def _candidates(membership: Membership, found: Idea, q: str) -> list[tuple[Idea, float | None]]:
    """Ideas to merge `found` into: those the search finds, or else the most similar ones."""
    if q:
        qs = browse.filter_ideas(membership, browse.Filters(q=q, sort="top")).exclude(pk=found.pk)
        return [(i, None) for i in qs[:PICK_LIMIT]]
    return list(
        similar_ideas(
            membership.workspace_id, f"{found.title}\n{found.body}", limit=5, exclude=found.pk
        )
    )


@member_view
def idea_merge(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    """Pick the idea this duplicate goes into (GET: search), and merge (POST `into`)."""
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    require(membership, Verb.MANAGE_IDEAS)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("into", "")
        into_id = parse_id(raw)
        try:
            if into_id is None:
                raise ValidationError("Choose the idea to merge this one into.")
            into = merge.merge_ideas(membership, found, access_idea(membership, into_id))
        except Http404:
            error = "That idea is not in this workspace any more; search again."
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request,
                f"Idea #{found.pk} is merged into this one: its votes, followers and comments "
                f"are here now, each person counted once ({into.vote_count} "
                f"vote{'s' if into.vote_count != 1 else ''}).",
            )
            return _back(into)
    q = search_term(request)
    return render_page(
        request,
        membership,
        "web/ideas/merge.html",
        {
            "idea": found,
            "q": q,
            "candidates": [] if found.merged_into_id else _candidates(membership, found, q),
            "error": error,
        },
        section="ideas",
        partial="web/ideas/_merge_candidates.html",
        status=400 if error else 200,
    )


# Votes ----------------------------------------------------------------------------------------


@member_view
def idea_vote_add(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    """An employee adds a customer's vote: find the contact (GET), add their vote (POST)."""
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    require(membership, Verb.VOTE_FOR_CUSTOMERS)
    error = ""
    if request.method == "POST":
        contact_id = parse_id(request.POST.get("contact", ""))
        try:
            if contact_id is None:
                raise ValidationError("Choose the customer whose vote to add.")
            contact = access_contact(membership, contact_id)
            vote = votes.vote_for(membership, found, contact)
        except Http404:
            error = "That customer is not in this workspace; search again."
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"{vote.contact.name}'s vote is added; they follow the idea.")
            return _back(votes.target(found), "votes")
    q = search_term(request)
    try:
        found_contacts = filter_contacts(membership, q=q) if q else None
        contacts = (
            list(found_contacts.order_by("name", "id")[:PICK_LIMIT]) if found_contacts else []
        )
    except ValidationError as problem:
        contacts, error = [], " ".join(problem.messages)
    voted = set(
        found.votes.filter(counted=True, contact__in=contacts).values_list("contact_id", flat=True)
    )
    return render_page(
        request,
        membership,
        "web/ideas/vote_for.html",
        {"idea": found, "q": q, "contacts": contacts, "voted": voted, "error": error},
        section="ideas",
        partial="web/ideas/_contact_picks.html",
        status=400 if error and request.method == "POST" else 200,
    )


@member_view
@require_POST
def idea_vote_remove(request: HttpRequest, slug: str, idea_id: int, vote_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    vote = access_vote(membership, found, vote_id)
    votes.remove_vote(membership, vote)
    messages.success(request, f"{vote.contact.name}'s vote is removed.")
    return _back(found, "votes")
