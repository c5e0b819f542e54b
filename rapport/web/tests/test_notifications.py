"""The bell, the notifications page (mark read, mark all read) and Settings → Notifications."""

import pytest

from rapport.core.roles import Role
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def maya(acme, make_member):
    return make_member(acme, Role.MANAGER, email="maya@acme.example")


def test_bell_shows_the_unread_count_and_polls(signed_in, sam, maya):
    client = signed_in(sam)
    page = client.get("/w/acme/listening/").content.decode()
    assert 'id="notification-bell"' in page
    assert "/w/acme/notifications/bell/" in page
    bell = client.get("/w/acme/notifications/bell/").content.decode()
    assert "bell-count" not in bell
    assert 'aria-label="Notifications"' in bell
    notify(sam, Kind.MENTION, "Maya mentioned you", "/w/acme/inbox/", maya)
    notify(sam, Kind.HANDOFF, "Maya handed you a post", "/w/acme/inbox/", maya)
    bell = client.get("/w/acme/notifications/bell/").content.decode()
    assert 'aria-label="Notifications, 2 unread"' in bell
    assert "every 15s" in bell


def test_page_lists_escaped_text_and_marks_read(signed_in, sam, maya):
    first = notify(sam, Kind.MENTION, "<script>alert(1)</script> mentioned you", "/w/acme/", maya)
    notify(sam, Kind.ASSIGNED, "Assigned: card frozen", "/w/acme/inbox/", maya)
    client = signed_in(sam)
    html = client.get("/w/acme/notifications/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; mentioned you" in html
    assert "<script>alert(1)" not in html
    assert "Unread (2)" in html
    assert first is not None
    response = client.post("/w/acme/notifications/read/", {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    unread = client.get("/w/acme/notifications/?unread=1").content.decode()
    assert "Assigned: card frozen" in unread
    assert "mentioned you" not in unread


def test_mark_all_read_through_htmx_swaps_the_list_and_updates_the_bell(signed_in, sam, maya):
    for i in range(3):
        notify(sam, Kind.MENTION, f"Mention {i}", "", maya)
    client = signed_in(sam)
    response = client.post(
        "/w/acme/notifications/read/",
        {"all": "1", "return_query": "unread=1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response["HX-Trigger"] == "notifications-changed"
    assert html.lstrip().startswith('<div id="notification-list"')
    assert "You are all caught up." in html
    assert not Notification.objects.filter(recipient=sam, read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_follows_it(signed_in, sam, maya):
    note = notify(sam, Kind.HANDOFF, "Handed to you", "/w/acme/listening/", maya)
    assert note is not None
    response = signed_in(sam).post(f"/w/acme/notifications/{note.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/listening/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_reads_or_marks_anyone_elses_notifications(
    signed_in, sam, maya, globex, make_member
):
    note = notify(sam, Kind.MENTION, "For Sam only", "/w/acme/", maya)
    assert note is not None
    # A colleague in the same workspace: not theirs, so it does not exist for them.
    assert signed_in(maya).post(f"/w/acme/notifications/{note.pk}/open/").status_code == 404
    assert signed_in(maya).post("/w/acme/notifications/read/", {"id": note.pk}).status_code == 404
    assert "For Sam only" not in signed_in(maya).get("/w/acme/notifications/").content.decode()
    # Another workspace's member, through their own workspace or through acme's.
    stranger = signed_in(make_member(globex, Role.OWNER, email="boss@globex.example"))
    assert stranger.post(f"/w/globex/notifications/{note.pk}/open/").status_code == 404
    assert stranger.get("/w/acme/notifications/").status_code == 404
    assert stranger.get("/w/acme/notifications/bell/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_empty_states_say_what_will_appear(signed_in, sam):
    html = signed_in(sam).get("/w/acme/notifications/").content.decode()
    assert "No notifications yet." in html
    assert "/w/acme/settings/notifications/" in html


def test_search_and_pagination(signed_in, sam, maya):
    for i in range(30):
        notify(sam, Kind.MENTION, f"Mention number {i}", "", maya)
    client = signed_in(sam)
    first = client.get("/w/acme/notifications/").content.decode()
    assert "Page 1 of 2" in first
    found = client.get("/w/acme/notifications/?q=number+7").content.decode()
    assert "Mention number 7" in found
    assert "Mention number 8" not in found


def test_preferences_page_saves_each_kind(signed_in, sam):
    client = signed_in(sam)
    html = client.get("/w/acme/settings/notifications/").content.decode()
    assert "Approval requested" in html
    assert "sam@acme.example" in html
    assert 'name="assigned-in_app" checked' in html
    assert 'name="assigned-email" checked' not in html
    response = client.post(
        "/w/acme/settings/notifications/", {"assigned-in_app": "on", "assigned-email": "on"}
    )
    assert response.status_code == 302
    saved = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(member=sam)}
    assert saved["assigned"] == (True, True)
    assert saved["mention"] == (False, False)  # unticked boxes mean off
