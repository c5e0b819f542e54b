"""X on captured payloads: recent search polling, capture by URL, replies as an account."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from rapport.connectors.base import Capability, ConnectorError
from rapport.connectors.registry import connector_class
from rapport.connectors.x import parser
from rapport.core import http

FIXTURES = Path(__file__).parents[1] / "x" / "fixtures"
API = "https://api.twitter.com/2"
SEARCH = re.compile(re.escape(f"{API}/tweets/search/recent?") + ".*")
JSON = {"Content-Type": "application/json; charset=utf-8"}
BEARER = {"bearer_token": "app-bearer"}
ACCOUNT = {
    "consumer_key": "ck",
    "consumer_secret": "cs",
    "access_token": "at",
    "access_token_secret": "ats",
}


def make(config=None, credentials=None):
    return connector_class("x")(
        {"query": '"acme bank" OR @acmebank', **(config or {})}, credentials or BEARER
    )


def query(request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query)


def test_claims_what_it_implements():
    assert connector_class("x").capabilities == {
        Capability.POLL,
        Capability.FETCH,
        Capability.PUBLISH,
    }


def test_a_search_answer_becomes_posts_with_reach_threads_replies_and_reposts():
    links, reply, retweet = make().parse((FIXTURES / "search_recent.json").read_bytes()).posts

    assert links.external_id == "1276501058211262464"
    assert links.url == "https://x.com/Twitter/status/1276501058211262464"
    assert links.author.external_id == "783214"
    assert links.author.handle == "Twitter"
    assert links.author.reach == 64839591
    assert links.author.verified
    assert links.created_at.isoformat() == "2020-06-26T13:02:23+00:00"
    assert links.links == ["https://twitter.com/i/lists/suggested"]  # its own photo is no link out
    assert "https://twitter.com/i/lists/suggested" in links.text
    assert "t.co" not in links.text
    assert links.thread_id == "1276501058211262464"
    assert reply.reply_to_id == "1274087694105075714"
    assert reply.thread_id == "1274087687469715457"
    assert retweet.repost_of_id == "1274014870707437570"
    assert retweet.metrics == {"likes": 0, "reposts": 0, "replies": 0, "quotes": 0}


def test_a_single_tweet_carries_its_language_and_expanded_link():
    (post,) = make().parse((FIXTURES / "tweet.json").read_bytes()).posts

    assert post.language == "en"
    assert post.author.handle == "TwitterDev"
    assert post.author.reach == 513958
    assert post.links == [
        "https://blog.twitter.com/developer/en_us/topics/tips/2020/"
        "how-to-analyze-the-sentiment-of-your-own-tweets.html"
    ]
    assert post.text.endswith("how-to-analyze-the-sentiment-of-your-own-tweets.html")


def test_tweets_without_their_author_are_rejected_and_the_time_comes_from_the_id():
    batch = make().parse((FIXTURES / "search_recent_bare.json").read_bytes())

    assert batch.posts == []
    assert [r.reason for r in batch.rejects] == [
        "tweet has no author_id (the author_id expansion was not asked for)"
    ] * 2
    assert parser._when({"id": "1578516068309794817"}).isoformat().startswith("2022-10-07T22:42:12")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"data": [', "malformed JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[]", "neither tweets nor an error"),
        (
            b'{"errors": [{"detail": "Could not find tweet with id: [1].", "title": '
            b'"Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found"}]}',
            "Could not find tweet with id",
        ),
    ],
)
def test_unreadable_payloads_are_connector_errors(payload, message):
    with pytest.raises(ConnectorError, match=re.escape(message)):
        make().parse(payload)


def test_one_bad_tweet_is_rejected_without_failing_its_batch():
    answer = json.loads((FIXTURES / "search_recent.json").read_text())
    good = answer["data"][0]
    answer["data"] = [good, {**good, "id": "2", "text": ""}, {**good, "id": ""}, "nope"]

    batch = make().parse(answer)

    assert [p.external_id for p in batch.posts] == ["1276501058211262464"]
    assert [r.reason for r in batch.rejects] == [
        "tweet has no text",
        "tweet has no id",
        "a tweet must be a JSON object",
    ]


def test_poll_searches_with_the_bearer_token_and_moves_since_id():
    rec = http.Recordings().add("GET", SEARCH, file=FIXTURES / "search_recent.json", headers=JSON)
    with http.replay(rec):
        batch = make().poll({"since_id": "1270000000000000000"})

    assert len(batch.posts) == 3
    assert batch.cursor == {"since_id": "1276501058211262464"}
    (sent,) = rec.requests
    assert sent.headers["Authorization"] == "Bearer app-bearer"
    assert "Rapport" in sent.headers["User-Agent"]
    params = query(sent)
    assert params["query"] == ['"acme bank" OR @acmebank']
    assert params["since_id"] == ["1270000000000000000"]
    assert params["max_results"] == ["100"]
    assert params["expansions"] == ["author_id,referenced_tweets.id"]
    assert params["tweet.fields"] == [
        "created_at,lang,public_metrics,conversation_id,in_reply_to_user_id,"
        "referenced_tweets,entities"
    ]
    assert params["user.fields"] == ["username,name,public_metrics,verified"]


def test_a_quiet_poll_keeps_the_cursor():
    rec = http.Recordings().add("GET", SEARCH, body='{"meta": {"result_count": 0}}', headers=JSON)
    with http.replay(rec):
        batch = make().poll({"since_id": "1276501058211262464"})

    assert batch.posts == []
    assert batch.cursor == {"since_id": "1276501058211262464"}


def test_rate_limits_wait_for_retry_after_then_give_the_apis_message(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(http, "sleep", waits.append)
    problem = {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    rec = http.Recordings().add(
        "GET", SEARCH, status=429, body=json.dumps(problem), headers={**JSON, "Retry-After": "7"}
    )
    with (
        http.replay(rec),
        pytest.raises(ConnectorError, match=r"X rate limit reached .*Too Many Requests"),
    ):
        make().poll(None)

    assert waits == [7.0, 7.0, 7.0]  # the seam waited as told before giving up


def test_refused_credentials_give_the_apis_message():
    problem = {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    rec = http.Recordings().add("GET", SEARCH, status=401, body=json.dumps(problem), headers=JSON)
    with http.replay(rec), pytest.raises(ConnectorError, match=r"HTTP 401\): Unauthorized"):
        make().poll(None)


def test_an_html_answer_is_a_clear_error():
    rec = http.Recordings().add(
        "GET", SEARCH, body="<html>Over capacity</html>", headers={"Content-Type": "text/html"}
    )
    with http.replay(rec), pytest.raises(ConnectorError, match=r"did not answer .* with JSON"):
        make().poll(None)


def test_poll_needs_a_query_and_a_bearer_token():
    with pytest.raises(ConnectorError, match="no search query"):
        make({"query": " "}).poll(None)
    with pytest.raises(ConnectorError, match="bearer token"):
        make(credentials=ACCOUNT).poll(None)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/TwitterDev/status/1275828087666679809",
        "https://twitter.com/TwitterDev/status/1275828087666679809?s=20",
        "https://mobile.twitter.com/i/web/status/1275828087666679809",
    ],
)
def test_fetch_a_post_by_its_address(url):
    rec = http.Recordings().add(
        "GET",
        re.compile(re.escape(f"{API}/tweets/1275828087666679809?") + ".*"),
        file=FIXTURES / "tweet.json",
        headers=JSON,
    )
    with http.replay(rec):
        post = make().fetch(url)

    assert post.external_id == "1275828087666679809"
    assert post.url == "https://x.com/TwitterDev/status/1275828087666679809"
    assert query(rec.requests[0])["expansions"] == ["author_id,referenced_tweets.id"]


def test_fetch_of_a_missing_post_gives_the_apis_message():
    body = {
        "errors": [{"detail": "Could not find tweet with id: [1].", "title": "Not Found Error"}]
    }
    rec = http.Recordings().add(
        "GET", re.compile(re.escape(f"{API}/tweets/1?") + ".*"), body=json.dumps(body), headers=JSON
    )
    with http.replay(rec), pytest.raises(ConnectorError, match="Could not find tweet"):
        make().fetch("https://x.com/someone/status/1")


def test_fetch_refuses_an_address_that_is_not_a_post():
    with pytest.raises(ConnectorError, match="not the address of a post on X"):
        make().fetch("https://x.com/TwitterDev")
    with pytest.raises(ConnectorError, match="not the address of a post on X"):
        make().fetch("https://example.com/TwitterDev/status/1")


def test_publish_replies_as_the_account_with_oauth1():
    original = make().parse((FIXTURES / "tweet.json").read_bytes()).posts[0]
    rec = http.Recordings().add(
        "POST", f"{API}/tweets", status=201, file=FIXTURES / "create_tweet.json", headers=JSON
    )
    with http.replay(rec):
        reply = make(credentials=ACCOUNT).publish(original, "Test Tweet")

    assert reply.external_id == "1456012973835788293"
    assert reply.url == "https://x.com/i/web/status/1456012973835788293"
    (sent,) = rec.requests
    assert isinstance(sent.body, bytes | str)
    assert json.loads(sent.body) == {
        "text": "Test Tweet",
        "reply": {"in_reply_to_tweet_id": "1275828087666679809"},
    }
    auth = sent.headers["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    assert auth.startswith("OAuth ")
    assert 'oauth_consumer_key="ck"' in auth
    assert 'oauth_token="at"' in auth


def test_publish_without_account_tokens_says_what_is_missing():
    original = make().parse((FIXTURES / "tweet.json").read_bytes()).posts[0]
    with pytest.raises(ConnectorError, match="access token and secret"):
        make().publish(original, "hi")
