"""Ideas from the open web: "Turn into an idea" on a post or a conversation (its author votes
first and follows), "Add as a vote" (the post's author votes for an existing idea), and the
panel on a conversation whose post is an idea, with the most similar ideas already filed.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.contacts.models import Contact
from rapport.core.access import access_workspace
from rapport.core.ids import parse_id
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, refusal, require
from rapport.ideas import actions, browse, votes
from rapport.ideas.access import access_idea
from rapport.ideas.models import Idea, Vote
from rapport.ideas.similar import similar_ideas
from rapport.ideas.voters import person
from rapport.inbox.access import access_conversation
from rapport.inbox.models import Conversation
from rapport.listening.access import access_post
from rapport.listening.models import Intent, Post
from rapport.web.views.common import add_action_errors, member_view, render_page, search_term
from rapport.web.views.ideas import IdeaForm

SIMILAR = 5
PICKS = 10


def _may_capture(membership: Membership) -> None:
    """The page serves both verbs; someone who may do neither is refused."""
    if not (can(membership, Verb.SUBMIT_IDEAS) or can(membership, Verb.VOTE_FOR_CUSTOMERS)):
        raise PermissionDenied(refusal(Verb.SUBMIT_IDEAS))


def _author(post: Post) -> Contact | None:
    """The post author's contact when they have one already (reading makes none)."""
    identity = post.identity
    if identity is None or identity.contact is None:
        return None
    return person(identity.contact)


def _voted(post: Post, ideas: list[Idea]) -> set[int]:
    author = _author(post)
    if author is None or not ideas:
        return set()
    return set(
        Vote.objects.filter(contact=author, counted=True, idea__in=ideas).values_list(
            "idea_id", flat=True
        )
    )


def _picks(membership: Membership, post: Post, q: str) -> dict[str, Any]:
    """The ideas the post could be a vote for: the search's, or else the most similar."""
    picks: list[tuple[Idea, float | None]]
    if q:
        found = list(browse.filter_ideas(membership, browse.Filters(q=q, sort="top"))[:PICKS])
        picks = [(idea, None) for idea in found]
    else:
        picks = list(similar_ideas(membership.workspace_id, post_words(post), limit=SIMILAR))
    ideas = [idea for idea, _ in picks]
    return {"picks": picks, "voted": _voted(post, ideas), "q": q}


def post_words(post: Post) -> str:
    return f"{post.title}\n{post.text}" if post.title else post.text


def _capture_page(
    request: HttpRequest,
    membership: Membership,
    post: Post,
    *,
    conversation: Conversation | None = None,
    form: IdeaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    title = (conversation.subject if conversation else "") or actions._title_of(
        post.title or post.text
    )
    already = Idea.objects.filter(workspace=membership.workspace, post=post).select_related(
        "merged_into"
    )
    return render_page(
        request,
        membership,
        "web/ideas/capture.html",
        {
            "post": post,
            "conversation": conversation,
            "author": _author(post),
            "already": list(already[:5]),
            "form": form
            or IdeaForm(member=membership, initial={"title": title, "body": post.text}),
            **_picks(membership, post, search_term(request)),
        },
        section="ideas",
        partial="web/ideas/_idea_picks.html",
        status=status,
    )


@member_view
def idea_from_post(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """GET: the post, a form to turn it into an idea and the ideas it could be a vote for.
    POST: the idea, its author the first voter."""
    membership = access_workspace(request.user, slug)
    post = access_post(membership, post_id)
    _may_capture(membership)
    if request.method != "POST":
        return _capture_page(request, membership, post)
    require(membership, Verb.SUBMIT_IDEAS)
    form = IdeaForm(request.POST, member=membership)
    if form.is_valid():
        try:
            idea = actions.promote_post(membership, post, **form.cleaned(membership))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _made(idea))
            return redirect("web:idea", slug=slug, idea_id=idea.pk)
    return _capture_page(request, membership, post, form=form, status=400)


@member_view
def idea_from_conversation(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    """The same for a conversation: from its first post, and linked to the conversation."""
    membership = access_workspace(request.user, slug)
    conv = access_conversation(membership, conversation_id)
    _may_capture(membership)
    first = conv.first_post
    if first is None or first.workspace_id != membership.workspace_id:
        messages.error(request, "This conversation has no post to turn into an idea.")
        return redirect("web:conversation", slug=slug, conversation_id=conv.pk)
    if request.method != "POST":
        return _capture_page(request, membership, first, conversation=conv)
    require(membership, Verb.SUBMIT_IDEAS)
    form = IdeaForm(request.POST, member=membership)
    if form.is_valid():
        try:
            idea = actions.promote_conversation(membership, conv, **form.cleaned(membership))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _made(idea))
            return redirect("web:idea", slug=slug, idea_id=idea.pk)
    return _capture_page(request, membership, first, conversation=conv, form=form, status=400)


def _made(idea: Idea) -> str:
    vote = idea.votes.select_related("contact").first()
    who = f"{vote.contact.name} is its first voter and follows it" if vote else "you follow it"
    return f"Idea #{idea.pk} is filed; {who}."


@member_view
@require_POST
def idea_vote_from_post(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    """ "Add as a vote": the post's author votes for the idea. Back to the conversation when
    asked from one, else to the idea."""
    membership = access_workspace(request.user, slug)
    found = access_idea(membership, idea_id)
    post = access_post(membership, request.POST.get("post", ""))
    conversation_id = parse_id(request.POST.get("conversation", ""))
    try:
        back = access_conversation(membership, conversation_id) if conversation_id else None
    except Http404:
        back = None
    try:
        vote = votes.vote_from_post(membership, found, post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        target = votes.target(found)
        messages.success(
            request,
            f"{vote.contact.name}'s post is a vote for idea #{target.pk} “{target.title}” "
            f"({target.vote_count} vote{'s' if target.vote_count != 1 else ''}).",
        )
    if back is not None:
        return redirect("web:conversation", slug=slug, conversation_id=back.pk)
    return redirect(reverse("web:idea", args=[slug, votes.target(found).pk]) + "#votes")


def conversation_panel(
    membership: Membership, conv: Conversation, posts: list[Post]
) -> dict[str, Any]:
    """For the conversation page: the ideas this conversation became, and, when one of its
    posts is an idea, the most similar ideas filed already, to add it as a vote."""
    ideas_here = list(
        Idea.objects.filter(workspace=membership.workspace)
        .filter(Q(conversation=conv) | Q(post__in=posts))
        .select_related("merged_into")
        .order_by("id")[:10]
    )
    idea_post = next((p for p in reversed(posts) if p.intent == Intent.IDEA), None)
    similar: list[tuple[Idea, float]] = []
    voted: set[int] = set()
    if idea_post is not None:
        similar = similar_ideas(membership.workspace_id, post_words(idea_post), limit=SIMILAR)
        voted = _voted(idea_post, [idea for idea, _ in similar])
    return {
        "ideas_here": ideas_here,
        "idea_post": idea_post,
        "similar_ideas": similar,
        "similar_voted": voted,
    }
