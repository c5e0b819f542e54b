"""Reddit through praw (OAuth, token refresh, rate limits), every request sent through the seam."""

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

import praw
import prawcore
import requests
from praw.exceptions import PRAWException
from pydantic import BaseModel, ConfigDict, Field, field_validator

from rapport.connectors.base import (
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
    PublishedReply,
)
from rapport.connectors.reddit import parser
from rapport.core import http

MAX_PAGES = 5  # per listing and poll: after a quiet spell, catch up at most 500 items
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
HOSTS = frozenset({"reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com"})
THING_PATH = re.compile(r"^(?:/r/[^/]+)?/comments/([a-z0-9]+)(?:/[^/]*(?:/([a-z0-9]+))?)?/?$")


class RedditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subreddits: list[str] = Field(default_factory=list)  # names, with or without "r/"
    queries: list[str] = Field(default_factory=list)  # Reddit search; `subreddit:name` narrows
    include_comments: bool = False  # also the subreddits' newest comments
    limit: int = Field(default=100, ge=1, le=100)

    @field_validator("subreddits")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        names = [name.strip().removeprefix("/").removeprefix("r/") for name in value]
        for name in names:
            if not SUBREDDIT.match(name):
                raise ValueError(f"{name!r} is not a subreddit name")
        return names


class RedditCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = ""
    client_secret: str = ""
    username: str = ""  # with password: a script app acting as that account (to reply)
    password: str = ""
    refresh_token: str = ""  # or a web app's token for the account (to reply)


def _created(thing: Any) -> float | None:
    data = thing.get("data") if isinstance(thing, dict) else None
    value = data.get("created_utc") if isinstance(data, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _name(thing: Any) -> str:
    data = thing.get("data") if isinstance(thing, dict) else None
    return str(data.get("name") or "") if isinstance(data, dict) else ""


def _is_new(thing: Any, since: float, last: str) -> bool:
    """Newer than the mark, or unreadable (so the parser names what is wrong with it)."""
    when = _created(thing)
    return (when is None or when >= since) and (not last or _name(thing) != last)


class RedditConnector(Connector):
    name = "reddit"
    label = "Reddit"
    capabilities = frozenset(
        {Capability.POLL, Capability.FETCH, Capability.PUBLISH, Capability.EDITS}
    )
    max_reply_length = 10_000
    Config: ClassVar[type[BaseModel]] = RedditConfig
    Credentials: ClassVar[type[BaseModel]] = RedditCredentials
    config: RedditConfig
    credentials: RedditCredentials

    _reddit: praw.Reddit | None = None

    @property
    def can_publish(self) -> bool:
        c = self.credentials
        return bool(c.username and c.password) or bool(c.refresh_token)

    @property
    def reddit(self) -> praw.Reddit:
        if self._reddit is None:
            c = self.credentials
            if not c.client_id or not c.client_secret:
                raise ConnectorError("Reddit needs the app's client id and client secret")
            account: dict[str, Any] = {}
            if c.username and c.password:
                account = {"username": c.username, "password": c.password}
            elif c.refresh_token:
                account = {"refresh_token": c.refresh_token}
            self._reddit = praw.Reddit(
                client_id=c.client_id,
                client_secret=c.client_secret,
                user_agent=http.USER_AGENT,
                requestor_kwargs={"session": self.http},  # the token request goes through it too
                check_for_updates=False,  # it would ask PyPI outside the seam
                check_for_async=False,
                **account,
            )
        return self._reddit

    def parse(self, payload: Any) -> Batch:
        return parser.parse(payload)

    def _request(self, what: str, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self.reddit.request(method=method, path=path, **kwargs)
        except prawcore.OAuthException as exc:
            raise ConnectorError(f"Reddit refused the credentials: {exc}") from None
        except prawcore.BadJSON as exc:
            kind = exc.response.headers.get("Content-Type", "")
            raise ConnectorError(f"Reddit did not answer {what} with JSON but {kind!r}") from None
        except prawcore.ResponseException as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise ConnectorError(
                    f"Reddit refused {what}: HTTP {status} (check the app's credentials)"
                ) from None
            if status == 404:
                raise ConnectorError(f"Reddit has no {what}") from None
            raise ConnectorError(f"Reddit refused {what}: HTTP {status}") from None
        except prawcore.RequestException as exc:
            raise ConnectorError(f"Reddit could not be reached for {what}: {exc}") from None
        except (prawcore.PrawcoreException, PRAWException, requests.RequestException) as exc:
            raise ConnectorError(f"Reddit refused {what}: {exc}") from None

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        """Each listing (newest first) down to where the last poll stopped."""
        subs, queries = self.config.subreddits, self.config.queries
        if not subs and not queries:
            raise ConnectorError("Reddit source has neither subreddits nor queries to poll")
        seen: dict[str, dict[str, Any]] = dict((cursor or {}).get("listings") or {})
        batch = Batch()
        limit = self.config.limit
        if subs:
            joined = "+".join(subs)  # one request for all of them: r/a+b/new
            self._listing(batch, seen, f"r/{joined}/new", {"limit": limit})
            if self.config.include_comments:
                self._listing(batch, seen, f"r/{joined}/comments", {"limit": limit})
        for query in queries:
            params = {"q": query, "sort": "new", "t": "all", "type": "link", "limit": limit}
            self._listing(batch, seen, "search", params, key=f"search:{query}")
        batch.cursor = {"listings": seen}
        return batch

    def _listing(
        self,
        batch: Batch,
        seen: dict[str, dict[str, Any]],
        path: str,
        params: dict[str, Any],
        key: str = "",
    ) -> None:
        key = key or path.lower()
        mark = seen.get(key) or {}
        since = float(mark.get("created_utc") or 0)
        newest = dict(mark)
        after: str | None = None
        for _ in range(MAX_PAGES):
            query = {**params, "after": after} if after else params
            page = self._request(f"the listing {path}", "GET", path, params=query)
            things = parser.children(page)
            fresh = [t for t in things if _is_new(t, since, str(mark.get("name") or ""))]
            found = parser.parse_things(fresh)
            batch.posts.extend(found.posts)
            batch.rejects.extend(found.rejects)
            for thing in things:
                when = _created(thing)
                if when is not None and when >= float(newest.get("created_utc") or 0):
                    newest = {"name": _name(thing), "created_utc": when}
            after = (page.get("data") or {}).get("after") if isinstance(page, dict) else None
            if not mark or len(fresh) < len(things) or not after:
                break  # the first poll takes one page; later ones page back to the mark
        if newest:
            seen[key] = newest

    def fetch(self, url: str) -> NormalisedPost:
        """A submission or a comment by its reddit.com address."""
        parts = urlsplit(url.strip())
        match = THING_PATH.match(parts.path)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in HOSTS or not match:
            raise ConnectorError(f"{url!r} is not the address of a Reddit post or comment")
        submission, comment = match.groups()
        fullname = f"t1_{comment}" if comment else f"t3_{submission}"
        page = self._request(f"post {fullname}", "GET", "api/info", params={"id": fullname})
        batch = parser.parse(page)
        if batch.posts:
            return batch.posts[0]
        if batch.rejects:
            raise ConnectorError(f"{url} could not be read: {batch.rejects[0].reason}")
        raise ConnectorError(f"Reddit has no post at {url}")

    def publish(self, in_reply_to: NormalisedPost, text: str) -> PublishedReply:
        """A comment under the submission or comment, as the account in the credentials."""
        if not self.can_publish:
            raise ConnectorError(
                "Replying on Reddit needs an account: a username and password, or a refresh token"
            )
        if not in_reply_to.external_id.startswith(("t1_", "t3_")):
            raise ConnectorError(f"{in_reply_to.external_id!r} is not a Reddit post or comment")
        answer = self._request(
            "the reply",
            "POST",
            "api/comment",
            data={"thing_id": in_reply_to.external_id, "text": text},
        )
        batch = parser.parse(answer)
        if not batch.posts:
            raise ConnectorError("Reddit accepted the reply but did not say where it is")
        reply = batch.posts[0]
        return PublishedReply(external_id=reply.external_id, url=reply.url)
