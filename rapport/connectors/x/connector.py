"""X through tweepy's v2 Client, every request sent through the seam."""

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
import tweepy
from pydantic import BaseModel, ConfigDict, Field

from rapport.connectors.base import (
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
    PublishedReply,
)
from rapport.connectors.x import parser
from rapport.core import http

HOSTS = frozenset(
    {"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com", "mobile.x.com"}
)
STATUS_PATH = re.compile(r"^/(?:[A-Za-z0-9_]{1,15}|i/web|i)/status(?:es)?/(\d+)/?")
EXPANSIONS = ["author_id", "referenced_tweets.id"]
TWEET_FIELDS = [
    "created_at",
    "lang",
    "public_metrics",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]


class XConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = ""  # X search syntax: "acme bank" OR @acmebank -is:retweet
    max_results: int = Field(default=100, ge=10, le=100)


class XCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bearer_token: str = ""  # the app's token: enough to search and read
    consumer_key: str = ""  # these four act as an account (OAuth 1.0a): needed to reply
    consumer_secret: str = ""
    access_token: str = ""
    access_token_secret: str = ""


class XConnector(Connector):
    name = "x"
    label = "X"
    capabilities = frozenset({Capability.POLL, Capability.FETCH, Capability.PUBLISH})
    max_reply_length = 280
    link_length = 23  # every link is shortened to t.co
    Config: ClassVar[type[BaseModel]] = XConfig
    Credentials: ClassVar[type[BaseModel]] = XCredentials
    config: XConfig
    credentials: XCredentials

    _client: tweepy.Client | None = None

    @property
    def client(self) -> tweepy.Client:
        if self._client is None:
            c = self.credentials
            self._client = tweepy.Client(
                bearer_token=c.bearer_token or None,
                consumer_key=c.consumer_key or None,
                consumer_secret=c.consumer_secret or None,
                access_token=c.access_token or None,
                access_token_secret=c.access_token_secret or None,
                return_type=dict,  # the API's JSON, which `parse` reads and `raw` keeps
                wait_on_rate_limit=False,  # the seam waits on 429 and Retry-After
            )
            self._client.session = self.http
            self._client.user_agent = f"{http.USER_AGENT} {self._client.user_agent}"
        return self._client

    @property
    def can_publish(self) -> bool:
        c = self.credentials
        return all((c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret))

    def parse(self, payload: Any) -> Batch:
        return parser.parse(payload)

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except tweepy.TooManyRequests as exc:
            raise ConnectorError(f"X rate limit reached for {what}: {self._message(exc)}") from None
        except tweepy.HTTPException as exc:
            status = exc.response.status_code
            raise ConnectorError(
                f"X refused {what} (HTTP {status}): {self._message(exc)}"
            ) from None
        except requests.JSONDecodeError:
            raise ConnectorError(f"X did not answer {what} with JSON") from None
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise ConnectorError(f"X could not be reached for {what}: {exc}") from None

    @staticmethod
    def _message(exc: tweepy.HTTPException) -> str:
        messages = [m for m in exc.api_messages if m]
        if messages:
            return "; ".join(messages)
        return exc.response.reason or str(exc.response.status_code)

    def _need_bearer(self) -> None:
        if not self.credentials.bearer_token:
            raise ConnectorError("X needs the app's bearer token to search and read")

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        """Recent search for the query, newer than the newest tweet the last poll saw."""
        if not self.config.query.strip():
            raise ConnectorError("X source has no search query")
        self._need_bearer()
        since_id = (cursor or {}).get("since_id") or None
        answer = self._call(
            f"a search for {self.config.query!r}",
            self.client.search_recent_tweets,
            self.config.query,
            since_id=since_id,
            max_results=self.config.max_results,
            expansions=EXPANSIONS,
            tweet_fields=TWEET_FIELDS,
            user_fields=USER_FIELDS,
        )
        batch = self._parse_answer(answer)
        newest = (answer.get("meta") or {}).get("newest_id") if isinstance(answer, dict) else None
        batch.cursor = {"since_id": str(newest or since_id or "")} if newest or since_id else {}
        return batch

    def _parse_answer(self, answer: Any) -> Batch:
        batch = parser.parse(answer)
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if errors and not batch.posts and not batch.rejects:
            raise ConnectorError(f"X answered with an error: {parser.error_message(errors)}")
        return batch

    def fetch(self, url: str) -> NormalisedPost:
        """A post by its x.com or twitter.com address."""
        parts = urlsplit(url.strip())
        match = STATUS_PATH.match(parts.path)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in HOSTS or not match:
            raise ConnectorError(f"{url!r} is not the address of a post on X")
        self._need_bearer()
        answer = self._call(
            "the post",
            self.client.get_tweet,
            match.group(1),
            expansions=EXPANSIONS,
            tweet_fields=TWEET_FIELDS,
            user_fields=USER_FIELDS,
        )
        batch = self._parse_answer(answer)
        if not batch.posts:
            reason = batch.rejects[0].reason if batch.rejects else "no post in the answer"
            raise ConnectorError(f"{url} could not be read: {reason}")
        return batch.posts[0]

    def publish(self, in_reply_to: NormalisedPost, text: str) -> PublishedReply:
        """A reply in the thread, posted as the account whose tokens are in the credentials."""
        if not self.can_publish:
            raise ConnectorError(
                "Replying on X needs the account's consumer key and secret "
                "and access token and secret"
            )
        answer = self._call(
            "the reply",
            self.client.create_tweet,
            text=text,
            in_reply_to_tweet_id=in_reply_to.external_id,
            user_auth=True,
        )
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            raise ConnectorError("X accepted the reply but did not say where it is")
        tweet_id = str(data["id"])
        return PublishedReply(external_id=tweet_id, url=f"https://x.com/i/web/status/{tweet_id}")
