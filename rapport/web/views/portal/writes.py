"""What a signed-in visitor does on the portal: submit an idea (after seeing similar ones), vote,
take a vote back, follow, comment. Each form carries a CSRF token and a honeypot; ideas and
comments are counted against the flood limits (`throttle.py`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.contacts.models import Contact
from rapport.ideas import actions, votes
from rapport.ideas import portal as public
from rapport.ideas.models import Idea, Portal
from rapport.ideas.similar import similar_ideas
from rapport.web.views.common import add_action_errors, is_fragment
from rapport.web.views.portal import throttle
from rapport.web.views.portal.common import (
    address_of,
    idea_url,
    portal_view,
    render_portal,
    safe_next,
    sign_in_url,
)
from rapport.web.views.portal.forms import CommentForm, IdeaForm
from rapport.web.views.portal.pages import decorate, idea_context

SIMILAR_SHOWN = 5
SIMILAR_QUERY_MAX = 300


def _visitor(request: HttpRequest) -> Contact | None:
    return request.visitor  # type: ignore[attr-defined]


def _similar(portal: Portal, text: str) -> list[Idea]:
    text = " ".join(text.split())[:SIMILAR_QUERY_MAX]
    if len(text) < 3:
        return []
    found = [idea for idea, _ in similar_ideas(portal.workspace_id, text, limit=SIMILAR_SHOWN)]
    return found


@require_http_methods(["GET", "POST"])
@portal_view
def submit(request: HttpRequest, portal: Portal) -> HttpResponse:
    visitor = _visitor(request)
    if visitor is None:
        return redirect(sign_in_url(portal, request.get_full_path()))
    form = IdeaForm(request.POST or None, workspace_id=portal.workspace_id)
    similar: list[Idea] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            similar = _similar(portal, data["title"])
            if similar and not data["confirmed"]:
                # Shown after a first try when the page could not show them as they typed.
                decorate(request, similar)
                return render_portal(
                    request,
                    "web/portal/submit.html",
                    {"form": form, "similar": similar, "confirm": True, "section": "submit"},
                )
            try:
                throttle.count("idea", address=address_of(request), person=f"contact:{visitor.pk}")
                idea = actions.submit_on_portal(
                    visitor, title=data["title"], body=data["body"], area=data["area"]
                )
            except throttle.Throttled as refused:
                form.add_error(None, str(refused))
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request,
                    "Thank you! Your idea is posted, with your vote. "
                    "We will email you when its status changes.",
                )
                return redirect(idea_url(portal, idea.pk))
        status = 400
    return render_portal(
        request,
        "web/portal/submit.html",
        {"form": form, "similar": decorate(request, similar), "section": "submit"},
        status=status,
    )


@require_GET
@portal_view
def similar(request: HttpRequest, portal: Portal) -> HttpResponse:
    """The ideas like the title being typed (the submit page asks as the visitor types)."""
    found = _similar(portal, request.GET.get("title", ""))
    return render_portal(request, "web/portal/_similar.html", {"similar": decorate(request, found)})


def _after(
    request: HttpRequest, portal: Portal, idea: Idea, *, done: str = "", problem: str = ""
) -> HttpResponse:
    """The vote box again for htmx (with a problem said in it), else back to where the visitor
    was, with what happened said at the top."""
    back = safe_next(request, portal, request.POST.get("next") or idea_url(portal, idea.pk))
    if is_fragment(request):
        idea.refresh_from_db()
        decorate(request, [idea])
        return render_portal(
            request, "web/portal/_vote.html", {"idea": idea, "problem": problem, "here": back}
        )
    if problem:
        messages.error(request, problem)
    elif done:
        messages.success(request, done)
    return redirect(back)


def _idea_for_write(request: HttpRequest, portal: Portal, idea_id: int) -> Idea:
    return votes.target(public.access_public_idea(portal.workspace, idea_id))


@require_POST
@portal_view
def vote(request: HttpRequest, portal: Portal, idea_id: int) -> HttpResponse:
    idea = _idea_for_write(request, portal, idea_id)
    visitor = _visitor(request)
    if visitor is None:
        return redirect(sign_in_url(portal, idea_url(portal, idea.pk)))
    try:
        votes.portal_vote(visitor, idea)
    except votes.AlreadyVoted:
        return _after(request, portal, idea, problem="You voted for this idea already.")
    except ValidationError as error:
        return _after(request, portal, idea, problem=" ".join(error.messages))
    return _after(
        request, portal, idea, done=f"You voted for “{idea.title}”. We will keep you posted."
    )


@require_POST
@portal_view
def unvote(request: HttpRequest, portal: Portal, idea_id: int) -> HttpResponse:
    idea = _idea_for_write(request, portal, idea_id)
    visitor = _visitor(request)
    if visitor is None:
        return redirect(sign_in_url(portal, idea_url(portal, idea.pk)))
    taken_back = votes.portal_unvote(visitor, idea)
    return _after(
        request,
        portal,
        idea,
        done=f"Your vote for “{idea.title}” is taken back." if taken_back else "",
    )


@require_POST
@portal_view
def follow(request: HttpRequest, portal: Portal, idea_id: int) -> HttpResponse:
    idea = _idea_for_write(request, portal, idea_id)
    visitor = _visitor(request)
    if visitor is None:
        return redirect(sign_in_url(portal, idea_url(portal, idea.pk)))
    on = request.POST.get("on") != "0"
    actions.follow_idea(None, idea, contact=visitor, on=on)
    messages.success(
        request,
        "You follow this idea: we will email you when its status changes."
        if on
        else "You no longer follow this idea.",
    )
    return redirect(idea_url(portal, idea.pk))


@require_POST
@portal_view
def comment(request: HttpRequest, portal: Portal, idea_id: int) -> HttpResponse:
    idea = _idea_for_write(request, portal, idea_id)
    visitor = _visitor(request)
    if visitor is None:
        return redirect(sign_in_url(portal, idea_url(portal, idea.pk)))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            throttle.count("comment", address=address_of(request), person=f"contact:{visitor.pk}")
            note = actions.comment(None, idea, form.cleaned_data["body"], contact=visitor)
        except throttle.Throttled as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(f"{idea_url(portal, idea.pk)}#comment-{note.pk}")
    # The idea's page again, with the comment and what is wrong with it.
    return render_portal(
        request, "web/portal/idea.html", idea_context(request, portal, idea, form), status=400
    )
