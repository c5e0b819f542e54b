"""Engagement in the demo workspace: Acme Bank's policy, canned responses, a few replies already
sent (recorded, never posted: the demo policy is record-only) and one waiting for approval."""

import logging

from rapport.core.models import Membership, Team, Workspace
from rapport.engagement import actions, outbox
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply
from rapport.listening.models import Post

logger = logging.getLogger(__name__)

POLICY = {
    "forbidden_phrases": ["guaranteed returns", "risk-free", "we admit liability"],
    "sensitive_topics": ["fraud", "lawsuit", "ombudsman", "data breach"],
    "public_contacts": ["help@acme.example", "0800 123 4567"],
    "disclosure": "I work at Acme Bank.",
    "designated_role": "agent",
    "approval_roles": ["employee"],
    "approver_role": "manager",
    "approval_hours": 48,
    "record_only": True,
}

CANNED = {
    "Apology with DM invitation": (
        "Hi {{ contact.first_name }}, I'm sorry about this. Could you send us a direct message "
        "with your details so we can look into it today? {{ agent.first_name }}, Acme Bank"
    ),
    "Thanks for the praise": (
        "Thank you {{ contact.first_name }}, that's lovely to hear! I'll pass it on to the team. "
        "{{ agent.first_name }}, Acme Bank"
    ),
    "Lead hand-off to Sales": (
        "Hi {{ contact.first_name }}, happy to help with that. One of our advisors will get in "
        "touch; or call us on 0800 123 4567. {{ agent.first_name }}, Acme Bank"
    ),
    "Status update": (
        "Hi {{ contact.first_name }}, you can follow the fix for your issue here: "
        "{{ status_link|default:'we will send you a link shortly' }}"
    ),
}

# (intent of the post answered, who answers, the reply: {first}/{handle} are filled in)
SENT = [
    ("complaint", "sam@acme.example", "Hi {first}, I'm sorry about this. Could you send us a "
     "direct message with your details so we can look into it today? Sam, Acme Bank"),
    ("praise", "priya@acme.example", "Thank you {first}, that's lovely to hear! I'll pass it on "
     "to the team. Priya, Acme Bank"),
    ("lead", "nora@acme.example", "Hi {first}, happy to help with that. One of our advisors will "
     "get in touch; or call us on 0800 123 4567. Nora, Acme Bank"),
]  # fmt: skip
PENDING = (
    "question",
    "ravi@acme.example",
    "Hi {first}, I work at Acme Bank. I'm on the team building the app: the new version out "
    "on Monday lets you do exactly that from the Cards screen.",
)


def _member(workspace: Workspace, email: str) -> Membership | None:
    return Membership.objects.filter(workspace=workspace, user__email=email).first()


def _post(workspace: Workspace, intent: str, used: set[int]) -> Post | None:
    return (
        Post.objects.filter(
            workspace=workspace,
            intent=intent,
            deleted_at__isnull=True,
            duplicate_of__isnull=True,
            network__in=["mastodon", "x", "bluesky", "reddit"],
        )
        .exclude(pk__in=used)
        .exclude(author_handle="")
        .order_by("-posted_at")
        .first()
    )


def _reply(
    workspace: Workspace, intent: str, email: str, text: str, used: set[int]
) -> Reply | None:
    author, post = _member(workspace, email), _post(workspace, intent, used)
    if author is None or post is None:
        return None
    used.add(post.pk)
    first = (post.author_name or post.author_handle).split()[0]
    try:
        return actions.send_reply(author, post, text=text.format(first=first))
    except actions.ReplyBlocked as blocked:  # demo text must pass the demo policy
        logger.warning("demo reply blocked: %s", blocked.messages)
        return None


def load(workspace: Workspace, owner: Membership) -> None:
    if not EngagementPolicy.objects.filter(workspace=workspace).exists():
        care = list(Team.objects.filter(workspace=workspace, name="Social Care"))
        actions.update_policy(owner, designated_teams=care, **POLICY)
    for name, text in CANNED.items():
        if not CannedResponse.objects.filter(workspace=workspace, name=name).exists():
            actions.create_canned(owner, name=name, text=text)
    if Reply.objects.filter(workspace=workspace).exists():
        return
    used: set[int] = set()
    for intent, email, text in SENT:
        reply = _reply(workspace, intent, email, text, used)
        if reply is not None:
            outbox.publish(reply.pk)  # record-only: recorded as "would post", at once
    _reply(workspace, *PENDING, used)
