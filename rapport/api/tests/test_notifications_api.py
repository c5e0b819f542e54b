"""The notifications API: your own, unread filter, mark read; nobody else's, in any workspace."""

import json

import pytest

from rapport.core.roles import Role
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def maya(acme, make_member):
    return make_member(acme, Role.MANAGER, email="maya@acme.example")


def send(client, body):
    return client.post("/api/v1/notifications/read", json.dumps(body), "application/json")


def test_list_own_notifications_with_the_unread_filter(api_client, sam, maya):
    first = notify(sam, Kind.MENTION, "Maya mentioned you", "/w/acme/inbox/1/", maya)
    notify(sam, Kind.HANDOFF, "Maya handed you a post", "/w/acme/inbox/2/", maya)
    notify(maya, Kind.MENTION, "For Maya", "", sam)
    client = api_client(sam)
    body = client.get("/api/v1/notifications").json()
    assert body["count"] == 2
    assert [n["text"] for n in body["items"]] == ["Maya handed you a post", "Maya mentioned you"]
    assert body["items"][0]["kind"] == "handoff"
    assert body["items"][0]["actor_id"] == maya.pk
    assert first is not None
    assert send(client, {"ids": [first.pk]}).json() == {"marked": 1, "unread": 1}
    unread = client.get("/api/v1/notifications?unread=true").json()
    assert [n["text"] for n in unread["items"]] == ["Maya handed you a post"]


def test_mark_all_read(api_client, sam, maya):
    for i in range(3):
        notify(sam, Kind.MENTION, f"Mention {i}", "", maya)
    assert send(api_client(sam), {"all": True}).json() == {"marked": 3, "unread": 0}


def test_someone_elses_notification_is_a_404_and_nothing_changes(
    api_client, sam, maya, globex, make_member
):
    mine = notify(sam, Kind.MENTION, "Mine", "", maya)
    theirs = notify(maya, Kind.MENTION, "Maya's", "", sam)
    assert mine is not None
    assert theirs is not None
    response = send(api_client(sam), {"ids": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    assert "No such notification" in response.json()["detail"]
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    stranger = api_client(make_member(globex, Role.OWNER))
    assert send(stranger, {"ids": [mine.pk]}).status_code == 404
    assert stranger.get("/api/v1/notifications").json()["count"] == 0


def test_bad_bodies_get_clear_messages(api_client, sam):
    client = api_client(sam)
    empty = send(client, {})
    assert empty.status_code == 400
    assert "Give the ids" in empty.json()["detail"]
    wrong = send(client, {"ids": ["seven"]})
    assert wrong.status_code == 422
    assert "ids.0" in wrong.json()["detail"]
