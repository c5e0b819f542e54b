"""The Listening page of a busy workspace: what it counts and what it recomputes on each view."""

import pytest
from django.utils import timezone

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery
from rapport.web.views.common import CappedPaginator

pytestmark = pytest.mark.django_db


def _hear(workspace, network, count, start=0):
    receive(
        workspace,
        Batch(
            posts=[
                NormalisedPost(
                    network=network,
                    external_id=f"{network}-{i}",
                    text=f"acme bank on {network}, post number {i}",
                    author=Author(external_id=f"a{i}", handle=f"author{i}"),
                    created_at=timezone.now(),
                )
                for i in range(start, start + count)
            ]
        ),
    )


def test_network_filter_offers_each_network_heard_once(owner_client, acme):
    for network in ("x", "mastodon", "bluesky"):
        _hear(acme, network, 3)
    html = owner_client.get("/w/acme/listening/").content.decode()
    for network in ("bluesky", "mastodon", "x"):
        assert html.count(f'<option value="{network}"') == 1


def test_a_long_list_says_more_than_the_counted_posts(owner_client, acme, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 4)
    _hear(acme, "x", 6)
    html = owner_client.get("/w/acme/listening/").content.decode()
    assert "More than 4 posts" in html
    _hear(acme, "mastodon", 1)
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    html = owner_client.get("/w/acme/listening/").content.decode()
    assert "7 posts" in html
    assert "More than" not in html


def test_the_list_counts_posts_as_they_arrive(owner_client, acme):
    _hear(acme, "x", 2)
    first = owner_client.get("/w/acme/listening/").content.decode()
    assert "2 posts" in first
    _hear(acme, "x", 1, start=2)
    again = owner_client.get("/w/acme/listening/").content.decode()
    assert "3 posts" in again  # the list, as heard


def test_the_overview_of_another_workspaces_query_is_not_found(owner_client, acme, globex):
    theirs = ListeningQuery.objects.create(workspace=globex, name="Theirs", query="globex")
    assert owner_client.get(f"/w/acme/listening/?query={theirs.pk}").status_code == 404
