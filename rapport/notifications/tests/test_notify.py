"""notify(): the in-app row and the email, as each person prefers, only after the write commits."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from rapport.core import actions as core_actions
from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.notifications import actions, selectors
from rapport.notifications.models import Kind, Notification

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def tasks_run_inline(settings):
    settings.TASKS = IMMEDIATE
    settings.RAPPORT_BASE_URL = "https://crm.acme.example"


@pytest.fixture
def sam(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def maya(acme, make_member):
    return make_member(acme, Role.MANAGER, email="maya@acme.example")


def test_notify_writes_the_row_and_emails_after_commit(
    sam, maya, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = actions.notify(
            sam, Kind.HANDOFF, "Maya handed you “Mortgage question”", "/w/acme/inbox/7/", maya
        )
        assert mail.outbox == []  # nothing leaves before the write commits
    assert note is not None
    assert (note.recipient, note.actor, note.kind) == (sam, maya, "handoff")
    assert note.read_at is None
    assert selectors.unread_count(sam) == 1
    [email] = mail.outbox
    assert email.to == ["sam@acme.example"]
    assert "Handed to you" in email.subject
    assert "Mortgage question" in email.subject
    assert "https://crm.acme.example/w/acme/inbox/7/" in email.body
    assert "https://crm.acme.example/w/acme/settings/notifications/" in email.body


def test_a_rolled_back_write_notifies_nobody(sam, maya, django_capture_on_commit_callbacks):
    def failing_action():
        with transaction.atomic():
            actions.notify(sam, Kind.HANDOFF, "Handed over", "/w/acme/", maya)
            raise RuntimeError("the caller's action failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_action()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_preferences_decide_the_channels(sam, maya, django_capture_on_commit_callbacks):
    # Assignments: in the app by default, no email.
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify(sam, Kind.ASSIGNED, "Assigned to you", "/w/acme/", maya)
    assert mail.outbox == []

    actions.set_preferences(sam, {Kind.ASSIGNED: (False, True), Kind.MENTION: (False, False)})
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify(sam, Kind.ASSIGNED, "Assigned again", "/w/acme/", maya) is None
        assert actions.notify(sam, Kind.MENTION, "Mentioned", "/w/acme/", maya) is None
    assert [e.subject for e in mail.outbox] == ["[Acme Bank] Assigned to you: Assigned again"]
    assert Notification.objects.filter(recipient=sam).count() == 1


def test_nobody_is_notified_of_their_own_doing(sam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify(sam, Kind.ASSIGNED, "You took it", "/w/acme/", actor=sam) is None
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_email_false_keeps_it_in_the_app(sam, maya, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(sam, Kind.MENTION, "Demo mention", "/w/acme/", maya, email=False)
    assert selectors.unread_count(sam) == 1
    assert mail.outbox == []


def test_inactive_people_get_no_email(sam, maya, django_capture_on_commit_callbacks):
    sam.user.is_active = False
    sam.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(sam, Kind.MENTION, "Mentioned", "/w/acme/", maya)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "gossip"}, "Unknown notification kind 'gossip'"),
        ({"text": "   "}, "needs a text"),
        ({"url": "https://evil.example/"}, "path in Rapport"),
        ({"url": "//evil.example/x"}, "path in Rapport"),
        ({"url": "javascript:alert(1)"}, "path in Rapport"),
        ({"url": "/" + "x" * 600}, "at most 500"),
    ],
)
def test_bad_input_is_refused_with_a_message(sam, maya, kwargs, message):
    args = {"kind": Kind.MENTION, "text": "Hello", "url": "/w/acme/"} | kwargs
    with pytest.raises(ValidationError, match=message):
        actions.notify(sam, args["kind"], args["text"], args["url"], maya)
    assert not Notification.objects.exists()


def test_long_text_is_cut_and_whitespace_folded(sam, maya):
    note = actions.notify(sam, Kind.MENTION, "a\n\n b " + "x" * 900, "", maya)
    assert note is not None
    assert note.text.startswith("a b x")
    assert len(note.text) == 500
    assert note.text.endswith("…")


def test_another_workspaces_member_cannot_be_notified_or_act(sam, globex, make_member):
    stranger = make_member(globex, Role.AGENT)
    with pytest.raises(ValidationError, match="another workspace"):
        actions.notify(sam, Kind.MENTION, "Hi", "/w/acme/", actor=stranger)


def test_notify_team_tells_each_member_but_the_actor(
    owner, sam, maya, django_capture_on_commit_callbacks
):
    team = core_actions.create_team(owner, name="Social Care")
    core_actions.add_team_member(owner, team, sam)
    core_actions.add_team_member(owner, team, maya)
    with django_capture_on_commit_callbacks(execute=True):
        rows = actions.notify_team(
            team, Kind.ESCALATED, "Negative post from a big account", "", maya
        )
    assert [n.recipient for n in rows] == [sam]
    assert [e.to for e in mail.outbox] == [["sam@acme.example"]]


def test_notify_role_exactly_or_at_least(owner, sam, maya):
    managers = actions.notify_role(
        owner.workspace, Role.MANAGER, Kind.APPROVAL_REQUESTED, "Approve"
    )
    assert {n.recipient for n in managers} == {maya}
    above = actions.notify_role(
        owner.workspace, Role.MANAGER, Kind.APPROVAL_REQUESTED, "Approve", at_least=True
    )
    assert {n.recipient for n in above} == {maya, owner}
    with pytest.raises(ValidationError, match="Unknown role 'boss'"):
        actions.notify_role(owner.workspace, "boss", Kind.MENTION, "x")


def test_mark_read_only_ones_own(sam, maya, owner):
    mine = actions.notify(sam, Kind.MENTION, "For Sam", "", maya)
    theirs = actions.notify(owner, Kind.MENTION, "For Olivia", "", maya)
    assert mine is not None
    assert theirs is not None
    with pytest.raises(ValidationError, match="your own"):
        actions.mark_read(sam, [mine, theirs])
    assert actions.mark_read(sam, [mine]) == 1
    assert actions.mark_read(sam, [mine]) == 0  # already read
    assert selectors.unread_count(sam) == 0
    assert selectors.unread_count(owner) == 1
    assert AuditEvent.objects.filter(verb="notification.read", actor=sam.user).count() == 2


def test_mark_all_read(sam, maya):
    for i in range(3):
        actions.notify(sam, Kind.MENTION, f"Mention {i}", "", maya)
    assert actions.mark_all_read(sam) == 3
    assert selectors.unread_count(sam) == 0
    assert selectors.notifications_of(sam, unread=True).count() == 0
    assert selectors.notifications_of(sam).count() == 3


def test_preferences_show_defaults_then_choices(sam):
    prefs = {p.kind: (p.in_app, p.email) for p in selectors.preferences_of(sam)}
    assert prefs["assigned"] == (True, False)
    assert prefs["approval_requested"] == (True, True)
    actions.set_preferences(sam, {"assigned": (True, True)})
    prefs = {p.kind: (p.in_app, p.email) for p in selectors.preferences_of(sam)}
    assert prefs["assigned"] == (True, True)
    with pytest.raises(ValidationError, match="Unknown notification kind 'spam'"):
        actions.set_preferences(sam, {"spam": (True, True)})
