"""Mastodon through Mastodon.py, every request sent through the HTTP seam."""

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from mastodon import Mastodon, MastodonError, MastodonNotFoundError
from pydantic import BaseModel, ConfigDict, Field

from rapport.connectors.base import (
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
    PublishedReply,
)
from rapport.connectors.mastodon import parser
from rapport.core import http

STREAM_TIMEOUT = (5.0, 90.0)  # the server sends a heartbeat comment every 15 seconds or so
STATUS_PATH = re.compile(r"^/(?:@[^/]+|users/[^/]+/statuses|web/statuses|web/@[^/]+)/(\d+)/?$")


class MastodonConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instance_url: str = "https://mastodon.social"
    hashtags: list[str] = Field(default_factory=list)  # without the leading #
    queries: list[str] = Field(default_factory=list)  # full-text search (needs a token)
    stream_hashtag: str = ""  # defaults to the first hashtag
    streaming_url: str = ""  # when the instance streams from another host
    limit: int = Field(default=40, ge=1, le=40)


class MastodonCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_token: str = ""


class MastodonConnector(Connector):
    name = "mastodon"
    label = "Mastodon"
    capabilities = frozenset(
        {Capability.POLL, Capability.STREAM, Capability.FETCH, Capability.PUBLISH, Capability.EDITS}
    )
    max_reply_length = 500  # the default of most instances
    link_length = 23
    Config: ClassVar[type[BaseModel]] = MastodonConfig
    Credentials: ClassVar[type[BaseModel]] = MastodonCredentials
    config: MastodonConfig
    credentials: MastodonCredentials

    _client: Mastodon | None = None

    @property
    def base_url(self) -> str:
        return self.config.instance_url.rstrip("/")

    @property
    def client(self) -> Mastodon:
        if self._client is None:
            self._client = Mastodon(
                api_base_url=self.base_url,
                access_token=self.credentials.access_token or None,
                session=self.http,
                user_agent=http.USER_AGENT,
                ratelimit_method="throw",  # the seam waits on 429 and Retry-After
            )
        return self._client

    def parse(self, payload: Any) -> Batch:
        return parser.parse(payload)

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MastodonNotFoundError:
            raise ConnectorError(f"{self.base_url} has no such {what}") from None
        except MastodonError as exc:
            raise ConnectorError(f"{self.base_url} refused {what}: {exc}") from None
        except requests.RequestException as exc:
            raise ConnectorError(
                f"{self.base_url} could not be reached for {what}: {exc}"
            ) from None

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        """One page per hashtag and per query, newer than where the last poll stopped."""
        if not self.config.hashtags and not self.config.queries:
            raise ConnectorError("Mastodon source has neither hashtags nor queries to poll")
        seen: dict[str, str] = dict((cursor or {}).get("since_id") or {})
        batch = Batch()
        for tag in self.config.hashtags:
            key = f"tag:{tag.lstrip('#').lower()}"
            statuses = self._call(
                f"the #{tag} timeline",
                self.client.timeline_hashtag,
                tag.lstrip("#"),
                min_id=seen.get(key),  # min_id pages forward from the cursor: no gap after a spike
                limit=self.config.limit,
            )
            self._add(batch, seen, key, statuses)
        for query in self.config.queries:
            key = f"search:{query}"
            result = self._call(
                f"a search for {query!r}",
                self.client.search_v2,
                query,
                resolve=False,
                result_type="statuses",
                min_id=seen.get(key),
                limit=self.config.limit,
            )
            self._add(batch, seen, key, result.get("statuses") or [])
        batch.cursor = {"since_id": seen}
        return batch

    def _add(self, batch: Batch, seen: dict[str, str], key: str, statuses: Any) -> None:
        page = parser.parse(list(statuses))
        batch.posts.extend(page.posts)
        batch.rejects.extend(page.rejects)
        ids = [int(s["id"]) for s in statuses if str(s.get("id", "")).isdigit()]
        if ids:
            seen[key] = str(max([*ids, int(seen.get(key) or 0)]))

    def stream(self, cursor: dict[str, Any] | None) -> Iterator[Batch]:
        """The hashtag's server-sent events: new posts, edits and deletions, until it closes."""
        tag = (self.config.stream_hashtag or next(iter(self.config.hashtags), "")).lstrip("#")
        if not tag:
            raise ConnectorError("Mastodon source has no hashtag to stream")
        base = (self.config.streaming_url or self.base_url).rstrip("/")
        headers = {"Accept": "text/event-stream"}
        if self.credentials.access_token:
            headers["Authorization"] = f"Bearer {self.credentials.access_token}"
        try:
            response = self.http.get(
                f"{base}/api/v1/streaming/hashtag",
                params={"tag": tag},
                headers=headers,
                stream=True,
                timeout=STREAM_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ConnectorError(f"{base} streaming could not be reached: {exc}") from None
        with response:
            if response.status_code != 200:
                raise ConnectorError(
                    f"{base} refused the #{tag} stream: HTTP {response.status_code}"
                )
            kind = response.headers.get("Content-Type", "")
            if not kind.startswith("text/event-stream"):
                raise ConnectorError(f"{base} did not answer with an event stream but {kind!r}")
            lines = parser.split_lines(response.iter_content(chunk_size=None))
            for event in parser.sse_events(lines):
                batch = parser.parse_event(event)
                if batch.posts or batch.rejects:
                    yield batch

    def fetch(self, url: str) -> NormalisedPost:
        """A status by its web URL; one on another instance is resolved through search."""
        parts = urlsplit(url)
        match = STATUS_PATH.match(parts.path)
        if parts.scheme not in ("http", "https") or not match:
            raise ConnectorError(f"{url!r} is not the address of a Mastodon post")
        if parts.hostname == urlsplit(self.base_url).hostname:
            status = self._call("post", self.client.status, match.group(1))
        else:
            found = self._call(
                "post", self.client.search_v2, url, resolve=True, result_type="statuses"
            )
            statuses = found.get("statuses") or []
            if not statuses:
                raise ConnectorError(f"{self.base_url} could not find {url}")
            status = statuses[0]
        batch = parser.parse_statuses([parser.plain(status)])
        if not batch.posts:
            raise ConnectorError(f"{url} could not be read: {batch.rejects[0].reason}")
        return batch.posts[0]

    def publish(self, in_reply_to: NormalisedPost, text: str) -> PublishedReply:
        """A public reply that mentions the author, so they are notified."""
        if not self.credentials.access_token:
            raise ConnectorError("Replying on Mastodon needs an access token")
        mention = f"@{in_reply_to.author.handle}" if in_reply_to.author.handle else ""
        if mention and mention.lower() not in text.lower():
            text = f"{mention} {text}"
        status = self._call(
            "the reply", self.client.status_post, text, in_reply_to_id=in_reply_to.external_id
        )
        return PublishedReply(external_id=str(status["id"]), url=str(status.get("url") or ""))
