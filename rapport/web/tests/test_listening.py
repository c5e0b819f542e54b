"""The Listening pages: charts, the live list and its fragment, escaping, queries, sources."""

import pytest
from django.utils import timezone

from rapport.connectors.base import Author, Batch, NormalisedPost, Reject
from rapport.core.roles import Role
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(acme):
    brand = ListeningQuery.objects.create(workspace=acme, name="Acme", query='"acme bank"')
    ListeningQuery.objects.create(
        workspace=acme, name="Globex", query="globex", label=ListeningQuery.Label.COMPETITOR
    )
    receive(
        acme,
        Batch(
            posts=[
                NormalisedPost(
                    network="mastodon",
                    external_id="1",
                    text="Acme Bank <script>alert('x')</script> froze my card",
                    author=Author(
                        external_id="e", handle="evil", display_name="<img src=x onerror=alert(1)>"
                    ),
                    created_at=timezone.now(),
                    url="https://mastodon.example/@evil/1",
                ),
                NormalisedPost(
                    network="x",
                    external_id="2",
                    text="globex mortgage rates went up",
                    author=Author(external_id="c", handle="cy", reach=700),
                    created_at=timezone.now(),
                ),
            ]
        ),
    )
    return brand


def test_page_shows_charts_share_of_voice_posts_and_queries(owner_client, heard):
    html = owner_client.get("/w/acme/listening/").content.decode()
    for part in ("Volume", "Sentiment", "Share of voice", "Top authors by reach", "Top terms"):
        assert part in html
    assert html.count("<svg class=") >= 3
    assert "Show as a table" in html
    assert 'hx-trigger="every 5s"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "globex mortgage rates went up" in html
    assert "&quot;acme bank&quot;" in html  # the query text, escaped


def test_post_text_and_author_names_are_escaped(owner_client, heard):
    html = owner_client.get("/w/acme/listening/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_filters_and_the_htmx_fragment(owner_client, heard):
    response = owner_client.get(
        "/w/acme/listening/?network=x&q=mortgage",
        headers={"HX-Request": "true", "HX-Target": "post-list"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="post-list"' in html
    assert "globex mortgage" in html
    assert "froze my card" not in html
    full = owner_client.get(f"/w/acme/listening/?query={heard.pk}").content.decode()
    assert "<html" in full
    assert "froze my card" in full
    assert "globex mortgage" not in full
    assert (
        "No posts match these filters"
        in owner_client.get("/w/acme/listening/?q=nothingmatchesthis").content.decode()
    )


def test_later_pages_do_not_poll(owner_client, acme, heard):
    receive(
        acme,
        Batch(
            posts=[
                NormalisedPost(
                    network="mastodon",
                    external_id=f"p{i}",
                    text=f"acme bank post number {i} about something different {i * 7}",
                    author=Author(external_id="a", handle="a"),
                    created_at=timezone.now(),
                )
                for i in range(30)
            ]
        ),
    )
    assert (
        'hx-trigger="every 5s"'
        not in owner_client.get("/w/acme/listening/?page=2").content.decode()
    )


def test_another_workspaces_query_is_a_404(owner_client, globex, heard):
    theirs = ListeningQuery.objects.create(workspace=globex, name="Theirs", query="acme")
    assert owner_client.get(f"/w/acme/listening/?query={theirs.pk}").status_code == 404
    assert owner_client.get("/w/globex/listening/").status_code == 404


def test_creating_a_query_shows_a_syntax_error_by_its_field_then_matches_posts(owner_client, heard):
    response = owner_client.post(
        "/w/acme/listening/queries/",
        {"name": "Cards", "label": "product", "query": '"acme bank" OR (card'},
    )
    assert response.status_code == 400
    assert "At position 16: this &#x27;(&#x27; is never closed" in response.content.decode()
    assert not ListeningQuery.objects.filter(name="Cards").exists()
    response = owner_client.post(
        "/w/acme/listening/queries/",
        {"name": "Cards", "label": "product", "query": '"acme bank" card'},
        follow=True,
    )
    lq = ListeningQuery.objects.get(name="Cards")
    html = response.content.decode()
    assert "it matches 1 recent post" in html
    assert response.redirect_chain[-1][0].endswith(f"?query={lq.pk}#posts")
    assert "froze my card" in html


def test_viewers_cannot_create_queries(signed_in, acme, make_member, heard):
    client = signed_in(make_member(acme, Role.VIEWER))
    assert "New query" not in client.get("/w/acme/listening/").content.decode()
    response = client.post(
        "/w/acme/listening/queries/", {"name": "x", "label": "brand", "query": "x"}
    )
    assert response.status_code == 403


def test_empty_listening_page_explains_itself(owner_client):
    html = owner_client.get("/w/acme/listening/").content.decode()
    assert "No listening queries yet" in html
    assert "No posts yet" in html


def test_source_health_is_for_admins_and_shows_quarantine_escaped(
    owner_client, signed_in, acme, make_member
):
    source = Source.objects.create(
        workspace=acme, name="Feed", connector="rss", last_error="<b>timeout</b>"
    )
    receive(
        acme,
        Batch(rejects=[Reject("not a feed", b"<script>alert(1)</script>" * 100)]),
        source=source,
    )
    html = owner_client.get("/w/acme/listening/sources/").content.decode()
    assert "Feed" in html
    assert "not a feed" in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "&lt;b&gt;timeout&lt;/b&gt;" in html
    assert "…</pre>" in html  # truncated
    manager = signed_in(make_member(acme, Role.MANAGER))
    assert manager.get("/w/acme/listening/sources/").status_code == 403
