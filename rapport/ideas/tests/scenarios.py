"""One way to perform each ideas action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
The portal's actions are a customer's, with no member acting: `CUSTOMER_ACTIONS` (their audit
events have no actor).
"""

from collections.abc import Callable
from typing import Any

from rapport.cases import actions as case_actions
from rapport.contacts.models import Contact
from rapport.core.models import Membership
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, merge, sign_in, votes
from rapport.ideas.models import Idea, Status
from rapport.inbox.tests.factories import conversation


def make_idea(owner: Membership, title: str = "Dark mode in the app") -> Idea:
    return actions.create_idea(owner, title=title)


def customer(owner: Membership, name: str = "Dana Scully") -> Contact:
    return Contact.objects.create(workspace=owner.workspace, name=name, email="dana@x.example")


def _unvote(owner: Membership) -> None:
    idea = make_idea(owner)
    votes.remove_vote(owner, votes.vote_for(owner, idea, customer(owner)))


def _portal_unvote(owner: Membership) -> None:
    idea, dana = make_idea(owner), customer(owner)
    votes.portal_vote(dana, idea)
    votes.portal_unvote(dana, idea)


def _sign_in(owner: Membership) -> None:
    token = sign_in.request_link(owner.workspace, email="dana@x.example", name="Dana")
    sign_in.use_link(owner.workspace, token)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "idea_area.create": lambda o: actions.create_area(o, name="Mobile app"),
    "idea.create": make_idea,
    "idea.submit": lambda o: actions.submit_on_portal(customer(o), title="Apple Pay"),
    "idea.from_post": lambda o: actions.promote_post(o, make_post(o.workspace, "Add Apple Pay")),
    "idea.from_conversation": lambda o: actions.promote_conversation(
        o, conversation(o.workspace, "Please add a savings pot", author="saver")
    ),
    "idea.from_case": lambda o: actions.promote_case(
        o, case_actions.create_case(o, subject="Customer asks for joint accounts")
    ),
    "idea.update": lambda o: actions.update_idea(o, make_idea(o), title="Night theme"),
    "idea.status": lambda o: actions.change_status(o, make_idea(o), Status.PLANNED, "Q1"),
    "idea.follow": lambda o: actions.follow_idea(o, make_idea(o)),
    "idea.comment": lambda o: actions.comment(o, make_idea(o), "Three callers asked today"),
    "idea.link": lambda o: actions.link(
        o, make_idea(o), case=case_actions.create_case(o, subject="Build dark mode")
    ),
    "idea.vote": lambda o: votes.vote_for(o, make_idea(o), customer(o)),
    "idea.vote_from_post": lambda o: votes.vote_from_post(
        o, make_idea(o), make_post(o.workspace, "Dark mode please")
    ),
    "idea.portal_vote": lambda o: votes.portal_vote(customer(o), make_idea(o)),
    "idea.unvote": _unvote,
    "idea.portal_unvote": _portal_unvote,
    "idea.merge": lambda o: merge.merge_ideas(o, make_idea(o, "Night theme"), make_idea(o)),
    "idea_portal.link": lambda o: sign_in.request_link(o.workspace, email="dana@x.example"),
    "idea_portal.sign_in": _sign_in,
}

#: Done by a customer on the portal: audited with no member as the actor.
CUSTOMER_ACTIONS = {
    "idea.submit",
    "idea.portal_vote",
    "idea.portal_unvote",
    "idea_portal.link",
    "idea_portal.sign_in",
}
