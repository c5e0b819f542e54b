"""Hacker News connector on captured Algolia HN Search responses: polling and fetching."""

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from rapport.connectors.base import Capability, ConnectorError
from rapport.connectors.hackernews.connector import HackerNewsConnector
from rapport.connectors.registry import connector_class
from rapport.core import http

FIXTURES = Path(__file__).parents[1] / "hackernews" / "fixtures"
SEARCH = re.compile(r"https://hn\.algolia\.com/api/v1/search_by_date\?.*")
JSON = {"Content-Type": "application/json; charset=utf-8"}


def connector() -> HackerNewsConnector:
    return HackerNewsConnector({"query": "acme bank"})


def test_registry_names_the_connector_and_its_capabilities():
    cls = connector_class("hackernews")
    assert cls is HackerNewsConnector
    assert cls.capabilities == {Capability.POLL, Capability.FETCH}


def test_poll_finds_stories_and_comments_after_the_cursor():
    recordings = http.Recordings().add(
        "GET", SEARCH, file=FIXTURES / "search_by_date.json", headers=JSON
    )
    with http.replay(recordings):
        batch = connector().poll({"created_at_i": 1175714000})

    query = parse_qs(urlsplit(recordings.requests[0].url or "").query)
    assert query["query"] == ["acme bank"]
    assert query["tags"] == ["(story,comment)"]
    assert query["numericFilters"] == ["created_at_i>1175714000"]
    assert batch.rejects == []
    assert [p.external_id for p in batch.posts] == ["7205875", "6409625", "5319593", "8863"]
    jbk, moot, _, story = batch.posts
    assert jbk.text.startswith("As the main developer of VLC, we know about this story")
    assert "<p>" not in jbk.text
    assert jbk.links == [
        "http://www.dell.com/support/troubleshooting/us/en/04/KCS/KcsArticles/ArticleView"
        "?c=us&l=en&s=bsd&docid=557836"
    ]
    assert jbk.reply_to_id == "7205759"
    assert jbk.thread_id == "7205759"
    assert jbk.url == "https://news.ycombinator.com/item?id=7205875"
    assert jbk.author.external_id == "jbk"
    assert jbk.author.profile_url == "https://news.ycombinator.com/user?id=jbk"
    assert jbk.created_at == datetime(2014, 2, 9, 16, 3, 59, tzinfo=UTC)
    assert moot.text == 'I saw this and said "Why the fuck is this on Hacker News?" out loud.'
    assert story.title == "My YC app: Dropbox - Throw away your USB drive"
    assert story.text == story.title
    assert story.links == ["http://www.getdropbox.com/u/2/screencast.html"]
    assert story.metrics == {"score": 111, "replies": 71}
    assert story.reply_to_id == ""
    assert batch.cursor == {"created_at_i": 1391961839}


def test_first_poll_looks_back_a_day_only(monkeypatch):
    monkeypatch.setattr("time.time", lambda: 1_700_000_000.0)
    recordings = http.Recordings().add("GET", SEARCH, body='{"hits": [], "nbPages": 0}')
    with http.replay(recordings):
        batch = connector().poll(None)
    query = parse_qs(urlsplit(recordings.requests[0].url or "").query)
    assert query["numericFilters"] == [f"created_at_i>{1_700_000_000 - 86400}"]
    assert batch.posts == []
    assert batch.cursor == {"created_at_i": 1_700_000_000 - 86400}


def test_fetch_reads_an_item_url_from_the_items_api():
    recordings = http.Recordings().add(
        "GET", "https://hn.algolia.com/api/v1/items/8863", file=FIXTURES / "item_8863.json"
    )
    with http.replay(recordings):
        post = connector().fetch("https://news.ycombinator.com/item?id=8863")
    assert post.external_id == "8863"
    assert post.author.handle == "dhouston"
    assert post.title == "My YC app: Dropbox - Throw away your USB drive"
    assert post.url == "https://news.ycombinator.com/item?id=8863"


def test_item_tree_gives_comments_with_parents_and_marks_deleted_ones():
    batch = connector().parse((FIXTURES / "item_8863.json").read_bytes())
    by_id = {p.external_id: p for p in batch.posts}
    assert by_id["9272"].text == (
        "good points, all. re: 1, you're right, but most people aren't linux users."
    )
    assert by_id["9272"].reply_to_id == "9224"
    assert by_id["9272"].thread_id == "8863"
    assert by_id["9224"].text.startswith("I have a few qualms with this app:\n\n1. For a Linux")
    assert by_id["8952"].deleted is True
    assert by_id["8952"].text == ""


def test_fetch_refuses_urls_that_are_not_hn_items():
    with pytest.raises(ConnectorError, match="not a Hacker News item URL"):
        connector().fetch("https://example.com/item?id=1")


def test_fetch_of_a_missing_item_says_so():
    recordings = http.Recordings().add(
        "GET", "https://hn.algolia.com/api/v1/items/1", status=404, body="{}"
    )
    with http.replay(recordings), pytest.raises(ConnectorError, match="has no item 1"):
        connector().fetch("https://news.ycombinator.com/item?id=1")


def test_a_hit_without_text_or_id_is_rejected_and_the_rest_kept():
    batch = connector().parse(
        {
            "hits": [
                {"objectID": "1", "_tags": ["comment"], "author": "a", "comment_text": "",
                 "created_at_i": 1},
                {"_tags": ["comment"], "author": "b", "comment_text": "hi", "created_at_i": 1},
                {"objectID": "3", "_tags": ["comment"], "author": "c", "comment_text": "ok",
                 "created_at_i": 1},
            ]
        }
    )  # fmt: skip
    assert [p.text for p in batch.posts] == ["ok"]
    assert [r.reason for r in batch.rejects] == [
        "item 1 has no text",
        "search hit has no objectID",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"hits": "x"}', "must be a list"),
        (b"[]", "is a JSON object"),
        (b'{"a": 1}', "no hits, no id"),
        (b'{"hits": ["\xff"]}', "not valid UTF-8"),
        (b" " * (10 * 1024 * 1024 + 1), "limit is 10 MB"),
    ],
)
def test_unusable_payloads_are_clear_errors(body, message):
    with pytest.raises(ConnectorError, match=message):
        connector().parse(body)


def test_wrong_content_type_is_a_clear_error():
    recordings = http.Recordings().add(
        "GET", SEARCH, body="<html>", headers={"Content-Type": "text/html"}
    )
    with http.replay(recordings), pytest.raises(ConnectorError, match="text/html, not JSON"):
        connector().poll({"created_at_i": 1})


def test_config_needs_a_query():
    with pytest.raises(ValidationError, match="query"):
        HackerNewsConnector({})
