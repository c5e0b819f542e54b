"""A small recognition history made through the real actions, for the HR report's and the
recognition API's tests."""

from typing import Any

from rapport.cases import actions as cases
from rapport.contacts.models import Contact
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement.models import EngagementPolicy
from rapport.inbox import actions as inbox
from rapport.inbox.tests.factories import conversation, team
from rapport.recognition import actions


def make_crew(acme: Workspace, owner: Membership, make_member: Any) -> dict[str, Any]:
    """Sam (Customer care) hands a prospect's question to Ravi (R&D), who answers it; Sam
    thanks him; Ravi notes on and resolves Dana's case. Maya manages; Kim (R&D) did nothing."""
    EngagementPolicy.objects.create(
        workspace=acme, record_only=True, tone_check=False, disclosure=""
    )
    sam = make_member(acme, Role.AGENT, "sam@acme.example")
    ravi = make_member(acme, Role.AGENT, "ravi@acme.example")
    kim = make_member(acme, Role.AGENT, "kim@acme.example")
    maya = make_member(acme, Role.MANAGER, "maya@acme.example")
    for member, name in ((sam, "Sam Okafor"), (ravi, "Ravi Patel"), (kim, "Kim Lee")):
        member.user.full_name = name
        member.user.save(update_fields=["full_name"])
    care = team(owner, "Customer care", sam)
    rnd = team(owner, "R&D", ravi, kim)
    dana = Contact.objects.create(workspace=acme, name="Dana Scully", email="dana@x.example")
    conv = conversation(acme, "Does your business account work with Xero?", intent="lead")
    conv.team = care
    conv.save(update_fields=["team"])
    conv.identity.contact = dana
    conv.identity.save(update_fields=["contact"])
    inbox.hand_off(sam, conv, to=ravi, note="Ravi, can you answer this prospect about Xero?")
    engagement.send_reply(ravi, conv.first_post, text="Yes: the Xero feed is built in.")
    case = cases.create_case(sam, subject="Xero feed broken", team=care, customer=dana)
    cases.add_comment(ravi, case, body="The feed token expired; renewing it.")
    cases.transition(ravi, case, to="resolved")
    actions.give_kudos(sam, ravi, "conversation", conv.pk, "Thanks for the Xero answer!")
    return {
        "sam": sam,
        "ravi": ravi,
        "kim": kim,
        "maya": maya,
        "care": care,
        "rnd": rnd,
        "dana": dana,
        "conv": conv,
        "case": case,
    }
