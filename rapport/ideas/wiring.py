"""How ideas reacts to the other domains: a merge of two contacts keeps one vote per idea."""

from rapport.contacts.events import CONTACT_MERGING
from rapport.contacts.models import Contact
from rapport.core import hooks
from rapport.ideas.models import Idea, Vote
from rapport.ideas.votes import recount


@hooks.on(CONTACT_MERGING.verb)
def one_vote_per_person(survivor: Contact, other: Contact) -> None:
    """Where both contacts voted for an idea, the other's vote stays, uncounted, for the record
    (before the merge moves it to the survivor, where two counted votes could not be)."""
    both = Vote.objects.filter(contact=survivor, counted=True).values("idea_id")
    twice = Vote.objects.filter(contact=other, counted=True, idea_id__in=both)
    ideas = list(twice.values_list("idea_id", flat=True))
    if ideas:
        twice.update(counted=False)
        for idea in Idea.objects.filter(pk__in=ideas):
            recount(idea)
