"""Merging a duplicate idea into another: votes, followers and comments combined, nobody twice.

A voter of both keeps their vote on the target; their vote on the duplicate stays on the
duplicate, kept for the record but no longer counted. Every other vote moves, with followers
(each person once) and comments. The duplicate keeps `merged_into`; votes, comments and follows
that arrive for it later go to the target (`votes.target`).
"""

from django.core.exceptions import ValidationError

from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.ideas.events import IDEA_MERGED
from rapport.ideas.models import Comment, Follower, Idea, Vote
from rapport.ideas.votes import recount, target


@action("idea.merge")
def merge_ideas(actor: Membership, duplicate: Idea, into: Idea) -> Idea:
    """Merges `duplicate` into `into` (or into the idea `into` was itself merged into)."""
    require(actor, Verb.MANAGE_IDEAS)
    require_same_workspace(actor, duplicate, into)
    into = target(into)
    if duplicate.merged_into_id:
        raise ValidationError(
            {
                "into_id": f"Idea #{duplicate.pk} was already merged "
                f"into #{duplicate.merged_into_id}."
            }
        )
    if into.pk == duplicate.pk:
        raise ValidationError({"into_id": "An idea cannot be merged into itself."})
    locked = {
        i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk])
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]

    on_target = set(
        Vote.objects.filter(idea=into, counted=True).values_list("contact_id", flat=True)
    )
    twice = Vote.objects.filter(idea=duplicate, counted=True, contact_id__in=on_target)
    already = twice.update(counted=False)
    moved = Vote.objects.filter(idea=duplicate, counted=True).update(idea=into)

    followed: set[tuple[int | None, int | None]] = set(
        Follower.objects.filter(idea=into).values_list("contact_id", "member_id")
    )
    for follower in Follower.objects.filter(idea=duplicate):
        if (follower.contact_id, follower.member_id) in followed:
            follower.delete()
        else:
            followed.add((follower.contact_id, follower.member_id))
            Follower.objects.filter(pk=follower.pk).update(idea=into)
    Comment.objects.filter(idea=duplicate).update(idea=into)
    into.linked_cases.add(*duplicate.linked_cases.all())
    into.linked_tasks.add(*duplicate.linked_tasks.all())

    duplicate.merged_into = into
    duplicate.save(update_fields=["merged_into", "updated_at"])
    recount(duplicate)
    recount(into)
    record_by(
        actor,
        verb="idea.merge",
        obj=duplicate,
        after={"into": into.pk, "votes_moved": moved, "votes_already_there": already},
    )
    emit(
        IDEA_MERGED,
        actor.workspace_id,
        actor=actor,
        object_id=duplicate.pk,
        into=into.pk,
        votes_moved=moved,
        votes_already_there=already,
    )
    return into
