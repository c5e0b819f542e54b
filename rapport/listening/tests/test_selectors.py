"""Listening reads: the posts list, the overview's numbers, source health; always one workspace."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from rapport.connectors.base import Author, Batch, NormalisedPost, Reject
from rapport.core.roles import Role
from rapport.listening import selectors
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Post, Source
from rapport.listening.rematch import rematch_query

pytestmark = pytest.mark.django_db


def post(external_id, text, *, handle="dana", reach=100, ago=timedelta(hours=1), **kwargs):
    return NormalisedPost(
        network=kwargs.pop("network", "mastodon"),
        external_id=external_id,
        text=text,
        author=Author(external_id=f"id-{handle}", handle=handle, reach=reach),
        created_at=timezone.now() - ago,
        **kwargs,
    )


@pytest.fixture
def heard(acme):
    brand = ListeningQuery.objects.create(workspace=acme, name="Acme", query='"acme bank"')
    rival = ListeningQuery.objects.create(
        workspace=acme, name="Globex", query="globex", label=ListeningQuery.Label.COMPETITOR
    )
    ListeningQuery.objects.create(
        workspace=acme, name="Mortgages", query="mortgage", label=ListeningQuery.Label.PRODUCT
    )
    receive(
        acme,
        Batch(
            posts=[
                post(
                    "1",
                    "Acme Bank froze my card again, terrible service",
                    handle="ann",
                    ago=timedelta(minutes=1),
                ),
                post(
                    "2",
                    "Love the Acme Bank mortgage team, brilliant",
                    handle="bo",
                    reach=9000,
                    ago=timedelta(hours=2),
                ),
                post("3", "Acme Bank app is fine I guess", handle="bo", reach=9000),
                post(
                    "4",
                    "globex mortgage rates went up",
                    handle="cy",
                    reach=50,
                    ago=timedelta(hours=3),
                ),
                post("5", "old news about acme bank", ago=timedelta(days=30)),
            ]
        ),
    )
    return brand, rival


def test_search_posts_newest_first_filtered_by_query_and_text(owner, heard):
    brand, rival = heard
    texts = [p.text for p in selectors.search_posts(owner)]
    assert texts[0].startswith("Acme Bank froze")
    assert len(texts) == 5
    assert {p.external_id for p in selectors.search_posts(owner, query_id=rival.pk)} == {"4"}
    assert {p.external_id for p in selectors.search_posts(owner, q="mortgage")} == {"2", "4"}
    assert {p.external_id for p in selectors.search_posts(owner, q="MORTG")} == {"2", "4"}
    since = timezone.now() - timedelta(days=7)
    assert selectors.search_posts(owner, query_id=brand.pk, since=since).count() == 3


def test_deleted_posts_and_copies_are_not_listed_but_copies_are_linked(acme, owner, heard):
    receive(acme, Batch(posts=[post("1", "", deleted=True)]))
    receive(
        acme,
        Batch(posts=[post("9", "Acme Bank app is fine I guess", handle="zed", network="x")]),
    )
    listed = list(selectors.search_posts(owner))
    assert "1" not in {p.external_id for p in listed}
    original = next(p for p in listed if p.external_id == "3")
    assert [c.external_id for c in original.copies.all()] == ["9"]
    assert "9" not in {p.external_id for p in listed}


def test_overview_counts_volume_sentiment_share_of_voice_authors_and_terms(owner, heard):
    overview = selectors.listening_overview(owner, days=14)
    assert overview.total == 4  # the 30-day-old post is outside the period
    assert len(overview.per_day) == 14
    today = overview.per_day[-1]
    assert today.posts == today.negative + today.neutral + today.positive
    voices = {v.query.name: (v.posts, v.percent) for v in overview.share_of_voice}
    assert voices == {"Acme": (3, 75.0), "Globex": (1, 25.0)}
    assert overview.share_of_voice[0].is_brand
    assert overview.top_authors[0].handle == "bo"
    assert (overview.top_authors[0].reach, overview.top_authors[0].posts) == (9000, 2)
    terms = dict(overview.top_terms)
    assert terms["acme"] == 3
    assert terms["mortgage"] == 2
    assert "the" not in terms
    assert "is" not in terms


def test_overview_of_one_query(owner, heard):
    brand, _ = heard
    overview = selectors.listening_overview(owner, query_id=brand.pk, days=7)
    assert overview.query == brand
    assert overview.total == 3


def test_another_workspaces_query_is_a_404(owner, globex, heard):
    theirs = ListeningQuery.objects.create(workspace=globex, name="Theirs", query="acme")
    with pytest.raises(Http404):
        selectors.search_posts(owner, query_id=theirs.pk)
    with pytest.raises(Http404):
        selectors.listening_overview(owner, query_id=theirs.pk)
    with pytest.raises(Http404):
        selectors.search_posts(owner, query_id="not a number")


def test_another_workspaces_posts_are_never_shown(owner, globex, heard):
    receive(globex, Batch(posts=[post("1", "acme bank in globex's space")]))
    gus = globex.memberships.get()
    assert selectors.search_posts(gus).count() == 1
    assert selectors.search_posts(owner).count() == 5
    assert selectors.listening_overview(gus).total == 1


def test_source_health_and_quarantine_are_for_admins(acme, owner, make_member):
    source = Source.objects.create(workspace=acme, name="Feed", connector="rss")
    receive(acme, Batch(rejects=[Reject("not a feed", b"<html>")]), source=source)
    rows = list(selectors.source_health(owner))
    assert rows[0].quarantine_count == 1  # type: ignore[attr-defined]
    assert selectors.quarantined(owner).get().reason == "not a feed"
    manager = make_member(acme, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        selectors.source_health(manager)
    with pytest.raises(PermissionDenied):
        selectors.quarantined(manager)


def test_a_new_query_is_matched_against_recent_posts(acme, owner, heard):
    lq = ListeningQuery.objects.create(workspace=acme, name="Cards", query="card OR app")
    assert rematch_query(lq) == 2
    assert rematch_query(lq) == 2  # again: nothing duplicated
    assert set(Post.objects.filter(matches__query=lq).values_list("external_id", flat=True)) == {
        "1",
        "3",
    }
