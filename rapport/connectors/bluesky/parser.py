"""Bluesky payloads (searchPosts/getPostThread post views, Jetstream events) to normalised posts."""

import json
from datetime import UTC, datetime
from typing import Any

from rapport.connectors.base import Author, Batch, ConnectorError, NormalisedPost, Reject, load_json

NETWORK = "bluesky"
POST = "app.bsky.feed.post"


def load(payload: Any) -> Any:
    """Bytes or text as the API sent them, or an already decoded payload."""
    return load_json(payload, "Bluesky")


def _when(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise ValueError("post has no createdAt")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def web_url(author: str, uri: str) -> str:
    return f"https://bsky.app/profile/{author}/post/{uri.rsplit('/', 1)[-1]}"


def _links(record: dict[str, Any]) -> list[str]:
    links = []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == "app.bsky.richtext.facet#link" and feature.get("uri"):
                links.append(str(feature["uri"]))
    external = (record.get("embed") or {}).get("external") or {}
    if external.get("uri"):
        links.append(str(external["uri"]))
    return list(dict.fromkeys(links))


def _post(
    uri: str, record: Any, author: Author, metrics: dict[str, int], raw: Any
) -> NormalisedPost:
    if not isinstance(record, dict):
        raise ValueError("post has no record")
    text = str(record.get("text") or "").strip()
    if not text:
        raise ValueError("post has no text")
    reply = record.get("reply") or {}
    root = str((reply.get("root") or {}).get("uri") or "")
    langs = record.get("langs") or []
    return NormalisedPost(
        network=NETWORK,
        external_id=uri,
        text=text,
        author=author,
        created_at=_when(record.get("createdAt")),
        url=web_url(author.handle or author.external_id, uri),
        language=str(langs[0]).split("-")[0].lower() if langs else "",
        reply_to_id=str((reply.get("parent") or {}).get("uri") or ""),
        thread_id=root or uri,
        links=_links(record),
        metrics=metrics,
        raw=raw,
    )


def parse_post_view(view: Any) -> NormalisedPost:
    """A post view from searchPosts or getPostThread: the record, its author and counts."""
    if not isinstance(view, dict) or not view.get("uri"):
        raise ValueError("post view has no uri")
    author = view.get("author") or {}
    if not author.get("did"):
        raise ValueError("post view has no author")
    return _post(
        str(view["uri"]),
        view.get("record"),
        Author(
            external_id=str(author["did"]),
            handle=str(author.get("handle") or author["did"]),
            display_name=str(author.get("displayName") or ""),
            profile_url=f"https://bsky.app/profile/{author.get('handle') or author['did']}",
            reach=int(author.get("followersCount") or 0),  # only profile views carry it
        ),
        {
            "replies": int(view.get("replyCount") or 0),
            "reposts": int(view.get("repostCount") or 0),
            "likes": int(view.get("likeCount") or 0),
            "quotes": int(view.get("quoteCount") or 0),
        },
        view,
    )


def parse_jetstream_event(event: Any) -> NormalisedPost | None:
    """A Jetstream event; None for what is not a post (identity, account, other collections)."""
    if not isinstance(event, dict) or not event.get("did"):
        raise ValueError("event has no did")
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return None
    if commit.get("collection") != POST:
        return None
    did, rkey = str(event["did"]), str(commit.get("rkey") or "")
    if not rkey:
        raise ValueError("commit has no rkey")
    uri = f"at://{did}/{POST}/{rkey}"
    author = Author(external_id=did, handle=did, profile_url=f"https://bsky.app/profile/{did}")
    operation = commit.get("operation")
    if operation == "delete":
        return NormalisedPost(
            network=NETWORK,
            external_id=uri,
            text="",
            author=author,
            created_at=_time_us(event),
            url=web_url(did, uri),
            deleted=True,
            raw=event,
        )
    if operation not in ("create", "update"):
        raise ValueError(f"unknown operation {operation!r}")
    post = _post(uri, commit.get("record"), author, {}, event)
    if operation == "update":
        post.edited_at = _time_us(event)
    return post


def _time_us(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(event.get("time_us") or 0) / 1_000_000, tz=UTC)


def _reject(reason: str, item: Any) -> Reject:
    raw = (
        item
        if isinstance(item, bytes)
        else json.dumps(item, ensure_ascii=False, default=str).encode()
    )
    return Reject(reason=reason, raw=raw)


def parse_jetstream_message(message: str | bytes) -> Batch:
    """One websocket message; the cursor is its `time_us`, so a restart resumes after it."""
    try:
        event = load(message)
    except ConnectorError as exc:
        raw = message if isinstance(message, bytes) else message.encode()
        return Batch(rejects=[Reject(str(exc), raw)])
    batch = Batch()
    try:
        post = parse_jetstream_event(event)
    except (ValueError, TypeError) as exc:
        batch.rejects.append(_reject(str(exc), event))
    else:
        if post is not None:
            batch.posts.append(post)
    if isinstance(event, dict) and isinstance(event.get("time_us"), int):
        batch.cursor = {"time_us": event["time_us"]}
    return batch


def parse(payload: Any) -> Batch:
    """A searchPosts response, a getPostThread response, or one Jetstream event."""
    data = load(payload)
    if isinstance(data, dict) and "kind" in data and "time_us" in data:
        return parse_jetstream_message(json.dumps(data))
    if isinstance(data, dict) and isinstance(data.get("thread"), dict):
        views = [data["thread"].get("post")]
    elif isinstance(data, dict) and isinstance(data.get("posts"), list):
        views = data["posts"]
    elif isinstance(data, dict) and data.get("error"):
        raise ConnectorError(
            f"Bluesky answered with an error: {data.get('message') or data['error']}"
        )
    else:
        raise ConnectorError("Bluesky sent neither posts, a thread nor a Jetstream event")
    batch = Batch()
    for view in views:
        try:
            batch.posts.append(parse_post_view(view))
        except (ValueError, TypeError) as exc:
            batch.rejects.append(_reject(str(exc), view))
    return batch
