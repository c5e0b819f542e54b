"""What people do with conversations: each change is checked, audited and in the history."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from rapport.core import http
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.inbox import actions, capture
from rapport.inbox.access import access_conversation
from rapport.inbox.models import Activity, Conversation, ConversationPost, Note, Status
from rapport.inbox.tests.factories import arrive, conversation, post, query, team
from rapport.people import actions as people

HN_FIXTURES = Path(__file__).parents[2] / "connectors" / "hackernews" / "fixtures"


def test_assigning_opens_a_new_conversation_and_is_in_the_history(owner, acme, make_member):
    agent = make_member(acme, Role.AGENT)
    conv = conversation(acme)
    actions.assign(owner, conv, assignee=agent)
    conv.refresh_from_db()
    assert conv.assignee == agent
    assert conv.status == Status.OPEN
    assert f"set assignee {agent.user.display_name}" in conv.activities.last().message
    event = AuditEvent.objects.get(verb="conversation.assign")
    assert event.before == {"status": "new", "priority": 1, "team": None, "assignee": None}
    assert event.after == {"status": "open", "priority": 1, "team": None, "assignee": agent.pk}


def test_status_resolved_stamps_the_time_and_reopening_clears_it(owner, acme):
    conv = conversation(acme)
    actions.set_status(owner, conv, status="resolved")
    assert conv.resolved_at is not None
    actions.set_status(owner, conv, status="open")
    assert conv.resolved_at is None
    with pytest.raises(ValidationError, match="Unknown status 'done'"):
        actions.set_status(owner, conv, status="done")


def test_employees_cannot_assign_but_work_what_was_handed_to_them(owner, acme, make_member):
    employee = make_member(acme, Role.EMPLOYEE)
    conv = conversation(acme)
    with pytest.raises(PermissionDenied, match="agent or above"):
        actions.assign(employee, conv, assignee=employee)
    with pytest.raises(PermissionDenied):
        actions.set_status(employee, conv, status="closed")
    actions.assign(owner, conv, assignee=employee)
    actions.set_status(employee, conv, status="resolved")
    assert conv.status == Status.RESOLVED


def test_tags_are_cleaned_and_shared_and_untag_removes(owner, acme):
    conv = conversation(acme)
    assert actions.tag(owner, conv, tags=["  VIP ", "mortgage  arrears", "vip"]) == [
        "mortgage arrears",
        "vip",
    ]
    assert actions.untag(owner, conv, tags=["VIP"]) == ["mortgage arrears"]
    with pytest.raises(ValidationError, match="is not a tag"):
        actions.tag(owner, conv, tags=["<script>"])


def test_merge_moves_posts_notes_and_tags_and_points_the_old_one_on(owner, acme):
    one = conversation(acme, "card declined", author="jo")
    two = conversation(acme, "card still declined", author="kim")
    actions.add_note(owner, one, body="Customer called")
    actions.tag(owner, one, tags=["cards"])
    actions.merge(owner, one, into=two)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.merged_into == two
    assert one.status == Status.CLOSED
    assert two.post_count == 2
    assert Note.objects.get().conversation == two
    assert list(two.tags.values_list("name", flat=True)) == ["cards"]
    with pytest.raises(ValidationError, match="was merged into"):
        actions.add_note(owner, one, body="late")
    with pytest.raises(ValidationError, match="into itself"):
        actions.merge(owner, two, into=two)
    # a later reply to a post of the merged conversation lands in the one it went to
    first = one.first_post
    arrive(acme, post(acme, "any news?", author="jo", reply_to_external_id=first.external_id))
    two.refresh_from_db()
    assert two.post_count == 3


def test_split_moves_one_post_into_a_new_conversation(owner, acme):
    first = post(acme, "Login fails", author="jo", external_id="s1")
    other = post(acme, "Different: my ISA rate?", author="kim", reply_to_external_id="s1")
    arrive(acme, first, other)
    conv = Conversation.objects.get()
    new = actions.split(owner, conv, post=other)
    conv.refresh_from_db()
    assert conv.post_count == 1
    assert new.post_count == 1
    assert ConversationPost.objects.get(post=other).conversation == new
    assert new.subject == "Different: my ISA rate?"
    with pytest.raises(ValidationError, match="one post cannot be split"):
        actions.split(owner, new, post=other)
    with pytest.raises(ValidationError, match="not in this conversation"):
        actions.split(owner, conv, post=other)


def test_a_note_records_its_mentions_and_an_unknown_mention_is_refused(owner, acme, make_member):
    maya = make_member(acme, Role.MANAGER, email="maya@acme.example")
    conv = conversation(acme)
    note = actions.add_note(owner, conv, body="@Maya can you approve a goodwill credit? mail x@y.z")
    assert list(note.mentions.all()) == [maya]
    assert conv.activities.filter(kind=Activity.Kind.MENTIONED).exists()
    with pytest.raises(ValidationError, match="Nobody in this workspace is called @mayya"):
        actions.add_note(owner, conv, body="@mayya please look")
    with pytest.raises(ValidationError, match="needs some text"):
        actions.add_note(owner, conv, body="   ")


def test_hand_off_by_skill_picks_the_expert_in_the_team(owner, acme, make_member):
    employee = make_member(acme, Role.EMPLOYEE, email="tom@acme.example")
    engineer = make_member(acme, Role.EMPLOYEE, email="ravi@acme.example")
    engineer.title = "Savings products engineer"
    engineer.save()
    other = make_member(acme, Role.EMPLOYEE, email="eve@acme.example")
    rnd = team(owner, "R&D", engineer, other)
    _give_skill(owner, engineer, "savings products")
    conv = conversation(acme, "Would Acme do a savings account for kids?")
    who = actions.hand_off(
        employee, conv, team=rnd, skill="savings products", note="A prospect asks; can you answer?"
    )
    conv.refresh_from_db()
    assert who == engineer
    assert (conv.team, conv.assignee, conv.status) == (rnd, engineer, Status.OPEN)
    handed = conv.activities.get(kind=Activity.Kind.HANDED_OFF)
    assert "handed this to" in handed.message
    assert "R&D (for savings products)" in handed.message
    assert conv.notes.get().body == "A prospect asks; can you answer?"
    with pytest.raises(ValidationError, match="what you need"):
        actions.hand_off(employee, conv, team=rnd, note="")


def _give_skill(owner: Membership, member: Membership, name: str) -> None:
    people.set_member_skill(owner, member, skill=name)


def test_a_skill_hand_off_goes_to_the_expert_with_fewest_open_conversations(
    owner, acme, make_member
):
    employee = make_member(acme, Role.EMPLOYEE)
    busy, free = make_member(acme, Role.AGENT), make_member(acme, Role.AGENT)
    people.set_member_skill(owner, busy, skill="cards", level=3)
    people.set_member_skill(owner, free, skill="cards", level=1)
    Conversation.objects.create(workspace=acme, subject="a", assignee=busy, status=Status.OPEN)
    Conversation.objects.create(workspace=acme, subject="b", assignee=free, status=Status.CLOSED)
    conv = conversation(acme, "My card was declined abroad")
    assert actions.hand_off(employee, conv, skill="cards", note="Can you look?") == free
    # with the same load, the more expert
    actions.set_status(owner, Conversation.objects.get(subject="a"), status="resolved")
    other = conversation(acme, "Card declined again", author="kim")
    Conversation.objects.filter(pk=conv.pk).update(status=Status.CLOSED)
    assert actions.hand_off(employee, other, skill="cards", note="And this one?") == busy


def test_another_workspaces_conversation_is_a_404(acme, globex):
    theirs = conversation(globex)
    mine = Membership.objects.get(workspace=acme, role=Role.OWNER)
    with pytest.raises(Http404):
        access_conversation(mine, theirs.pk)
    with pytest.raises(Http404):
        access_conversation(mine, "not-a-number")


def test_bulk_close_and_assign(owner, acme, make_member):
    agent = make_member(acme, Role.AGENT)
    convs = [conversation(acme, f"issue {i}", author=f"a{i}") for i in range(3)]
    assert actions.bulk_update(owner, convs, assignee=agent, status="closed", tags=["batch"]) == 3
    assert Conversation.objects.filter(assignee=agent, status="closed").count() == 3
    with pytest.raises(ValidationError, match="Choose what to change"):
        actions.bulk_update(owner, convs)


# Capture -----------------------------------------------------------------------------------


def test_capture_by_url_fetches_the_post_and_credits_the_employee(acme, make_member):
    query(acme, "Dropbox", "competitor")
    employee = make_member(acme, Role.EMPLOYEE)
    recordings = http.Recordings().add(
        "GET", "https://hn.algolia.com/api/v1/items/8863", file=HN_FIXTURES / "item_8863.json"
    )
    with http.replay(recordings):
        captured = capture.capture(employee, url="https://news.ycombinator.com/item?id=8863")
    assert captured.fetched
    assert captured.new
    assert captured.post.author_handle == "dhouston"
    conv = captured.conversation
    assert conv.captured_by == employee
    assert "captured a post by @dhouston (fetched from its network)" in (
        conv.activities.get(kind=Activity.Kind.CAPTURED).message
    )


def test_capture_of_an_unknown_site_asks_for_the_text_then_takes_it(acme, make_member):
    employee = make_member(acme, Role.EMPLOYEE)
    url = "https://forum.example/t/acme-app-broken/42"
    with pytest.raises(ValidationError, match=r"cannot fetch posts from forum\.example"):
        capture.capture(employee, url=url)
    first = capture.capture(employee, url=url, text="The Acme app is broken again", author="@lu")
    assert not first.fetched
    assert first.post.url == url
    assert first.post.author_handle == "lu"
    again = capture.capture(employee, url=url, text="The Acme app is broken again", author="lu")
    assert again.conversation == first.conversation
    assert not again.new


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "javascript:alert(1)"}, "is not a web address"),
        ({"url": "ftp://x.example/1"}, "is not a web address"),
        ({}, "Give the post's address"),
        ({"text": "hello"}, "Say who wrote it"),
        ({"text": "hello", "author": "x", "network": "myspace"}, "Unknown network 'myspace'"),
    ],
)
def test_bad_captures_are_refused_clearly(acme, owner, fields, message):
    with pytest.raises(ValidationError, match=message):
        capture.capture(owner, **fields)


def test_an_unreachable_post_says_what_failed(acme, owner):
    recordings = http.Recordings().add(
        "GET", "https://hn.algolia.com/api/v1/items/1", status=404, body="{}"
    )
    with http.replay(recordings), pytest.raises(ValidationError, match="could not fetch"):
        capture.capture(owner, url="https://news.ycombinator.com/item?id=1")


def test_viewers_cannot_capture(acme, make_member):
    viewer = make_member(acme, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        capture.capture(viewer, text="x", author="y")
