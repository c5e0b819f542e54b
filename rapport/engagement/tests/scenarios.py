"""One way to perform each engagement action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core.models import Membership
from rapport.engagement import actions
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply
from rapport.engagement.tests.factories import make_post

THANKS = "Thank you {{ contact.first_name }}! {{ agent.first_name }} from Acme Bank"


def send(owner: Membership, text: str = "Thanks Dana, we are on it. Sam") -> Reply:
    return actions.send_reply(owner, make_post(owner.workspace), text=text)


def failed(owner: Membership) -> Reply:
    reply = send(owner)
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.FAILED, last_error="503")
    reply.refresh_from_db()
    return reply


def waiting(owner: Membership) -> Reply:
    EngagementPolicy.objects.update_or_create(
        workspace=owner.workspace, defaults={"sensitive_topics": ["lawsuit"]}
    )
    return send(owner, "Sorry to hear about the lawsuit, Dana; we will call you.")


def canned(owner: Membership) -> CannedResponse:
    return actions.create_canned(owner, name="Thanks", text=THANKS)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "reply.send": lambda o: send(o),
    "reply.retry": lambda o: actions.retry_reply(o, failed(o)),
    "reply.withdraw": lambda o: actions.withdraw_reply(o, waiting(o)),
    "canned.create": lambda o: canned(o),
    "canned.update": lambda o: actions.update_canned(o, canned(o), name="Thanks for the praise"),
    "canned.delete": lambda o: actions.delete_canned(o, canned(o)),
    "engagement_policy.update": lambda o: actions.update_policy(
        o, forbidden_phrases=["guaranteed returns"]
    ),
}
