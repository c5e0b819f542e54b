"""A colleague's reply in its conversation: the history, the first response, and what the others
hear of it (`conversation.replied`), all from engagement's `reply.sent`."""

import pytest

from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement import outbox
from rapport.engagement.models import EngagementPolicy
from rapport.engagement.tests.factories import make_post
from rapport.inbox.models import Activity
from rapport.inbox.tests.factories import conversation


@pytest.fixture(autouse=True)
def record_only(acme) -> EngagementPolicy:
    """Replies are recorded, not posted: the factories' posts came without a source."""
    return EngagementPolicy.objects.create(
        workspace=acme, record_only=True, tone_check=False, disclosure=""
    )


def replied(heard) -> list[tuple[int | None, int | None, dict]]:
    return [
        (e.object_id, e.actor_id, dict(e.data)) for e in heard if e.name == "conversation.replied"
    ]


def test_a_reply_is_in_the_history_and_sets_the_first_response(owner, acme, heard):
    conv = conversation(acme)
    reply = engagement.send_reply(owner, conv.first_post, text="Sorry Jo, we are on it.")
    conv.refresh_from_db()
    assert conv.first_response_at is not None
    assert conv.status == "open"
    history = conv.activities.get(kind=Activity.Kind.REPLIED)
    assert history.message == f"{owner.user.display_name} replied publicly (queued)"
    assert history.actor == owner
    told = {"post": conv.first_post_id, "reply": reply.pk, "visibility": "public", "team": None}
    assert replied(heard) == [(conv.pk, owner.pk, {**told, "first_response": True})]


def test_only_the_first_reply_is_the_first_response(owner, acme, heard):
    conv = conversation(acme)
    first = engagement.send_reply(owner, conv.first_post, text="Sorry Jo, we are on it.")
    outbox.publish(first.pk)  # recorded: the post is free for a follow-up
    conv.refresh_from_db()
    answered_at = conv.first_response_at
    engagement.send_reply(owner, conv.first_post, text="Sorted now, Jo?")
    conv.refresh_from_db()
    assert conv.first_response_at == answered_at
    assert conv.activities.filter(kind=Activity.Kind.REPLIED).count() == 2
    assert [data["first_response"] for *_, data in replied(heard)] == [True, False]


def test_a_reply_waiting_for_approval_is_in_the_history_as_such(acme, make_member):
    employee = make_member(acme, Role.EMPLOYEE)
    conv = conversation(acme)
    engagement.send_reply(employee, conv.first_post, text="Sorry Jo, we are on it.")
    history = conv.activities.get(kind=Activity.Kind.REPLIED)
    assert history.message == f"{employee.user.display_name} replied publicly (pending approval)"


def test_a_reply_to_a_post_in_no_conversation_is_nobodys_history(owner, acme, heard):
    engagement.send_reply(owner, make_post(acme, source=None), text="Thanks, Dana!")
    assert not Activity.objects.filter(kind=Activity.Kind.REPLIED).exists()
    assert replied(heard) == []
