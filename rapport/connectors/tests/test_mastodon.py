"""Mastodon on captured payloads: polling, the event stream, edits, capture by URL, replies."""

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from rapport.connectors.base import Capability, ConnectorError
from rapport.connectors.mastodon import parser
from rapport.connectors.registry import connector_class
from rapport.core import http

FIXTURES = Path(__file__).parents[1] / "mastodon" / "fixtures"
BASE = "https://mastodon.social"
JSON = {"Content-Type": "application/json; charset=utf-8"}


def make(config=None, credentials=None):
    return connector_class("mastodon")(
        {"instance_url": BASE, **(config or {})}, credentials or {"access_token": "tok"}
    )


def recordings() -> http.Recordings:
    # Mastodon.py asks the instance once which timelines it offers
    return http.Recordings().add(
        "GET", f"{BASE}/api/v2/instance/", file=FIXTURES / "instance.json", headers=JSON
    )


def test_claims_what_it_implements():
    assert connector_class("mastodon").capabilities == {
        Capability.POLL,
        Capability.STREAM,
        Capability.FETCH,
        Capability.PUBLISH,
        Capability.EDITS,
    }


def test_a_hashtag_timeline_becomes_posts_with_text_links_reach_and_language():
    batch = make().parse((FIXTURES / "hashtag_timeline.json").read_bytes())

    assert [p.author.handle for p in batch.posts] == [
        "simonpcouch@rstats.me",
        "useR_conf@mastodon.social",
        "zkamvar@hachyderm.io",
    ]
    first = batch.posts[0]
    assert "<" not in first.text
    assert "peruse #rstats package documentation" in first.text
    assert first.links == ["https://www.simonpcouch.com/blog/2025-07-17-claude-code-2/"]
    assert first.author.reach == 656
    assert first.author.external_id == "https://rstats.me/@simonpcouch"
    assert first.language == "en"
    assert first.url == "https://rstats.me/@simonpcouch/114870142137562212"
    assert first.created_at.isoformat() == "2025-07-17T19:07:48+00:00"
    assert batch.posts[1].metrics == {"replies": 0, "reposts": 6, "likes": 0}
    assert batch.posts[2].text.startswith("Fun thing that @snystrom and I found today")
    assert batch.rejects == []


def test_a_boost_carries_the_original_text_and_points_at_it():
    (post,) = make().parse((FIXTURES / "reblog_timeline.json").read_bytes()).posts

    assert post.external_id == "109440142486581428"
    assert post.repost_of_id == "109440142482846015"
    assert post.text == "Toot!"


def test_a_reply_names_the_status_it_answers():
    reply = make().parse((FIXTURES / "search_statuses.json").read_bytes()).posts[0]

    assert reply.reply_to_id == "108914298452377720"
    assert reply.thread_id == ""
    assert reply.text == "@disarray glad i was able to help"
    assert reply.links == []  # a mention is not a link out


def test_poll_reads_hashtags_and_searches_and_moves_the_cursor_forward():
    rec = (
        recordings()
        .add(
            "GET",
            f"{BASE}/api/v1/timelines/tag/rstats?min_id=114000000000000000&limit=40",
            file=FIXTURES / "hashtag_timeline.json",
            headers=JSON,
        )
        .add(
            "GET",
            re.compile(re.escape(f"{BASE}/api/v2/search?") + ".*"),
            file=FIXTURES / "search_statuses.json",
            headers=JSON,
        )
    )
    connector = make({"hashtags": ["#rstats"], "queries": ["glad i was able"]})
    with http.replay(rec):
        batch = connector.poll({"since_id": {"tag:rstats": "114000000000000000"}})

    assert len(batch.posts) == 5
    assert batch.cursor == {
        "since_id": {
            "tag:rstats": "114870142396314555",
            "search:glad i was able": "108914430312582020",
        }
    }
    search = rec.requests[-1]
    query = parse_qs(str(search.url).split("?", 1)[1])
    assert query["q"] == ["glad i was able"]
    assert query["type"] == ["statuses"]
    assert search.headers["Authorization"] == "Bearer tok"
    assert "Rapport" in search.headers["User-Agent"]


def test_poll_with_an_html_error_page_is_a_clear_error():
    rec = recordings().add(
        "GET",
        re.compile(".*/timelines/tag/.*"),
        body="<html><body>Bad gateway</body></html>",
        headers={"Content-Type": "text/html"},
    )
    with http.replay(rec), pytest.raises(ConnectorError, match=r"mastodon\.social refused"):
        make({"hashtags": ["rstats"]}).poll(None)


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b"[{", "malformed JSON"), (b"\xff\xfe[]", "not UTF-8"), (b'"just a string"', "neither")],
)
def test_unreadable_payloads_are_connector_errors(payload, message):
    with pytest.raises(ConnectorError, match=message):
        make().parse(payload)


def test_one_bad_status_is_rejected_without_failing_its_batch():
    good = (FIXTURES / "status.json").read_text()
    no_text = good.replace('"content"', '"ignored"')
    payload = f'[{good}, {no_text}, 42, {{"id": "9", "content": "<p>hi</p>"}}]'

    batch = make().parse(payload.encode())

    assert [p.external_id for p in batch.posts] == ["108914430312582020"]
    assert [r.reason for r in batch.rejects] == [
        "status has no text",
        "a status must be a JSON object",
        "no account",
    ]
    assert b'"ignored"' in batch.rejects[0].raw


def test_sse_frames_become_posts_edits_and_deletions():
    text = (FIXTURES / "stream_hashtag.sse").read_text()
    events = list(parser.sse_events(text.split("\n")))

    assert [e.name for e in events] == ["update", "update", "status.update", "delete"]
    batches = [parser.parse_event(e) for e in events]
    new, reply, edit, gone = (b.posts[0] for b in batches)
    assert new.text == "#test"
    assert new.edited_at is None
    assert reply.reply_to_id == "108914298452377720"
    assert edit.external_id == new.external_id
    assert edit.text == "#test (edited)"
    assert edit.edited_at is not None
    assert gone.deleted
    assert gone.external_id == "108914430312582020"
    assert gone.text == ""


def test_a_broken_stream_frame_is_rejected_with_its_bytes():
    batch = parser.parse_event(parser.Event("update", '{"id": '))
    assert batch.posts == []
    assert "malformed JSON" in batch.rejects[0].reason
    assert batch.rejects[0].raw == b'{"id": '


@pytest.fixture
def stream_server() -> Iterator[Callable[[str], tuple[str, list[str]]]]:
    """A real HTTP server on loopback that sends the captured event stream in pieces."""
    body = (FIXTURES / "stream_hashtag.sse").read_bytes()
    servers: list[ThreadingHTTPServer] = []

    def start(content_type: str) -> tuple[str, list[str]]:
        paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                for start in range(0, len(body), 700):  # frames arrive split across writes
                    self.wfile.write(body[start : start + 700])
                    self.wfile.flush()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}", paths

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_stream_reads_the_hashtag_event_stream_through_the_seam(stream_server):
    url, paths = stream_server("text/event-stream; charset=utf-8")
    connector = make({"hashtags": ["test"], "streaming_url": url})

    batches = list(connector.stream(None))

    assert paths == ["/api/v1/streaming/hashtag?tag=test"]
    posts = [b.posts[0] for b in batches]
    assert [(p.external_id, p.deleted, p.edited_at is not None) for p in posts] == [
        ("108914430312582020", False, False),
        ("108914327388663283", False, False),
        ("108914430312582020", False, True),
        ("108914430312582020", True, False),
    ]


def test_stream_refuses_an_answer_that_is_not_an_event_stream(stream_server):
    url, _ = stream_server("text/html")
    with pytest.raises(ConnectorError, match="did not answer with an event stream"):
        list(make({"hashtags": ["test"], "streaming_url": url}).stream(None))


def test_fetch_a_status_by_its_web_address():
    rec = recordings().add(
        "GET",
        f"{BASE}/api/v1/statuses/108914430312582020",
        file=FIXTURES / "status.json",
        headers=JSON,
    )
    with http.replay(rec):
        post = make().fetch("https://mastodon.social/@trwnh/108914430312582020")

    assert post.external_id == "108914430312582020"
    assert post.author.handle == "trwnh@mastodon.social"
    assert post.author.reach == 2520


def test_fetch_a_status_on_another_instance_resolves_it_through_search():
    rec = recordings().add(
        "GET",
        re.compile(re.escape(f"{BASE}/api/v2/search?") + ".*resolve=1.*"),
        file=FIXTURES / "search_statuses.json",
        headers=JSON,
    )
    with http.replay(rec):
        post = make().fetch("https://letsalllovela.in/@freon/108914327388663283")

    assert post.author.handle == "freon@letsalllovela.in"
    assert "q=https%3A%2F%2Fletsalllovela.in" in str(rec.requests[-1].url)


def test_fetch_refuses_an_address_that_is_not_a_post():
    with pytest.raises(ConnectorError, match="not the address of a Mastodon post"):
        make().fetch("https://mastodon.social/about")


def test_publish_replies_in_the_thread_and_mentions_the_author():
    original = make().parse((FIXTURES / "status.json").read_bytes()).posts[0]
    rec = recordings().add(
        "POST", f"{BASE}/api/v1/statuses", file=FIXTURES / "status_post.json", headers=JSON
    )
    with http.replay(rec):
        reply = make().publish(original, "Thanks, we are on it.")

    assert reply.external_id == "109440153064280358"
    assert reply.url == "http://localhost:3000/@mastodonpy_test/109440153064280358"
    (sent,) = [r for r in rec.requests if r.method == "POST"]
    assert isinstance(sent.body, str)
    body = parse_qs(sent.body)
    assert body["in_reply_to_id"] == ["108914430312582020"]
    assert body["status"] == ["@trwnh@mastodon.social Thanks, we are on it."]


def test_publish_without_a_token_says_what_is_missing():
    original = make().parse((FIXTURES / "status.json").read_bytes()).posts[0]
    with pytest.raises(ConnectorError, match="access token"):
        make(credentials={"access_token": ""}).publish(original, "hi")
