"""Collaboration on cases: @mentions of people and teams, watchers told, the activity streams."""

import pytest
from django.core.exceptions import ValidationError

from rapport.approvals import actions as approvals
from rapport.cases import actions, selectors
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Activity
from rapport.contacts.models import Contact
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import team
from rapport.notifications.models import Notification


@pytest.fixture
def people(acme, owner, make_member):
    return {
        "owner": owner,
        "sam": make_member(acme, Role.AGENT, email="sam@acme.example"),
        "priya": make_member(acme, Role.AGENT, email="priya@acme.example"),
        "ingrid": make_member(acme, Role.MANAGER, email="ingrid@acme.example"),
        "tom": make_member(acme, Role.EMPLOYEE, email="tom@acme.example"),
    }


def _told(member) -> list[str]:
    return list(
        Notification.objects.filter(recipient=member).order_by("pk").values_list("text", flat=True)
    )


def test_a_team_mention_notifies_its_members_and_a_person_mention_the_person(people):
    credit = team(people["owner"], "Senior credit officers", people["ingrid"], people["tom"])
    case = actions.create_case(people["sam"], subject="Mortgage paid twice")
    comment = actions.add_comment(
        people["sam"], case, body="@senior-credit-officers please approve; @priya FYI"
    )
    assert list(comment.team_mentions.all()) == [credit]
    assert list(comment.mentions.all()) == [people["priya"]]
    assert _told(people["ingrid"]) == [
        f"sam mentioned your team Senior credit officers on case #{case.pk}"
    ]
    assert _told(people["tom"]) == _told(people["ingrid"])
    assert _told(people["priya"]) == [f"sam mentioned you on case #{case.pk}"]
    assert _told(people["sam"]) == []  # nobody is told about their own comment
    event = AuditEvent.objects.get(verb="case.comment")
    assert event.after is not None
    assert event.after["team_mentions"] == [credit.pk]


def test_an_unknown_mention_is_refused_and_nothing_is_written(people):
    team(people["owner"], "Social Care", people["sam"])
    case = actions.create_case(people["sam"], subject="Card blocked")
    with pytest.raises(ValidationError, match=r"called @nobody.*e\.g\. @social-care"):
        actions.add_comment(people["sam"], case, body="@nobody look")
    assert not case.comments.exists()
    assert not Notification.objects.exists()


def test_watchers_hear_of_comments_public_updates_and_status_changes(people):
    case = actions.create_case(people["sam"], subject="Card blocked abroad")
    actions.watch(people["priya"], case, member=people["priya"])
    actions.add_comment(people["sam"], case, body="Asked the customer to confirm.")
    actions.add_comment(people["sam"], case, body="We are on it.", public=True)
    actions.transition(people["sam"], case, to="open")
    assert _told(people["priya"]) == [
        f"sam commented on case #{case.pk} Card blocked abroad",
        f"sam posted a public update on case #{case.pk} Card blocked abroad",
        f"sam moved the case from new to open (#{case.pk} Card blocked abroad)",
    ]
    assert set(
        Notification.objects.filter(recipient=people["priya"]).values_list("kind", flat=True)
    ) == {"watching"}  # a preference of its own: in the app, not by email, unless the person asks
    actions.add_comment(people["priya"], case, body="@sam the customer replied")
    # sam is told once, as the person mentioned, not again as a watcher
    assert _told(people["sam"]) == [f"priya mentioned you on case #{case.pk}"]


def test_the_case_stream_tells_what_happened_newest_first_in_pages(people):
    case = actions.create_case(people["sam"], subject="Fee refund")
    task = actions.add_task(people["sam"], case, title="Check the fee", assignee=people["tom"])
    actions.update_task(people["tom"], task, status="done")
    actions.add_comment(people["sam"], case, body="Refunding it.", public=True)
    actions.transition(people["sam"], case, to="resolved")
    page = selectors.case_activity(people["owner"], case, per_page=3)
    assert [a.text for a in page.items] == [
        "moved the case from new to resolved",
        "posted a public update for the customer",
        "completed the task “Check the fee”",
    ]
    assert page.has_next
    older = selectors.case_activity(people["owner"], case, page=2, per_page=3)
    assert [a.text for a in older.items] == [
        "added the task “Check the fee” for tom",
        "opened the case",
    ]
    assert not older.has_next
    assert older.items[0].actor == people["sam"]


def test_the_workspace_stream_filters_by_team_and_customer(acme, people, globex):
    care = team(people["owner"], "Social Care", people["sam"])
    alice = Contact.objects.create(workspace=acme, name="Alice")
    mine = actions.create_case(people["sam"], subject="Card", team=care, customer=alice)
    other = actions.create_case(people["ingrid"], subject="Loan")
    actions.add_comment(people["ingrid"], other, body="Looking.")
    everything = selectors.workspace_activity(people["tom"])
    assert [a.case_id for a in everything.items] == [other.pk, other.pk, mine.pk]
    assert [
        a.case_id for a in selectors.workspace_activity(people["tom"], team=str(care.pk)).items
    ] == [mine.pk]
    assert [
        a.case_id for a in selectors.workspace_activity(people["tom"], customer=str(alice.pk)).items
    ] == [mine.pk]
    assert {a.case_id for a in selectors.workspace_activity(people["tom"], team="none").items} == {
        other.pk
    }
    with pytest.raises(ValidationError, match="team must be an id"):
        selectors.workspace_activity(people["tom"], team="care")
    foreign = team(Membership.objects.get(workspace=globex, role=Role.OWNER), "Theirs")
    with pytest.raises(ValidationError, match="no team"):
        selectors.workspace_activity(people["tom"], team=str(foreign.pk))
    assert Activity.objects.filter(workspace=globex).count() == 0


def test_an_approval_on_the_case_shows_in_its_stream_in_words(people):
    case = actions.create_case(people["sam"], subject="Credit back", owner=people["sam"])
    approval = request_case_approval(people["sam"], case, approver=people["ingrid"], amount=620)
    approvals.decide(people["ingrid"], approval, decision="approve", comment="Fine")
    stream = selectors.case_activity(people["owner"], case).items
    lines = [(a.actor, a.verb, a.text) for a in stream]
    summary = f"Approve 620.00 on case #{case.pk}: Credit back"
    assert lines == [
        (people["ingrid"], "approval.decide", f"decided an approval ({summary})"),
        (people["sam"], "approval.request", f"asked for an approval ({summary})"),
        (people["sam"], "case.transition", "moved the case from open to waiting on approval"),
        (people["sam"], "case.create", "opened the case"),
    ]
