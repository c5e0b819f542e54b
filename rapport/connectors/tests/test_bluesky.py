"""Bluesky on captured payloads: search polling, the Jetstream stream, capture by URL, replies."""

import json
import re
import threading
from pathlib import Path

import pytest
from websockets.sync.server import serve

from rapport.connectors.base import ConnectorError
from rapport.connectors.registry import connector_class
from rapport.core import http

FIXTURES = Path(__file__).parents[1] / "bluesky" / "fixtures"
APPVIEW = "https://public.api.bsky.app/xrpc"
JSON = {"Content-Type": "application/json"}
FRAMES = (FIXTURES / "jetstream_posts.jsonl").read_text().splitlines()


def make(config=None, credentials=None):
    return connector_class("bluesky")(
        {"queries": ["block me"], **(config or {})}, credentials or {}
    )


def test_search_results_become_posts_with_threads_links_and_language():
    batch = make().parse((FIXTURES / "search_posts.json").read_bytes())

    reply, post = batch.posts
    assert reply.author.handle == "yohenrique.com"
    assert reply.reply_to_id == post.external_id
    assert reply.thread_id == post.external_id
    assert reply.links == ["https://bsky.app/profile/yohenrique.com"]
    assert reply.language == "pt"
    assert post.url == "https://bsky.app/profile/someone.bsky.social/post/3ldzfurmqxk23"
    assert post.metrics["likes"] == 12


def test_poll_searches_through_the_seam_and_remembers_the_newest_post():
    rec = http.Recordings().add(
        "GET",
        re.compile(re.escape(f"{APPVIEW}/app.bsky.feed.searchPosts?") + ".*"),
        file=FIXTURES / "search_posts.json",
        headers=JSON,
    )
    with http.replay(rec):
        batch = make().poll({"since": {"block me": "2024-12-24T00:00:00Z"}})

    assert len(batch.posts) == 2
    assert batch.cursor == {"since": {"block me": "2024-12-24T02:35:01Z"}}
    (request,) = rec.requests
    assert "q=block+me" in str(request.url)
    assert "since=2024-12-24T00%3A00%3A00Z" in str(request.url)


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b"{", "malformed JSON"), (b"\xc3\x28", "not UTF-8"), (b"[]", "neither posts")],
)
def test_unreadable_payloads_are_connector_errors(payload, message):
    with pytest.raises(ConnectorError, match=message):
        make().parse(payload)


def test_a_post_without_text_is_rejected_and_the_rest_kept():
    data = json.loads((FIXTURES / "search_posts.json").read_text())
    data["posts"][0]["record"]["text"] = "  "
    batch = make().parse(json.dumps(data))
    assert len(batch.posts) == 1
    assert batch.rejects[0].reason == "post has no text"


def test_stream_replays_jetstream_frames_from_a_real_websocket_and_resumes_by_time_us():
    seen_paths: list[str] = []

    def handler(ws):
        seen_paths.append(ws.request.path)
        for frame in [*FRAMES, "{not json"]:
            ws.send(frame)

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        url = f"ws://127.0.0.1:{port}/subscribe?wantedCollections=app.bsky.feed.post"
        batches = list(make({"jetstream_url": url}).stream({"time_us": 1735007698000000}))
        server.shutdown()

    assert seen_paths == ["/subscribe?wantedCollections=app.bsky.feed.post&cursor=1735007698000000"]
    posts = [b.posts[0] for b in batches if b.posts]
    assert [
        (p.external_id.rsplit("/", 1)[-1], p.deleted, p.edited_at is not None) for p in posts
    ] == [
        ("3ldzfurmqxk23", False, False),
        ("3ldzfuv2aaa2x", False, False),
        ("3ldzfurmqxk23", False, True),
        ("3l3qo2vuowo2b", True, False),
    ]
    assert posts[0].author.handle == "did:plc:lo55yba44obaih2nt5opn4z4"
    assert posts[0].author.reach == 0
    assert batches[-2].cursor == {"time_us": 1735007698411970}
    assert "malformed JSON" in batches[-1].rejects[0].reason


def test_fetch_resolves_the_handle_and_reads_the_thread():
    rec = (
        http.Recordings()
        .add(
            "GET",
            f"{APPVIEW}/com.atproto.identity.resolveHandle?handle=someone.bsky.social",
            file=FIXTURES / "resolve_handle.json",
            headers=JSON,
        )
        .add(
            "GET",
            re.compile(re.escape(f"{APPVIEW}/app.bsky.feed.getPostThread?") + ".*"),
            file=FIXTURES / "post_thread.json",
            headers=JSON,
        )
    )
    with http.replay(rec):
        post = make().fetch("https://bsky.app/profile/someone.bsky.social/post/3ldzfurmqxk23")

    assert post.text.startswith("guy who follows 27000 accounts")
    assert "uri=at%3A%2F%2Fdid%3Aplc%3Alo55yba44obaih2nt5opn4z4" in str(rec.requests[-1].url)


def test_fetch_refuses_an_address_that_is_not_a_post():
    with pytest.raises(ConnectorError, match="not the address of a Bluesky post"):
        make().fetch("https://bsky.app/profile/someone.bsky.social")


def test_publish_signs_in_and_replies_with_parent_and_root():
    thread = json.loads((FIXTURES / "search_posts.json").read_text())
    reply_to = make().parse(json.dumps(thread)).posts[0]  # itself a reply: root differs
    rec = (
        http.Recordings()
        .add(
            "POST",
            "https://bsky.social/xrpc/com.atproto.server.createSession",
            file=FIXTURES / "create_session.json",
            headers=JSON,
        )
        .add(
            "POST",
            "https://bsky.social/xrpc/com.atproto.repo.createRecord",
            file=FIXTURES / "create_record.json",
            headers=JSON,
        )
    )
    creds = {"handle": "acme.bsky.social", "app_password": "app-pass"}
    with http.replay(rec):
        published = make(credentials=creds).publish(reply_to, "Thanks for telling us!")

    assert published.external_id.endswith("/3ldzgaaaaaa2x")
    assert published.url == "https://bsky.app/profile/acme.bsky.social/post/3ldzgaaaaaa2x"
    sent = rec.requests[-1].body
    assert isinstance(sent, bytes)
    body = json.loads(sent)
    assert body["record"]["text"] == "Thanks for telling us!"
    assert body["record"]["reply"]["parent"]["uri"] == reply_to.external_id
    assert body["record"]["reply"]["root"]["uri"].endswith("/3ldzfurmqxk23")
