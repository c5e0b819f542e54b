"""Announcing an idea's new status: every voter and follower told once per change, on the channel
they used (a reply to their post through the outbox, or an email), and the people who may not
or cannot be told listed with the reason."""

import pytest
from django.core import mail

from rapport.contacts.actions import record_consent
from rapport.contacts.merge import merge_contacts
from rapport.contacts.models import Contact
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement import outbox
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply
from rapport.engagement.policy import reply_length
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, votes
from rapport.ideas.announce import announce
from rapport.ideas.links import portal_url
from rapport.ideas.models import Announcement, Idea, StatusChange
from rapport.ideas.voters import contact_of_email
from rapport.notifications.models import Kind, Notification

State = Announcement.State
NOTE = "It is in version 5.2 of the app, out today."


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER)


@pytest.fixture
def employee(acme, make_member):
    return make_member(acme, Role.EMPLOYEE)


@pytest.fixture
def record_only(acme):
    """The workspace's outbox records what it would post (as the demo's does)."""
    return EngagementPolicy.objects.create(
        workspace=acme, disclosure="I work at Acme Bank.", record_only=True
    )


def _post(acme, text, handle, name):
    return make_post(acme, text, handle=handle, author_name=name)


class People:
    """An idea with every kind of voter and follower."""

    def __init__(self, acme, manager, employee, make_member):
        self.idea = actions.promote_post(
            employee, make_post(acme, "Please add dark mode to the app", handle="dana")
        )
        self.dana = Contact.objects.get(identities__handle="dana")
        votes.vote_from_post(
            employee, self.idea, _post(acme, "dark mode +1", "mulder", "Fox Mulder")
        )
        self.mulder = Contact.objects.get(identities__handle="mulder")
        # a portal voter who also follows it: told once
        self.pat = contact_of_email(acme, "pat@example.com", "Pat Lee")
        votes.portal_vote(self.pat, self.idea)
        actions.follow_idea(None, self.idea, contact=self.pat)
        # a follower who never voted
        self.fan = contact_of_email(acme, "fan@example.com", "Fran Fan")
        actions.follow_idea(None, self.idea, contact=self.fan)
        # asked not to be contacted at all; withdrew consent to email
        self.quiet = contact_of_email(acme, "quiet@example.com", "Quinn Quiet")
        votes.portal_vote(self.quiet, self.idea)
        record_consent(manager, self.quiet, "all", False)
        self.nomail = contact_of_email(acme, "nomail@example.com", "Nora Nomail")
        votes.portal_vote(self.nomail, self.idea)
        record_consent(manager, self.nomail, "email", False)
        # voted from a post and on the portal as two contacts, merged since: one person
        votes.vote_from_post(employee, self.idea, _post(acme, "dark mode pls", "sam", "Sam Okafor"))
        self.sam = Contact.objects.get(identities__handle="sam")
        sam_on_portal = contact_of_email(acme, "sam@example.com", "Sam Okafor")
        votes.portal_vote(sam_on_portal, self.idea)
        merge_contacts(manager, self.sam, sam_on_portal)
        # votes an employee added: one with an email, one without
        self.caller = Contact.objects.create(workspace=acme, name="Cal Caller", email="cal@x.org")
        votes.vote_for(employee, self.idea, self.caller)
        self.walkin = Contact.objects.create(workspace=acme, name="Wanda Walkin")
        votes.vote_for(employee, self.idea, self.walkin)
        # a member who follows it
        self.colleague = make_member(acme, Role.AGENT)
        actions.follow_idea(self.colleague, self.idea)
        actions.follow_idea(manager, self.idea)  # who changes the status is not told
        self.idea.refresh_from_db()


@pytest.fixture
def crowd(acme, manager, employee, make_member, record_only):
    return People(acme, manager, employee, make_member)


def _rows(change: StatusChange) -> dict[str, tuple[str, str, str]]:
    return {
        a.contact.name: (a.channel, a.state, a.reason)
        for a in Announcement.objects.filter(change=change).select_related("contact")
    }


def test_shipping_tells_each_reachable_person_once_on_their_channel(crowd, manager):
    idea = crowd.idea
    assert idea.vote_count == 8  # dana, mulder, pat, quiet, nomail, sam (twice: once), cal, wanda
    mail.outbox.clear()
    actions.change_status(manager, idea, "shipped", NOTE)
    change = StatusChange.objects.get(idea=idea, after="shipped")

    replies = Reply.objects.filter(post__in=[v.post_id for v in idea.votes.filter(source="post")])
    assert sorted(r.post.author_handle for r in replies) == ["dana", "mulder", "sam"]
    for reply in replies:
        assert (reply.author, reply.visibility, reply.network) == (manager, "public", "mastodon")
        assert reply.status == Reply.Status.QUEUED  # in the outbox
        assert "“Please add dark mode to the app”" in reply.text
        assert "has shipped" in reply.text
        assert NOTE in reply.text
        assert f"/portal/acme/ideas/{idea.pk}/" in reply.text
        assert reply.canned_response is not None
        assert reply.canned_response.name == "Idea shipped"
    assert replies.get(post__author_handle="dana").text.startswith("Hi Dana, good news")

    assert sorted(m.to[0] for m in mail.outbox) == [
        "cal@x.org",
        "fan@example.com",
        "pat@example.com",
    ]
    email = next(m for m in mail.outbox if m.to == ["pat@example.com"])
    assert email.subject == "[Acme Bank] “Please add dark mode to the app” is shipped"
    assert email.body.startswith("Hi Pat, good news: “Please add dark mode to the app”")
    assert NOTE in email.body
    assert portal_url(idea) in email.body

    assert _rows(change) == {
        "Dana Scully": ("mastodon", State.SENT, ""),
        "Fox Mulder": ("mastodon", State.SENT, ""),
        "Sam Okafor": ("mastodon", State.SENT, ""),
        "Pat Lee": ("email", State.SENT, ""),
        "Fran Fan": ("email", State.SENT, ""),
        "Quinn Quiet": ("email", State.SKIPPED, "Do not contact."),
        "Nora Nomail": (
            "email",
            State.SKIPPED,
            f"Withdrew consent to email on {crowd.nomail.consents.get().recorded_at:%-d %b %Y}.",
        ),
        "Cal Caller": ("email", State.SENT, ""),
        "Wanda Walkin": (
            "email",
            State.SKIPPED,
            "No email address, and no post of theirs to answer.",
        ),
    }
    announced = Announcement.objects.filter(change=change)
    assert announced.count() == 9  # one per person: pat once, sam once
    assert announced.values("contact").distinct().count() == 9
    sams = announced.get(contact=crowd.sam).reply
    assert sams is not None
    assert sams.post.author_handle == "sam"
    assert not announced.filter(contact__merged_into__isnull=False).exists()

    told = Notification.objects.get(recipient=crowd.colleague, kind=Kind.IDEA)
    assert told.text == f"“Please add dark mode to the app” is now shipped. {NOTE}"
    assert told.url == f"/w/acme/ideas/{idea.pk}/"
    assert not Notification.objects.filter(recipient=manager, kind=Kind.IDEA).exists()


def test_running_the_task_again_sends_nothing_twice(crowd, manager):
    actions.change_status(manager, crowd.idea, "planned", "Next quarter.")
    change = StatusChange.objects.get(idea=crowd.idea, after="planned")
    replies, emails = Reply.objects.count(), len(mail.outbox)
    notified = Notification.objects.filter(kind=Kind.IDEA).count()
    assert (replies, notified) == (3, 1)

    assert announce(change.pk) == {}
    assert announce(change.pk) == {}
    assert (Reply.objects.count(), len(mail.outbox)) == (replies, emails)
    assert Notification.objects.filter(kind=Kind.IDEA).count() == notified
    assert Announcement.objects.filter(change=change).count() == 9


def test_a_task_that_died_half_way_sends_only_what_was_left(crowd, manager):
    """A row still pending (its worker died) is sent by the next run; the others are not."""
    actions.change_status(manager, crowd.idea, "planned", "Next quarter.")
    change = StatusChange.objects.get(idea=crowd.idea, after="planned")
    pat = Announcement.objects.get(change=change, contact=crowd.pat)
    Announcement.objects.filter(pk=pat.pk).update(state=State.PENDING)
    mail.outbox.clear()
    replies = Reply.objects.count()
    assert announce(change.pk) == {"sent": 1}
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]
    assert Reply.objects.count() == replies


def test_a_second_change_is_announced_again_once(crowd, manager):
    actions.change_status(manager, crowd.idea, "planned", "Next quarter.")
    assert outbox.publish_due() == {"recorded": 3}  # record-only: the outbox notes them as sent
    mail.outbox.clear()
    actions.change_status(manager, crowd.idea, "shipped", NOTE)
    planned, shipped = StatusChange.objects.filter(idea=crowd.idea).order_by("at", "id")
    assert Announcement.objects.filter(change=planned, state=State.SENT).count() == 6
    assert Announcement.objects.filter(change=shipped, state=State.SENT).count() == 6
    assert Reply.objects.filter(text__contains="has shipped").count() == 3
    assert Reply.objects.filter(text__contains="is now planned").count() == 3
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(recipient=crowd.colleague, kind=Kind.IDEA).count() == 2
    # a change that is not announced (in progress) tells nobody
    actions.change_status(manager, crowd.idea, "in_progress")
    assert Announcement.objects.count() == 18


def test_changing_only_the_note_of_an_announced_status_announces_it_again(crowd, manager):
    """A corrected note is a change of its own: the people hear the new note."""
    actions.change_status(manager, crowd.idea, "declined", "Not for now.")
    assert outbox.publish_due() == {"recorded": 3}
    actions.change_status(manager, crowd.idea, "declined", "Not for now: we chose themes.")
    assert Reply.objects.filter(text__contains="we chose themes").count() == 3


def test_the_workspaces_canned_response_is_the_text(crowd, manager, acme):
    owner = acme.memberships.get(role=Role.OWNER)
    engagement.create_canned(
        owner,
        name="Idea shipped",
        text="{{ contact.first_name }}: “{{ idea.title }}” is {{ idea.status }}! {{ idea.link }}",
    )
    actions.change_status(manager, crowd.idea, "shipped", NOTE)
    reply = Reply.objects.get(post__author_handle="mulder")
    assert reply.text == (
        f"Fox: “Please add dark mode to the app” is shipped! {portal_url(crowd.idea)}"
    )
    # the defaults were written for the statuses announced so far, editable like any other
    assert list(CannedResponse.objects.filter(workspace=acme).values_list("name", flat=True)) == [
        "Idea shipped"
    ]


def test_a_reply_the_policy_blocks_fails_with_the_reason_and_emails_still_go(
    crowd, manager, record_only
):
    record_only.forbidden_phrases = ["version 5.2"]
    record_only.save()
    actions.change_status(manager, crowd.idea, "shipped", NOTE)
    failed = Announcement.objects.filter(state=State.FAILED)
    assert failed.count() == 3
    assert all(
        a.reason.startswith("The engagement policy blocks the reply: “version 5.2” is a forbidden")
        for a in failed
    )
    assert not Reply.objects.exists()
    assert len(mail.outbox) == 3  # emails are not replies: the policy is for the networks


def test_a_long_note_is_shortened_to_fit_a_mastodon_reply(acme, manager, employee, record_only):
    idea = actions.promote_post(employee, make_post(acme, "Apple Pay please", handle="dana"))
    note = "We built it with the card scheme. " * 30
    actions.change_status(manager, idea, "shipped", note)
    reply = Reply.objects.get()
    # Mastodon counts a link as 23 characters, and puts @dana in front
    assert reply_length(reply.text, "mastodon") <= 500 - len("@dana ")
    assert reply_length(reply.text, "mastodon") > 400  # the note shortened, not dropped
    assert "…" in reply.text
    assert reply.text.endswith(f"/portal/acme/ideas/{idea.pk}/")
    email = mail.outbox  # the author has no email: only the reply
    assert email == []


def test_a_reply_that_needs_an_approval_is_sent_for_it(acme, manager, employee, record_only):
    record_only.sensitive_topics = ["apple pay"]
    record_only.save()
    idea = actions.promote_post(employee, make_post(acme, "Apple Pay please", handle="dana"))
    actions.change_status(manager, idea, "planned")
    announced = Announcement.objects.get()
    assert (announced.state, announced.reason) == (
        State.SENT,
        "Waiting for an approval before it is posted.",
    )
    assert announced.reply is not None
    assert announced.reply.status == Reply.Status.PENDING_APPROVAL


def test_html_in_a_title_stays_text_in_the_email(acme, manager, record_only):
    pat = contact_of_email(acme, "pat@example.com", "Pat")
    idea = actions.submit_on_portal(pat, title="<script>alert(1)</script> Dark\nmode")
    actions.change_status(manager, Idea.objects.get(pk=idea.pk), "declined", "<b>No</b>")
    (email,) = mail.outbox
    assert email.content_subtype == "plain"
    assert "“<script>alert(1)</script> Dark mode”" in email.subject
    assert "<b>No</b>" in email.body
