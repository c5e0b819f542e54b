"""RSS 2.0 and Atom feeds, and blog comment feeds (WordPress `/comments/feed/`), via feedparser.

Polling fetches each configured feed through the HTTP seam with a conditional request (the
feed's `ETag` and `Last-Modified` are kept in the cursor), and feedparser only ever parses the
bytes: it is never handed a URL, so it never fetches anything itself.

- Comments: `thr:in-reply-to` (RFC 4685, WordPress's Atom comment feed) gives `reply_to_id`;
  the thread is the post a comment hangs under (`…/?p=42` for the id `…/?p=42#comment-7`).
  In RSS 2.0 comment feeds, which carry no threading, a comment answers its post.
- Edits: an entry whose `updated` is later than its `published` is reported with `edited_at`.
- One feed that cannot be fetched or parsed becomes a `Reject` naming it; the poll fails with a
  `ConnectorError` only when every feed does.
"""

import calendar
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

import feedparser
import requests
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rapport.connectors.base import (
    MAX_PAYLOAD_BYTES,
    Author,
    Batch,
    Capability,
    Connector,
    ConnectorError,
    NormalisedPost,
    Reject,
)
from rapport.connectors.text import html_to_text

MAX_BODY_BYTES = MAX_PAYLOAD_BYTES
FEED_CONTENT_TYPES = ("xml", "rss", "atom", "text/plain")


def _http_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


FeedUrl = Annotated[str, AfterValidator(_http_url)]


class RssConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feeds: list[FeedUrl] = Field(min_length=1, max_length=100, description="Feed URLs to poll")


class RssConnector(Connector):
    name = "rss"
    label = "RSS/Atom feeds"
    capabilities = frozenset({Capability.POLL, Capability.EDITS})
    Config: ClassVar[type[BaseModel]] = RssConfig

    config: RssConfig

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        states: dict[str, dict[str, str]] = dict((cursor or {}).get("feeds", {}))
        batch = Batch()
        failures: list[str] = []
        for url in self.config.feeds:
            try:
                fetched, state = self._fetch(url, states.get(url, {}))
            except ConnectorError as error:
                failures.append(str(error))
                batch.rejects.append(Reject(reason=str(error), raw=url.encode()))
                continue
            states[url] = state
            if fetched is not None:
                batch.posts.extend(fetched.posts)
                batch.rejects.extend(fetched.rejects)
        if len(failures) == len(self.config.feeds):
            raise ConnectorError("; ".join(failures))
        batch.cursor = {"feeds": states}
        return batch

    def _fetch(self, url: str, state: Mapping[str, str]) -> tuple[Batch | None, dict[str, str]]:
        headers = {"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9"}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        try:
            response = self.http.get(url, headers=headers)
        except requests.RequestException as error:
            raise ConnectorError(f"Feed {url} could not be fetched: {error}") from error
        if response.status_code == 304:
            return None, dict(state)
        if response.status_code >= 400:
            raise ConnectorError(f"Feed {url} answered HTTP {response.status_code}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type and not any(kind in content_type for kind in FEED_CONTENT_TYPES):
            raise ConnectorError(f"Feed {url} is not a feed: it is served as {content_type}")
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise ConnectorError(f"Feed {url} is {int(length)} bytes; the limit is 10 MB")
        try:
            batch = self.parse(response.content)
        except ConnectorError as error:
            raise ConnectorError(f"Feed {url}: {error}") from error
        new_state = {
            key: value
            for key, value in (
                ("etag", response.headers.get("ETag", "")),
                ("modified", response.headers.get("Last-Modified", "")),
            )
            if value
        }
        return batch, new_state

    def parse(self, payload: Any) -> Batch:
        """One feed document (bytes or str) as a batch: a post per entry, a reject per bad one."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")  # feedparser would take a str for a URL to fetch
        if not isinstance(payload, bytes | bytearray):
            raise ConnectorError(f"A feed is bytes or text, not {type(payload).__name__}")
        if len(payload) > MAX_BODY_BYTES:
            raise ConnectorError(f"The feed is {len(payload)} bytes; the limit is 10 MB")
        feed = feedparser.parse(bytes(payload))
        if _declared_utf8_but_invalid(feed):
            # Keep what is readable instead of feedparser's windows-1252 guess (mojibake).
            repaired = bytes(payload).decode("utf-8", errors="replace").encode("utf-8")
            feed = feedparser.parse(repaired)
        if not feed.get("version") and not feed.entries:
            reason = feed.get("bozo_exception") or "no RSS or Atom root element"
            raise ConnectorError(f"Not an RSS or Atom feed ({reason})")
        batch = Batch()
        for entry in feed.entries:
            try:
                batch.posts.append(_entry_to_post(entry, feed.feed))
            except _BadEntry as error:
                raw = str(entry.get("id") or entry.get("link") or entry.get("title") or "")
                batch.rejects.append(Reject(reason=str(error), raw=raw.encode()))
        return batch


class _BadEntry(ValueError):
    pass


def _declared_utf8_but_invalid(feed: Any) -> bool:
    error = feed.get("bozo_exception")
    return isinstance(error, feedparser.CharacterEncodingOverride) and "utf-8" in str(error).lower()


def _when(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _author(entry: Any, feed: Any) -> Author:
    detail = entry.get("author_detail") or feed.get("author_detail") or {}
    name = (detail.get("name") or entry.get("author") or "").strip()
    uri = (detail.get("href") or "").strip()
    if not name and not uri:
        name = (feed.get("title") or "").strip()
        uri = (feed.get("link") or "").strip()
    if not name and not uri:
        raise _BadEntry("entry has no author and its feed has no title or link")
    return Author(external_id=uri or name, handle=name or uri, display_name=name, profile_url=uri)


def _entry_to_post(entry: Any, feed: Any) -> NormalisedPost:
    external_id = (entry.get("id") or entry.get("link") or "").strip()
    if not external_id:
        raise _BadEntry("entry has no id (guid) and no link")
    published = _when(entry.get("published_parsed"))
    updated = _when(dict.get(entry, "updated_parsed"))  # no fallback to published
    created_at = published or updated
    if created_at is None:
        raise _BadEntry(f"entry {external_id} has no published or updated date")
    contents = entry.get("content") or []
    body = contents[0].get("value", "") if contents else entry.get("summary", "")
    text, links = html_to_text(body or "")
    title = html_to_text(entry.get("title", ""))[0]
    if not text:
        text = title
    if not text:
        raise _BadEntry(f"entry {external_id} has no text")
    language = (contents[0].get("language") if contents else None) or feed.get("language") or ""
    reply_to_id, thread_id = _threading(entry, external_id)
    link = entry.get("link", "")
    return NormalisedPost(
        network="rss",
        external_id=external_id,
        text=text,
        author=_author(entry, feed),
        created_at=created_at,
        url=link,
        title=title,
        language=language[:2].lower() if language[:2].isalpha() else "",
        reply_to_id=reply_to_id,
        thread_id=thread_id,
        links=links,
        edited_at=updated if published and updated and updated > published else None,
        raw={
            "id": external_id,
            "link": link,
            "title": entry.get("title", ""),
            "author": entry.get("author", ""),
            "published": entry.get("published", ""),
            "updated": dict.get(entry, "updated", ""),
            "content": body,
            "in_reply_to": dict(entry.get("thr_in-reply-to") or {}),
        },
    )


def _thread_of(comment_id: str) -> str:
    post, marker, _ = comment_id.partition("#comment-")
    return post if marker else ""


def _threading(entry: Any, external_id: str) -> tuple[str, str]:
    """(reply_to_id, thread_id) from RFC 4685 threading, or a WordPress comment's guid."""
    in_reply_to = entry.get("thr_in-reply-to") or {}
    ref = (in_reply_to.get("ref") or "").strip()
    if ref:
        return ref, _thread_of(ref) or _thread_of(external_id) or ref
    thread = _thread_of(external_id)
    return thread, thread
