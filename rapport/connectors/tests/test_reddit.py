"""Reddit on captured payloads: subreddit and search polling, comments, capture by URL, replies."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from rapport.connectors.base import Capability, ConnectorError
from rapport.connectors.registry import connector_class
from rapport.core import http

FIXTURES = Path(__file__).parents[1] / "reddit" / "fixtures"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
API = "https://oauth.reddit.com"
JSON = {"Content-Type": "application/json; charset=UTF-8"}
CREDENTIALS = {"client_id": "app-id", "client_secret": "app-secret"}


def make(config=None, credentials=None):
    return connector_class("reddit")(config or {}, credentials or CREDENTIALS)


def recordings() -> http.Recordings:
    return http.Recordings().add(
        "POST", TOKEN_URL, file=FIXTURES / "access_token.json", headers=JSON
    )


def api(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(f"{API}/{path}") + r"(\?.*)?")


def query(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query)


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def test_claims_what_it_implements():
    assert connector_class("reddit").capabilities == {
        Capability.POLL,
        Capability.FETCH,
        Capability.PUBLISH,
        Capability.EDITS,
    }


def test_a_subreddit_listing_becomes_submissions():
    batch = make().parse((FIXTURES / "subreddit_new.json").read_bytes())

    assert [p.external_id for p in batch.posts] == ["t3_p7if57", "t3_p7if2h", "t3_p7iemz"]
    first = batch.posts[1]
    assert first.text == "What is your current dilemma?"
    assert first.title == "What is your current dilemma?"
    assert (
        first.url
        == "https://www.reddit.com/r/AskReddit/comments/p7if2h/what_is_your_current_dilemma/"
    )
    assert first.author.external_id == "t2_10j57y"
    assert first.author.handle == "minimotres"
    assert first.author.reach == 0  # listings carry no follower counts
    assert first.created_at.isoformat() == "2021-08-19T16:36:50+00:00"
    assert first.thread_id == "t3_p7if2h"
    assert first.metrics == {"score": 1, "comments": 0}
    assert first.edited_at is None
    assert first.links == []
    assert batch.rejects == []


def test_a_submission_with_a_body_carries_title_and_text():
    (post,) = make().parse(fixture("info_submission.json")).posts
    assert post.text == "Test post please ignore\n\nThis is the body of the submission."
    assert post.title == "Test post please ignore"


def test_a_comment_names_its_parent_and_thread():
    (comment,) = make().parse(fixture("info_comment_2014.json")).posts

    assert comment.external_id == "t1_cklhv0f"
    assert comment.reply_to_id == "t1_cklfmye"
    assert comment.thread_id == "t3_2gmzqe"
    assert comment.text.startswith("Yes it does. That fix is also in the master branch")
    assert comment.title == ""
    assert comment.metrics == {"score": 1}
    # from before Reddit sent author_fullname: the name, which never changes, stands in
    assert comment.author.external_id == "bboe"


def test_edits_removals_and_deleted_authors():
    listing = fixture("info_comment.json")
    thing = listing["data"]["children"][0]
    edited = json.loads(json.dumps(thing))
    edited["data"]["edited"] = 1247940000.0
    removed = json.loads(json.dumps(thing))
    removed["data"].update(body="[removed]")
    gone_author = json.loads(json.dumps(thing))
    gone_author["data"].update(author="[deleted]", author_fullname=None, body="[deleted]")
    submission = fixture("info_submission.json")["data"]["children"][0]
    submission["data"]["selftext"] = "[deleted]"
    listing["data"]["children"] = [thing, edited, removed, gone_author, submission]

    plain, edit, removal, deletion, post = make().parse(listing).posts

    assert plain.edited_at is None
    assert not plain.deleted
    assert edit.edited_at is not None
    assert edit.edited_at.isoformat() == "2009-07-18T18:00:00+00:00"
    assert removal.deleted
    assert removal.text == ""
    assert deletion.deleted
    assert deletion.author.handle == "[deleted]"
    assert deletion.author.external_id == ""
    assert post.deleted
    assert post.text == "Test post please ignore"  # the title stays up


def test_a_link_post_links_out_but_a_gallery_does_not():
    listing = fixture("search.json")
    link = json.loads(json.dumps(listing["data"]["children"][0]))
    link["data"].update(name="t3_x1", url="https://example.com/story", is_self=False)
    listing["data"]["children"].append(link)

    gallery, story = make().parse(listing).posts

    assert gallery.links == []
    assert story.links == ["https://example.com/story"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"kind": "Listing", "data": {"children": [', "malformed JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"<html><body>Our CDN was unable to reach our servers</body></html>", "malformed JSON"),
        (b'"a string"', "neither a listing nor a post"),
        (b'{"kind": "Listing", "data": {}}', "without children"),
        (b'{"message": "Forbidden", "error": 403}', "Reddit answered with an error: 403 Forbidden"),
    ],
)
def test_unreadable_payloads_are_connector_errors(payload, message):
    with pytest.raises(ConnectorError, match=message):
        make().parse(payload)


def test_one_bad_item_is_rejected_without_failing_its_batch():
    listing = fixture("subreddit_new.json")
    good = listing["data"]["children"][0]
    no_title = json.loads(json.dumps(good))
    no_title["data"]["title"] = ""
    empty_comment = {
        "kind": "t1",
        "data": {**fixture("info_comment.json")["data"]["children"][0]["data"], "body": ""},
    }
    no_time = json.loads(json.dumps(good))
    del no_time["data"]["created_utc"]
    more = {"kind": "more", "data": {"count": 3, "children": ["abc"]}}
    listing["data"]["children"] = [good, no_title, empty_comment, no_time, 42, {"kind": "t5"}, more]

    batch = make().parse(listing)

    assert [p.external_id for p in batch.posts] == ["t3_p7if57"]
    assert [r.reason for r in batch.rejects] == [
        "submission has no title",
        "comment has no body",
        "no created_utc",
        "a listing child must be a JSON object",
        "not a submission or a comment (kind 't5')",
    ]
    assert b'"title": ""' in batch.rejects[0].raw


def test_poll_takes_the_token_then_reads_subreddits_comments_and_searches():
    rec = (
        recordings()
        .add("GET", api("r/AskReddit+pics/new"), file=FIXTURES / "subreddit_new.json", headers=JSON)
        .add(
            "GET",
            api("r/AskReddit+pics/comments"),
            file=FIXTURES / "info_comment.json",
            headers=JSON,
        )
        .add("GET", api("search"), file=FIXTURES / "search.json", headers=JSON)
    )
    connector = make(
        {"subreddits": ["r/AskReddit", "pics"], "queries": ["potato dog"], "include_comments": True}
    )
    with http.replay(rec):
        batch = connector.poll(None)

    assert len(batch.posts) == 5
    assert batch.cursor == {
        "listings": {
            "r/askreddit+pics/new": {"name": "t3_p7if57", "created_utc": 1629391016.0},
            "r/askreddit+pics/comments": {"name": "t1_c0b6xx0", "created_utc": 1247932861.0},
            "search:potato dog": {"name": "t3_14g2bqo", "created_utc": 1687437178.0},
        }
    }
    token, new, _comments, search = rec.requests
    assert token.url == TOKEN_URL
    assert token.body == "grant_type=client_credentials"
    assert str(token.headers["Authorization"]).startswith("Basic ")  # the app's id and secret
    assert "Rapport" in token.headers["User-Agent"]
    assert new.headers["Authorization"] == "bearer scrubbed-access-token"
    assert query(new) == {"limit": ["100"], "raw_json": ["1"]}
    assert query(search)["q"] == ["potato dog"]
    assert query(search)["sort"] == ["new"]


def test_a_restart_continues_from_the_cursor_and_pages_back_to_it():
    first_page = fixture("subreddit_new.json")  # all newer than the mark, with an `after`
    second_page = fixture("subreddit_new.json")
    second_page["data"]["after"] = "t3_more"
    older, oldest, _ = second_page["data"]["children"]
    older["data"].update(name="t3_older", created_utc=1629390000.0)
    oldest["data"].update(name="t3_oldest", created_utc=1629380000.0)
    second_page["data"]["children"] = [older, oldest]
    new = re.escape(f"{API}/r/AskReddit/new?")
    rec = (
        recordings()
        .add("GET", re.compile(new + r"(?!.*after).*"), body=json.dumps(first_page), headers=JSON)
        .add(
            "GET",
            re.compile(new + r".*after=t3_p7iemz.*"),
            body=json.dumps(second_page),
            headers=JSON,
        )
    )
    mark = {"listings": {"r/askreddit/new": {"name": "t3_older", "created_utc": 1629390000.0}}}
    with http.replay(rec):
        batch = make({"subreddits": ["AskReddit"]}).poll(mark)

    # the second page reaches the mark: it and what came before it are left out
    assert [p.external_id for p in batch.posts] == ["t3_p7if57", "t3_p7if2h", "t3_p7iemz"]
    assert batch.cursor["listings"]["r/askreddit/new"]["name"] == "t3_p7if57"
    assert len(rec.requests) == 3  # the token, then both pages


def test_poll_with_an_html_page_is_a_clear_error():
    rec = recordings().add(
        "GET",
        api("r/AskReddit/new"),
        body="<html>down</html>",
        headers={"Content-Type": "text/html"},
    )
    with (
        http.replay(rec),
        pytest.raises(ConnectorError, match=r"did not answer .* with JSON but 'text/html'"),
    ):
        make({"subreddits": ["AskReddit"]}).poll(None)


def test_refused_credentials_say_so():
    rec = http.Recordings().add(
        "POST",
        TOKEN_URL,
        status=401,
        body='{"message": "Unauthorized", "error": 401}',
        headers=JSON,
    )
    with http.replay(rec), pytest.raises(ConnectorError, match="HTTP 401"):
        make({"subreddits": ["AskReddit"]}).poll(None)


def test_missing_app_credentials_and_bad_config_are_refused():
    with pytest.raises(ConnectorError, match="client id and client secret"):
        make({"subreddits": ["AskReddit"]}, {"client_id": "x"}).poll(None)
    with pytest.raises(ValueError, match="not a subreddit name"):
        make({"subreddits": ["no spaces"]})
    with pytest.raises(ValueError, match="Extra inputs"):
        make({"subreddit": "AskReddit"})


@pytest.mark.parametrize(
    ("url", "fullname", "file"),
    [
        (
            "https://www.reddit.com/r/pics/comments/92dd8/test_post_please_ignore/c0b6xx0/",
            "t1_c0b6xx0",
            "info_comment.json",
        ),
        (
            "https://old.reddit.com/r/public_sfw_sub/comments/ovklvg/test_post_please_ignore/",
            "t3_ovklvg",
            "info_submission.json",
        ),
        ("https://reddit.com/comments/ovklvg", "t3_ovklvg", "info_submission.json"),
    ],
)
def test_fetch_a_submission_or_comment_by_its_address(url, fullname, file):
    rec = recordings().add("GET", api("api/info"), file=FIXTURES / file, headers=JSON)
    with http.replay(rec):
        post = make().fetch(url)

    assert post.external_id == fullname
    assert query(rec.requests[-1])["id"] == [fullname]


def test_fetch_refuses_an_address_that_is_not_a_post():
    with pytest.raises(ConnectorError, match="not the address of a Reddit post"):
        make().fetch("https://www.reddit.com/r/pics/")
    with pytest.raises(ConnectorError, match="not the address of a Reddit post"):
        make().fetch("https://example.com/r/pics/comments/92dd8/")


def test_publish_replies_as_the_account():
    original = make().parse(fixture("info_comment_2014.json")).posts[0]
    original.external_id = "t1_d1616q2"
    rec = recordings().add(
        "POST", api("api/comment"), file=FIXTURES / "comment_reply.json", headers=JSON
    )
    account = {**CREDENTIALS, "username": "acme_support", "password": "pw"}
    with http.replay(rec):
        reply = make(credentials=account).publish(original, "Comment reply")

    assert reply.external_id == "t1_d1680wu"
    token, sent = rec.requests
    assert parse_qs(str(token.body)) == {
        "grant_type": ["password"],
        "password": ["pw"],
        "username": ["acme_support"],
    }
    assert parse_qs(str(sent.body)) == {
        "api_type": ["json"],
        "text": ["Comment reply"],
        "thing_id": ["t1_d1616q2"],
    }
    assert sent.headers["Authorization"] == "bearer scrubbed-access-token"


def test_publish_refused_by_reddit_is_a_clear_error():
    original = make().parse(fixture("info_comment.json")).posts[0]
    answer = {"json": {"errors": [["THREAD_LOCKED", "Comments are locked.", "parent"]]}}
    rec = recordings().add("POST", api("api/comment"), body=json.dumps(answer), headers=JSON)
    with http.replay(rec), pytest.raises(ConnectorError, match="THREAD_LOCKED Comments are locked"):
        make(credentials={**CREDENTIALS, "refresh_token": "rt"}).publish(original, "hi")


def test_publish_without_an_account_says_what_is_missing():
    original = make().parse(fixture("info_comment.json")).posts[0]
    with pytest.raises(ConnectorError, match="needs an account"):
        make().publish(original, "hi")
