"""How ideas reacts to the other domains: a merge of two contacts keeps one vote per idea; a
status change that is announced (planned, shipped, declined) tells the idea's people, in a task
of its own; routing rules may add an idea post to the most similar idea; canned responses may
name an idea's title, status, note and link (its announcements)."""

from rapport.contacts.events import CONTACT_MERGING
from rapport.contacts.models import Contact
from rapport.core import hooks
from rapport.core.events import Event, listen
from rapport.engagement import canned
from rapport.ideas.announce import IDEA_VARIABLES, announce
from rapport.ideas.events import IDEA_STATUS_CHANGED
from rapport.ideas.models import ANNOUNCED, Idea, Vote
from rapport.ideas.routing import ADD_TO_IDEA
from rapport.ideas.votes import recount
from rapport.inbox import registry as routing_actions

canned.register_variables(IDEA_VARIABLES)
routing_actions.register(ADD_TO_IDEA)


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


@listen(IDEA_STATUS_CHANGED.name, queued=True)  # a reply or an email per voter: off the request
def announce_status(event: Event) -> None:
    """Planned, shipped or declined: each voter and follower is told once, on their channel."""
    if event.data["after"] in ANNOUNCED:
        announce(event.data["change"])
