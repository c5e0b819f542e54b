"""RSS/Atom connector on captured feeds: polling with conditional requests, comments, edits."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from rapport.connectors.base import Capability, ConnectorError
from rapport.connectors.registry import connector_class
from rapport.connectors.rss.connector import RssConnector
from rapport.core import http

FIXTURES = Path(__file__).parents[1] / "rss" / "fixtures"
COMMENTS = "https://blog.acmebank.example/comments/feed/atom/"
NEWS = "http://liftoff.msfc.nasa.gov/rss.xml"


def connector(*feeds: str) -> RssConnector:
    return RssConnector({"feeds": list(feeds or [COMMENTS])})


def test_registry_names_the_rss_connector_and_its_capabilities():
    cls = connector_class("rss")
    assert cls is RssConnector
    assert cls.capabilities == {Capability.POLL, Capability.EDITS}


def test_poll_reads_a_wordpress_comment_feed_with_threads_and_safe_text():
    recordings = http.Recordings().add(
        "GET",
        COMMENTS,
        file=FIXTURES / "wordpress-comments.atom.xml",
        headers={"Content-Type": "application/atom+xml; charset=UTF-8", "ETag": '"abc"'},
    )
    with http.replay(recordings):
        batch = connector().poll(None)

    assert batch.rejects == []
    reply, comment = batch.posts
    assert comment.text == "The app crashes every time I open the transfer screen on Android 14."
    assert "evil" not in comment.text
    assert "cookie" not in comment.text
    assert comment.author.handle == "Sam Okafor"
    assert comment.reply_to_id == "https://blog.acmebank.example/?p=412"
    assert comment.thread_id == "https://blog.acmebank.example/?p=412"
    assert reply.text.startswith("Thanks Sam \u2013 the transfer screen is much clearer now.")
    assert reply.links == ["https://support.acmebank.example/tickets/5521"]
    assert reply.author.external_id == "https://dana.example.org"
    assert reply.reply_to_id == "https://blog.acmebank.example/?p=412#comment-117"
    assert reply.thread_id == "https://blog.acmebank.example/?p=412"
    assert reply.url == "https://blog.acmebank.example/2024/03/new-mobile-app/#comment-118"
    assert reply.created_at == datetime(2024, 3, 5, 10, 12, 44, tzinfo=UTC)
    assert reply.network == "rss"
    assert reply.language == "en"
    assert batch.cursor == {"feeds": {COMMENTS: {"etag": '"abc"'}}}


def test_poll_sends_the_stored_etag_and_last_modified_and_a_304_brings_nothing():
    cursor = {"feeds": {COMMENTS: {"etag": '"abc"', "modified": "Tue, 05 Mar 2024 10:12:44 GMT"}}}
    recordings = http.Recordings().add("GET", COMMENTS, status=304)
    with http.replay(recordings):
        batch = connector().poll(cursor)

    assert batch.posts == []
    assert batch.rejects == []
    assert batch.cursor == cursor
    sent = recordings.requests[0].headers
    assert sent["If-None-Match"] == '"abc"'
    assert sent["If-Modified-Since"] == "Tue, 05 Mar 2024 10:12:44 GMT"


def test_rss2_comment_feed_threads_each_comment_under_its_post():
    batch = connector().parse((FIXTURES / "wordpress-comments.rss2.xml").read_bytes())
    dana, lee = batch.posts
    assert dana.thread_id == dana.reply_to_id == "https://blog.acmebank.example/?p=412"
    assert lee.text == "Will the Elm Street branch open on Saturdays again?"
    assert lee.author.external_id == "Lee Chen"
    assert lee.title == "Comment on Branch opening hours by Lee Chen"


def test_rss2_feed_items_keep_their_links_and_fall_back_to_the_feed_as_author():
    batch = connector().parse((FIXTURES / "rss2-spec-sample.xml").read_bytes())
    assert len(batch.posts) == 4
    star_city = batch.posts[0]
    assert star_city.title == "Star City"
    assert star_city.text.endswith("protocol at Russia's Star City.")
    assert star_city.links == ["http://howe.iki.rssi.ru/GCTC/gctc_e.htm"]
    assert star_city.url == "http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp"
    assert star_city.author.handle == "Liftoff News"
    assert star_city.edited_at is None


def test_atom_entry_updated_after_publication_is_reported_as_an_edit():
    (post,) = connector().parse((FIXTURES / "atom-rfc4287-example.xml").read_bytes()).posts
    assert post.text == "[Update: The Atom draft is finished.]"
    assert post.created_at == datetime(2003, 12, 13, 12, 29, 29, tzinfo=UTC)
    assert post.edited_at == datetime(2005, 7, 31, 12, 29, 29, tzinfo=UTC)
    assert post.author.external_id == "http://example.org/"
    assert post.author.display_name == "Mark Pilgrim"


def test_one_bad_entry_is_rejected_and_the_others_are_kept():
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><guid>a</guid><title>Fine</title><pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate></item>
    <item><guid>b</guid><title>No date</title></item>
    <item><guid>c</guid><pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate></item>
    </channel></rss>"""
    batch = connector().parse(feed)
    assert [p.external_id for p in batch.posts] == ["a"]
    assert [r.reason for r in batch.rejects] == [
        "entry b has no published or updated date",
        "entry c has no text",
    ]


def test_malformed_feed_is_a_clear_error():
    with pytest.raises(ConnectorError, match="Not an RSS or Atom feed"):
        connector().parse(b"<html><body>Oops, not a feed")


def test_a_string_payload_is_parsed_never_fetched():
    with pytest.raises(ConnectorError, match="Not an RSS or Atom feed"):
        connector().parse("https://example.com/feed.xml")  # no request is made: replay not set


def test_invalid_utf8_keeps_the_readable_text():
    feed = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        b"<item><guid>a</guid><description>caf\xc3\xa9 \xff ok</description>"
        b"<pubDate>Tue, 03 Jun 2003 09:39:21 GMT</pubDate></item></channel></rss>"
    )
    (post,) = connector().parse(feed).posts
    assert post.text == "café \ufffd ok"


def test_body_over_10_mb_is_refused():
    with pytest.raises(ConnectorError, match="limit is 10 MB"):
        connector().parse(b" " * (10 * 1024 * 1024 + 1))


def test_wrong_content_type_and_http_errors_reject_that_feed_only():
    recordings = (
        http.Recordings()
        .add("GET", COMMENTS, body="<html></html>", headers={"Content-Type": "text/html"})
        .add("GET", NEWS, file=FIXTURES / "rss2-spec-sample.xml")
    )
    with http.replay(recordings):
        batch = connector(COMMENTS, NEWS).poll(None)
    assert len(batch.posts) == 4
    assert [r.reason for r in batch.rejects] == [
        f"Feed {COMMENTS} is not a feed: it is served as text/html"
    ]
    assert batch.cursor is not None
    assert COMMENTS not in batch.cursor["feeds"]


def test_poll_fails_with_every_reason_when_no_feed_can_be_read():
    recordings = http.Recordings().add("GET", COMMENTS, status=404)
    with http.replay(recordings), pytest.raises(ConnectorError, match="answered HTTP 404"):
        connector().poll(None)


def test_config_wants_http_feed_urls_and_nothing_else():
    with pytest.raises(ValidationError, match="not an http"):
        RssConnector({"feeds": ["file:///etc/passwd"]})
    with pytest.raises(ValidationError, match="Extra inputs"):
        RssConnector({"feeds": [NEWS], "fetch_urls": True})
