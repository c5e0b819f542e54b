"""Votes: one counted per person, wherever they voted from.

A vote is a contact's (see `voters.py`): on the portal, from one of their posts ("Add as a vote"),
or added by an employee on their behalf. A second vote of the same person is refused
(`AlreadyVoted`, a 409 in the API), also when it arrives through another identity of theirs, and
the database's partial unique index holds it under concurrency. A vote on a merged idea goes to
the idea it was merged into.

Each idea keeps its counted votes (`vote_count`) and a trend score (`trend`), updated with each
vote, so the portal sorts 10,000 ideas without counting a million votes.
"""

import math
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rapport.contacts.models import Contact
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.ideas.events import IDEA_VOTE_REMOVED, IDEA_VOTED
from rapport.ideas.models import VOTABLE, Follower, Idea, Vote
from rapport.ideas.voters import contact_of_post, person
from rapport.listening.models import Post

Source = Vote.Source
#: Trend: a vote weighs e^(seconds from EPOCH to the vote / TREND_SECONDS); an idea's `trend` is
#: the log of the sum, so a vote TREND_DAYS older counts e times less, and no row is rewritten
#: as time passes (every idea's score would shrink by the same factor).
TREND_DAYS = 7
TREND_SECONDS = TREND_DAYS * 86_400
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
NO_TREND = -1e9


class AlreadyVoted(ValidationError):
    """The same person voted for this idea already (the API answers 409)."""


def target(idea: Idea) -> Idea:
    """The idea a merged duplicate now lives on (itself if it was never merged)."""
    seen = set()
    while idea.merged_into_id and idea.pk not in seen:
        seen.add(idea.pk)
        idea = Idea.objects.select_related("area").get(pk=idea.merged_into_id)
    return idea


def weight(at: datetime) -> float:
    return (at - EPOCH).total_seconds() / TREND_SECONDS


def add_weight(trend: float, at: datetime) -> float:
    w = weight(at)
    if trend <= NO_TREND:
        return w
    high = max(trend, w)
    return high + math.log1p(math.exp(min(trend, w) - high))


def remove_weight(trend: float, at: datetime) -> float:
    w = weight(at)
    if trend <= NO_TREND or w >= trend - 1e-9:
        return NO_TREND
    return trend + math.log1p(-math.exp(w - trend))


def recount(idea: Idea) -> None:
    """Counts the idea's votes and trend again from its counted votes (after a merge)."""
    stamps = list(Vote.objects.filter(idea=idea, counted=True).values_list("created_at", flat=True))
    trend = NO_TREND
    for at in stamps:
        trend = add_weight(trend, at)
    Idea.objects.filter(pk=idea.pk).update(vote_count=len(stamps), trend=trend)
    idea.vote_count, idea.trend = len(stamps), trend


def _already(idea: Idea, contact: Contact) -> AlreadyVoted:
    return AlreadyVoted(
        f"{contact.name} already voted for idea #{idea.pk}; one vote per person "
        "(their other accounts count as the same person)."
    )


def add_vote_in_transaction(
    idea: Idea,
    contact: Contact,
    *,
    actor: Membership | None,
    source: str,
    post: Post | None = None,
    verb: str = "idea.vote",
    audited: bool = True,
) -> Vote:
    """The vote, inside the caller's transaction; AlreadyVoted for a second vote of the person.
    Audited under `verb` unless the caller's own audit event covers it."""
    idea = target(idea)
    contact = person(contact)
    if contact.workspace_id != idea.workspace_id:
        raise ValidationError("That contact belongs to another workspace.")
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if Vote.objects.filter(idea=locked, contact=contact, counted=True).exists():
        raise _already(idea, contact)
    now = timezone.now()
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                workspace_id=idea.workspace_id,
                idea=locked,
                contact=contact,
                source=source,
                post=post,
                by=actor,
                tier=contact.tier,
                value=contact.lifetime_value,
                created_at=now,
            )
    except IntegrityError:
        raise _already(idea, contact) from None
    locked.vote_count += 1
    locked.trend = add_weight(locked.trend, now)
    Idea.objects.filter(pk=locked.pk).update(vote_count=locked.vote_count, trend=locked.trend)
    idea.vote_count, idea.trend = locked.vote_count, locked.trend
    if audited:
        record(
            actor=actor.user if actor else None,
            workspace=contact.workspace,
            verb=verb,
            obj=idea,
            after={"vote": vote.pk, "contact": contact.pk, "source": source},
        )
    emit(
        IDEA_VOTED,
        idea.workspace_id,
        actor=actor,
        object_id=idea.pk,
        vote=vote.pk,
        contact=contact.pk,
        source=source,
    )
    return vote


@action("idea.vote")
def vote_for(actor: Membership, idea: Idea, contact: Contact) -> Vote:
    """An employee adds a customer's vote (they asked for it on a call, in a meeting…)."""
    require(actor, Verb.VOTE_FOR_CUSTOMERS)
    require_same_workspace(actor, idea, contact)
    vote = add_vote_in_transaction(idea, contact, actor=actor, source=Source.EMPLOYEE)
    _follow(vote)
    return vote


@action("idea.vote_from_post")
def vote_from_post(actor: Membership, idea: Idea, post: Post) -> Vote:
    """ "Add as a vote": the post's author votes for the idea, told back where they posted."""
    require(actor, Verb.VOTE_FOR_CUSTOMERS)
    require_same_workspace(actor, idea, post)
    vote = add_vote_in_transaction(
        idea,
        contact_of_post(post),
        actor=actor,
        source=Source.POST,
        post=post,
        verb="idea.vote_from_post",
    )
    _follow(vote)
    return vote


def vote_from_post_by_rule(idea: Idea, post: Post) -> Vote:
    """ "Add as a vote" done by a routing rule: the same vote and follow, by no member."""
    if post.workspace_id != idea.workspace_id:
        raise ValidationError("That post belongs to another workspace.")
    with transaction.atomic():
        vote = add_vote_in_transaction(
            idea,
            contact_of_post(post),
            actor=None,
            source=Source.POST,
            post=post,
            verb="idea.vote_from_post",
        )
        _follow(vote)
    return vote


@action("idea.portal_vote")
def portal_vote(contact: Contact, idea: Idea) -> Vote:
    """A signed-in portal visitor votes (and follows); a shipped or declined idea takes none."""
    if contact.workspace_id != idea.workspace_id:
        raise ValidationError("That idea belongs to another workspace.")
    idea = target(idea)
    if idea.status not in VOTABLE:
        raise ValidationError(
            f"This idea is {idea.get_status_display().lower()}: it takes no more votes."
        )
    vote = add_vote_in_transaction(
        idea, contact, actor=None, source=Source.PORTAL, verb="idea.portal_vote"
    )
    _follow(vote)
    return vote


def follow(idea: Idea, *, contact: Contact | None = None, member: Membership | None = None) -> None:
    """Adds a follower once (inside the caller's transaction)."""
    if (contact is None) == (member is None):
        raise ValueError("follow() takes a contact or a member")
    who = {"contact": contact} if contact is not None else {"member": member}
    if not Follower.objects.filter(idea=idea, **who).exists():
        Follower.objects.create(workspace_id=idea.workspace_id, idea=idea, **who)


def _follow(vote: Vote) -> None:
    """A voter follows what they voted for."""
    follow(vote.idea, contact=vote.contact)


def _remove(actor: Membership | None, vote: Vote, verb: str = "idea.unvote") -> None:
    idea = Idea.objects.select_for_update().get(pk=vote.idea_id)
    vote_id = vote.pk  # delete() clears it
    vote.delete()
    if vote.counted:
        idea.vote_count = max(0, idea.vote_count - 1)
        idea.trend = remove_weight(idea.trend, vote.created_at)
        Idea.objects.filter(pk=idea.pk).update(vote_count=idea.vote_count, trend=idea.trend)
    record(
        actor=actor.user if actor else None,
        workspace=idea.workspace,
        verb=verb,
        obj=idea,
        before={"vote": vote_id, "contact": vote.contact_id, "source": vote.source},
    )
    emit(
        IDEA_VOTE_REMOVED,
        idea.workspace_id,
        actor=actor,
        object_id=idea.pk,
        vote=vote_id,
        contact=vote.contact_id,
    )


@action("idea.unvote")
def remove_vote(actor: Membership, vote: Vote) -> None:
    """Removes a vote (a mistaken one, or spam)."""
    require(actor, Verb.REMOVE_VOTES)
    require_same_workspace(actor, vote)
    _remove(actor, vote)


@action("idea.portal_unvote")
def portal_unvote(contact: Contact, idea: Idea) -> bool:
    """A portal visitor takes their vote back; False when they had none."""
    contact, idea = person(contact), target(idea)
    vote = Vote.objects.filter(idea=idea, contact=contact, counted=True).first()
    if vote is None:
        return False
    _remove(None, vote, "idea.portal_unvote")
    return True
