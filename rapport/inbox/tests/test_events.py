"""What the inbox tells other domains: each event once, after the write commits, with its
payload; nothing when the write is undone."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from rapport.core.events import Event
from rapport.core.roles import Role
from rapport.inbox import actions, capture, rule_actions
from rapport.inbox.models import Conversation, Status
from rapport.inbox.tests.factories import arrive, conversation, post, team

pytestmark = pytest.mark.django_db


def named(heard: list[Event], name: str) -> list[Event]:
    return [e for e in heard if e.name == name]


def test_grouping_tells_of_the_conversations_it_opened_and_reopened(acme, owner, heard):
    first = post(acme, "Card declined", author="jo", external_id="g1")
    other = post(acme, "App is down", author="kim")
    arrive(acme, first, other)
    [opened] = named(heard, "conversation.opened")
    assert set(opened.ids) == set(Conversation.objects.values_list("pk", flat=True))
    assert (opened.actor_id, opened.workspace_id) == (None, acme.pk)

    jo = Conversation.objects.get(first_post=first)
    kim = Conversation.objects.get(first_post=other)
    actions.set_status(owner, jo, status="resolved")
    actions.set_status(owner, kim, status="waiting")
    heard.clear()
    arrive(
        acme,
        post(acme, "Still declined", author="jo", reply_to_external_id="g1"),
        post(acme, "Any news?", author="kim", reply_to_external_id=other.external_id),
    )
    [reopened] = named(heard, "conversation.reopened")
    assert reopened.ids == (jo.pk,)  # waiting on the customer was not resolved
    assert reopened.actor_id is None
    assert not named(heard, "conversation.opened")


def test_a_capture_credits_who_captured_which_post_into_which_conversation(
    acme, make_member, heard
):
    employee = make_member(acme, Role.EMPLOYEE)
    captured = capture.capture(
        employee, text="Acme's app logged me out again", author="@jo", network="webhook"
    )
    [event] = named(heard, "post.captured")
    assert event.actor_id == employee.pk
    assert event.object_id == captured.post.pk
    assert event.data == {
        "conversation": captured.conversation.pk,
        "new": True,
        "fetched": False,
        "team": captured.conversation.team_id,
    }
    assert named(heard, "conversation.opened")[0].ids == (captured.conversation.pk,)


def test_assigning_by_hand_and_by_rule(acme, owner, make_member, heard):
    agent = make_member(acme, Role.AGENT)
    care = team(owner, "Social Care", agent)
    conv = conversation(acme)
    with transaction.atomic():
        actions.assign(owner, conv, assignee=agent, team=care, set_team=True)
        assert not named(heard, "conversation.assigned")  # not before the commit
    [by_hand] = named(heard, "conversation.assigned")
    assert (by_hand.actor_id, by_hand.object_id) == (owner.pk, conv.pk)
    assert by_hand.data == {"assignee": agent.pk, "team": care.pk, "rule": None}
    actions.assign(owner, conv, assignee=agent, team=care, set_team=True)  # no change
    assert len(named(heard, "conversation.assigned")) == 1

    rule = rule_actions.create_rule(
        owner,
        name="Complaints to care",
        conditions=[],
        actions=[{"type": "assign_team", "team": care.pk, "strategy": "least_loaded"}],
    )
    heard.clear()
    routed = conversation(acme, "Another complaint", author="kim")
    [by_rule] = named(heard, "conversation.assigned")
    assert (by_rule.actor_id, by_rule.object_id) == (None, routed.pk)
    assert by_rule.data == {"assignee": agent.pk, "team": care.pk, "rule": rule.pk}


def test_a_hand_off_says_to_whom_and_a_note_its_mentions(acme, owner, make_member, heard):
    employee = make_member(acme, Role.EMPLOYEE)
    maya = make_member(acme, Role.MANAGER, email="maya@acme.example")
    conv = conversation(acme)
    actions.set_status(owner, conv, status="resolved")
    heard.clear()
    who = actions.hand_off(employee, conv, to=maya, note="Can you take this one?")
    [handed] = named(heard, "conversation.handed_off")
    assert (handed.actor_id, handed.object_id) == (employee.pk, conv.pk)
    note = conv.notes.get()
    assert who == maya
    assert handed.data == {"to": maya.pk, "team": None, "skill": "", "note": note.pk}
    assert named(heard, "conversation.reopened")[0].ids == (conv.pk,)
    assert not named(heard, "conversation.noted")  # the hand-off's note is in the hand-off

    note = actions.add_note(employee, conv, body="@maya the customer called again")
    [noted] = named(heard, "conversation.noted")
    assert (noted.actor_id, noted.object_id) == (employee.pk, conv.pk)
    assert noted.data == {"note": note.pk, "mentions": [maya.pk], "team": conv.team_id}


def test_status_changes_that_matter(acme, owner, heard):
    conv = conversation(acme)
    actions.set_status(owner, conv, status="open")
    actions.set_status(owner, conv, status="waiting")
    assert [e.name for e in heard] == ["conversation.opened"]
    actions.set_status(owner, conv, status="resolved")
    actions.set_status(owner, conv, status="resolved")  # no change, no event
    actions.set_status(owner, conv, status="closed")
    actions.set_status(owner, conv, status="open")
    told = [(e.name, e.object_id or e.ids) for e in heard if e.name != "conversation.opened"]
    assert told == [
        ("conversation.resolved", conv.pk),
        ("conversation.closed", conv.pk),
        ("conversation.reopened", (conv.pk,)),
    ]
    assert {e.actor_id for e in heard if e.name != "conversation.opened"} == {owner.pk}


def test_bulk_changes_tell_each_conversation(acme, owner, make_member, heard):
    agent = make_member(acme, Role.AGENT)
    one, two = conversation(acme, "one", author="a"), conversation(acme, "two", author="b")
    heard.clear()
    actions.bulk_update(owner, [one, two], assignee=agent, status="resolved")
    assert {e.object_id for e in named(heard, "conversation.assigned")} == {one.pk, two.pk}
    assert {e.object_id for e in named(heard, "conversation.resolved")} == {one.pk, two.pk}
    assert len(heard) == 4


def test_merge_and_split(acme, owner, heard):
    one = conversation(acme, "card declined", author="jo")
    two = conversation(acme, "card still declined", author="kim")
    actions.merge(owner, one, into=two)
    [merged] = named(heard, "conversation.merged")
    assert (merged.actor_id, merged.object_id) == (owner.pk, one.pk)
    assert merged.data == {"into": two.pk, "posts": 1}
    assert not named(heard, "conversation.closed")  # merging closes it: the merge says so

    first = post(acme, "Login fails", author="lu", external_id="s1")
    other = post(acme, "Different: my ISA rate?", author="max", reply_to_external_id="s1")
    arrive(acme, first, other)
    both = Conversation.objects.get(first_post=first)
    new = actions.split(owner, both, post=other)
    [split] = named(heard, "conversation.split")
    assert (split.actor_id, split.object_id) == (owner.pk, new.pk)
    assert split.data == {"source": both.pk, "post": other.pk}


def test_an_undone_write_tells_nobody(acme, owner, heard):
    conv = conversation(acme)
    heard.clear()

    def change_and_undo() -> None:
        with transaction.atomic():
            actions.set_status(owner, conv, status="resolved")
            raise ValidationError("changed my mind")

    with pytest.raises(ValidationError):
        change_and_undo()
    assert heard == []
    conv.refresh_from_db()
    assert conv.status == Status.NEW
