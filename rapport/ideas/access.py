"""The `access_*` helpers of ideas: another workspace's idea, vote or area is a 404."""

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.ideas.models import Area, Idea, Vote


def access_idea(
    membership: Membership, idea_id: object, *, related: tuple[str, ...] = ("area", "merged_into")
) -> Idea:
    """The caller's idea `idea_id`, read with `related` (more for an answer that shows more)."""
    return access_in_workspace(membership, Idea.objects.select_related(*related), idea_id)


def access_vote(membership: Membership, idea: Idea, vote_id: object) -> Vote:
    return access_in_workspace(
        membership, Vote.objects.filter(idea=idea).select_related("contact"), vote_id
    )


def access_area(membership: Membership, area_id: object) -> Area:
    return access_in_workspace(membership, Area.objects.all(), area_id)
