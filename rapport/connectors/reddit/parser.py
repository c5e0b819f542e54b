"""Reddit payloads (listings of submissions and comments, as the JSON API sends them) to posts."""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from rapport.connectors.base import Author, Batch, ConnectorError, NormalisedPost, Reject, load_json

NETWORK = "reddit"
SITE = "https://www.reddit.com"
GONE = frozenset({"[removed]", "[deleted]"})  # what Reddit leaves in place of a body it took away


def load(payload: Any) -> Any:
    """Bytes or text as the API sent them, or an already decoded payload."""
    return load_json(payload, "Reddit")


def _when(value: Any, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"no {what}")
    return datetime.fromtimestamp(float(value), UTC)


def _author(data: dict[str, Any]) -> Author:
    handle = str(data.get("author") or "[deleted]")
    if handle == "[deleted]":
        return Author(external_id="", handle=handle)  # the account is gone; nothing to follow
    return Author(
        # Reddit names never change, so the name stands in where older payloads lack the fullname
        external_id=str(data.get("author_fullname") or handle),
        handle=handle,
        profile_url=f"{SITE}/user/{handle}",
    )


def parse_thing(thing: Any) -> NormalisedPost:
    """One `t3` (submission) or `t1` (comment); raises ValueError with the reason otherwise."""
    if not isinstance(thing, dict):
        raise ValueError("a listing child must be a JSON object")
    kind, data = thing.get("kind"), thing.get("data")
    if kind not in ("t1", "t3"):
        raise ValueError(f"not a submission or a comment (kind {kind!r})")
    if not isinstance(data, dict):
        raise ValueError(f"{kind} has no data")
    fullname = str(data.get("name") or (f"{kind}_{data['id']}" if data.get("id") else ""))
    if not fullname.startswith(f"{kind}_"):
        raise ValueError(f"{kind} has no id")
    permalink = str(data.get("permalink") or "")
    edited = data.get("edited")
    common: dict[str, Any] = {
        "network": NETWORK,
        "external_id": fullname,
        "author": _author(data),
        "created_at": _when(data.get("created_utc"), "created_utc"),
        "url": f"{SITE}{permalink}" if permalink.startswith("/") else permalink,
        "edited_at": _when(edited, "edited") if edited else None,  # false, or when it was edited
        "raw": thing,
    }
    if kind == "t1":
        body = str(data.get("body") or "").strip()
        gone = body in GONE
        if not body:
            raise ValueError("comment has no body")
        return NormalisedPost(
            **common,
            text="" if gone else body,
            reply_to_id=str(data.get("parent_id") or ""),
            thread_id=str(data.get("link_id") or ""),
            metrics={"score": int(data.get("score") or 0)},
            deleted=gone,
        )
    title = str(data.get("title") or "").strip()
    if not title:
        raise ValueError("submission has no title")
    selftext = str(data.get("selftext") or "").strip()
    gone = selftext in GONE or bool(data.get("removed_by_category"))
    text = title if gone or not selftext else f"{title}\n\n{selftext}"
    link = str(data.get("url") or "")
    return NormalisedPost(
        **common,
        text=text,
        title=title,
        thread_id=fullname,
        links=[link] if _outbound(link) else [],
        metrics={
            "score": int(data.get("score") or 0),
            "comments": int(data.get("num_comments") or 0),
        },
        deleted=gone,
    )


def _outbound(url: str) -> bool:
    """A link post's target, unless it is Reddit's own (galleries, images, the post itself)."""
    host = (urlsplit(url).hostname or "").lower()
    if not url.startswith(("http://", "https://")) or not host:
        return False
    return not (host.endswith(("reddit.com", "redd.it")) or host in ("reddit.com", "redd.it"))


def _reject(reason: str, item: Any) -> Reject:
    return Reject(reason=reason, raw=json.dumps(item, ensure_ascii=False, default=str).encode())


def parse_things(things: Iterable[Any]) -> Batch:
    batch = Batch()
    for thing in things:
        if isinstance(thing, dict) and thing.get("kind") == "more":
            continue  # "load more comments": a pointer, not a post
        try:
            batch.posts.append(parse_thing(thing))
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            batch.rejects.append(_reject(str(exc), thing))
    return batch


def children(data: Any) -> list[Any]:
    """The things in a Listing, a list of Listings (a thread), a reply answer, or one thing."""
    if isinstance(data, list):
        return [child for part in data for child in children(part)]
    if not isinstance(data, dict):
        raise ConnectorError("Reddit sent neither a listing nor a post")
    if data.get("kind") == "Listing":
        found = (data.get("data") or {}).get("children")
        if not isinstance(found, list):
            raise ConnectorError("Reddit sent a listing without children")
        return found
    if isinstance(data.get("json"), dict):  # the answer to a write: {"json": {"errors", "data"}}
        errors = data["json"].get("errors") or []
        if errors:
            raise ConnectorError(f"Reddit refused: {_describe(errors)}")
        return list((data["json"].get("data") or {}).get("things") or [])
    if "error" in data or ("message" in data and "kind" not in data):
        raise ConnectorError(
            f"Reddit answered with an error: {data.get('error')} {data.get('message', '')}".strip()
        )
    if data.get("kind") in ("t1", "t3"):
        return [data]
    raise ConnectorError("Reddit sent neither a listing nor a post")


def _describe(errors: list[Any]) -> str:
    return "; ".join(
        " ".join(str(part) for part in error if part) if isinstance(error, list) else str(error)
        for error in errors
    )


def parse(payload: Any) -> Batch:
    return parse_things(children(load(payload)))
