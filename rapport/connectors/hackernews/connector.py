"""Hacker News through the Algolia HN Search API, JSON over the HTTP seam.

- Poll: `search_by_date` for the configured query over stories and comments, newer than the
  cursor's `created_at_i` (Unix seconds of the newest item seen), page by page.
- Fetch: `https://news.ycombinator.com/item?id=N` is read from `/api/v1/items/N`.

Comments carry `parent_id` (the item they answer) and `story_id` (their thread); HTML in comment
and story text is stripped. HN usernames cannot change, so the username is the author's id.
"""

import json
import time
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import BaseModel, ConfigDict, Field

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

API = "https://hn.algolia.com/api/v1"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
USER_URL = "https://news.ycombinator.com/user?id={}"
MAX_BODY_BYTES = MAX_PAYLOAD_BYTES
MAX_PAGES = 10  # Algolia serves at most 1,000 hits for one query


class HackerNewsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500, description="Words to search for")
    tags: Literal["(story,comment)", "story", "comment"] = "(story,comment)"
    hits_per_page: int = Field(default=100, ge=1, le=1000)
    first_poll_hours: int = Field(default=24, ge=1, le=24 * 30)


class HackerNewsConnector(Connector):
    name = "hackernews"
    label = "Hacker News"
    capabilities = frozenset({Capability.POLL, Capability.FETCH})
    Config: ClassVar[type[BaseModel]] = HackerNewsConfig

    config: HackerNewsConfig

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        since = int((cursor or {}).get("created_at_i") or 0)
        if not since:
            since = int(time.time()) - self.config.first_poll_hours * 3600
        batch = Batch()
        newest = since
        for page in range(MAX_PAGES):
            payload = self._get_json(
                f"{API}/search_by_date",
                params={
                    "query": self.config.query,
                    "tags": self.config.tags,
                    "numericFilters": f"created_at_i>{since}",
                    "hitsPerPage": self.config.hits_per_page,
                    "page": page,
                },
            )
            found = self.parse(payload)
            batch.posts.extend(found.posts)
            batch.rejects.extend(found.rejects)
            for hit in payload.get("hits") or []:
                if isinstance(hit, dict) and isinstance(hit.get("created_at_i"), int):
                    newest = max(newest, hit["created_at_i"])
            if page + 1 >= int(payload.get("nbPages") or 0):
                break
        batch.cursor = {"created_at_i": newest}
        return batch

    def fetch(self, url: str) -> NormalisedPost:
        item_id = _item_id(url)
        payload = self._get_json(f"{API}/items/{item_id}", not_found=f"no item {item_id}")
        batch = self.parse(payload)
        if not batch.posts:
            reason = batch.rejects[0].reason if batch.rejects else "nothing to read"
            raise ConnectorError(f"Hacker News item {item_id} cannot be read: {reason}")
        return batch.posts[0]

    def _get_json(self, url: str, params: Any = None, not_found: str = "") -> dict[str, Any]:
        try:
            response = self.http.get(url, params=params)
        except requests.RequestException as error:
            raise ConnectorError(f"Hacker News search could not be reached: {error}") from error
        if response.status_code == 404 and not_found:
            raise ConnectorError(f"Hacker News has {not_found}")
        if response.status_code >= 400:
            raise ConnectorError(f"Hacker News search answered HTTP {response.status_code}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type and content_type != "application/json":
            raise ConnectorError(f"Hacker News search answered {content_type}, not JSON")
        return _load(response.content)

    def parse(self, payload: Any) -> Batch:
        """A search response (`hits`) or an item tree (`/items/N`) as a batch of posts."""
        data = _load(payload) if isinstance(payload, bytes | bytearray | str) else payload
        if not isinstance(data, dict):
            raise ConnectorError("A Hacker News payload is a JSON object")
        batch = Batch()
        if "hits" in data:
            hits = data["hits"]
            if not isinstance(hits, list):
                raise ConnectorError('"hits" in a Hacker News search response must be a list')
            for hit in hits:
                _add(batch, hit, _hit_to_post)
        elif "id" in data and "type" in data:
            stack = [data]
            while stack:
                item = stack.pop(0)
                _add(batch, item, _item_to_post)
                children = item.get("children") if isinstance(item, dict) else None
                stack.extend(children if isinstance(children, list) else [])
        else:
            raise ConnectorError("Not a Hacker News search response or item (no hits, no id)")
        return batch


def _load(payload: bytes | bytearray | str) -> dict[str, Any]:
    if len(payload) > MAX_BODY_BYTES:
        raise ConnectorError(f"The response is {len(payload)} bytes; the limit is 10 MB")
    try:
        data = json.loads(payload)
    except UnicodeDecodeError as error:
        raise ConnectorError(f"The response is not valid UTF-8: {error.reason}") from error
    except json.JSONDecodeError as error:
        raise ConnectorError(f"The response is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise ConnectorError("A Hacker News payload is a JSON object")
    return data


def _item_id(url: str) -> int:
    parts = urlsplit(url.strip())
    ids = parse_qs(parts.query).get("id", [])
    if (
        parts.scheme not in ("http", "https")
        or parts.hostname != "news.ycombinator.com"
        or parts.path != "/item"
        or len(ids) != 1
        or not ids[0].isdigit()
    ):
        raise ConnectorError(
            f"{url!r} is not a Hacker News item URL (https://news.ycombinator.com/item?id=N)"
        )
    return int(ids[0])


class _BadItem(ValueError):
    pass


def _add(batch: Batch, item: Any, convert: Any) -> None:
    try:
        if not isinstance(item, dict):
            raise _BadItem("item is not a JSON object")
        batch.posts.append(convert(item))
    except _BadItem as error:
        raw = item if isinstance(item, dict) else {"item": item}
        if isinstance(raw, dict) and "children" in raw:
            raw = {k: v for k, v in raw.items() if k != "children"}
        batch.rejects.append(Reject(reason=str(error), raw=json.dumps(raw, default=str).encode()))


def _created(item: dict[str, Any], external_id: str) -> datetime:
    stamp = item.get("created_at_i")
    if isinstance(stamp, int):
        return datetime.fromtimestamp(stamp, tz=UTC)
    try:
        return datetime.fromisoformat(str(item.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        raise _BadItem(f"item {external_id} has no created_at") from None


def _post(
    item: dict[str, Any], external_id: str, *, is_comment: bool, html: str | None
) -> NormalisedPost:
    username = item.get("author") or ""
    title = "" if is_comment else (item.get("title") or "")
    text, links = html_to_text(html or "")
    deleted = not username and not text
    url = "" if is_comment else (item.get("url") or "")
    if url and url not in links:
        links.insert(0, url)
    if not text and not deleted:
        text = title
    if not text and not deleted:
        raise _BadItem(f"item {external_id} has no text")
    metrics = {
        name: item[key]
        for name, key in (("score", "points"), ("replies", "num_comments"))
        if isinstance(item.get(key), int)
    }
    parent, story = item.get("parent_id"), item.get("story_id")
    return NormalisedPost(
        network="hackernews",
        external_id=external_id,
        text=text,
        author=Author(
            external_id=username or "[deleted]",
            handle=username or "[deleted]",
            profile_url=USER_URL.format(username) if username else "",
        ),
        created_at=_created(item, external_id),
        url=ITEM_URL.format(external_id),
        title=title,
        reply_to_id=str(parent) if is_comment and parent else "",
        thread_id=str(story) if is_comment and story else "",
        links=links,
        metrics=metrics,
        deleted=deleted,
        raw={k: v for k, v in item.items() if k not in ("children", "_highlightResult")},
    )


def _hit_to_post(hit: dict[str, Any]) -> NormalisedPost:
    external_id = str(hit.get("objectID") or "")
    if not external_id:
        raise _BadItem("search hit has no objectID")
    is_comment = "comment" in (hit.get("_tags") or [])
    html = hit.get("comment_text") if is_comment else hit.get("story_text")
    return _post(hit, external_id, is_comment=is_comment, html=html)


def _item_to_post(item: dict[str, Any]) -> NormalisedPost:
    if item.get("id") is None:
        raise _BadItem("item has no id")
    external_id = str(item["id"])
    return _post(item, external_id, is_comment=item.get("type") == "comment", html=item.get("text"))
