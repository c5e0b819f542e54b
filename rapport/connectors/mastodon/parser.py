"""Mastodon payloads (statuses as the REST and streaming APIs send them) to normalised posts."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from rapport.connectors import text
from rapport.connectors.base import Author, Batch, ConnectorError, NormalisedPost, Reject, load_json

NETWORK = "mastodon"


def _leaves_mastodon(attrs: dict[str, str | None]) -> bool:
    """Links to mentions and hashtags are Mastodon's own; keep only the ones that leave it."""
    classes = (attrs.get("class") or "").split()
    return not ("mention" in classes or "hashtag" in classes or attrs.get("rel") == "tag")


def html_to_text(html: str) -> tuple[str, list[str]]:
    """The visible text of a status (paragraphs and line breaks kept) and its outbound links."""
    return text.html_to_text(html, keep_link=_leaves_mastodon)


def plain(value: Any) -> Any:
    """JSON-safe copy of a payload; Mastodon.py hands back datetimes and id subclasses."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def load(payload: Any) -> Any:
    """Bytes or text as the API sent them, or an already decoded payload."""
    return plain(load_json(payload, "Mastodon"))


def _when(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise ValueError("no created_at")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _author(account: Any) -> Author:
    if not isinstance(account, dict) or not account.get("id"):
        raise ValueError("no account")
    url = str(account.get("url") or "")
    host = urlsplit(url).hostname or ""
    acct = str(account.get("acct") or account.get("username") or "")
    handle = acct if "@" in acct or not host else f"{acct}@{host}"
    return Author(
        # the actor's URI is the same from every instance; the numeric id is per instance
        external_id=str(account.get("uri") or url or account["id"]),
        handle=handle,
        display_name=str(account.get("display_name") or ""),
        profile_url=url,
        reach=int(account.get("followers_count") or 0),
    )


def parse_status(status: Any) -> NormalisedPost:
    """One status; raises ValueError with the reason when it cannot become a post."""
    if not isinstance(status, dict):
        raise ValueError("a status must be a JSON object")
    if not status.get("id"):
        raise ValueError("status has no id")
    shown = status.get("reblog") or status
    if not isinstance(shown, dict):
        raise ValueError("reblog is not a status")
    text, links = html_to_text(str(shown.get("content") or ""))
    spoiler = str(shown.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"{spoiler}\n\n{text}".strip()
    if not text:
        raise ValueError("status has no text")
    in_reply_to = str(status.get("in_reply_to_id") or "")
    language = str(shown.get("language") or "").split("-")[0].lower()
    edited = status.get("edited_at")
    return NormalisedPost(
        network=NETWORK,
        external_id=str(status["id"]),
        text=text,
        author=_author(status.get("account")),
        created_at=_when(status.get("created_at")),
        url=str(status.get("url") or status.get("uri") or ""),
        language=language,
        reply_to_id=in_reply_to,
        thread_id="" if in_reply_to else str(status["id"]),
        repost_of_id=str(status["reblog"]["id"]) if status.get("reblog") else "",
        links=links,
        metrics={
            "replies": int(shown.get("replies_count") or 0),
            "reposts": int(shown.get("reblogs_count") or 0),
            "likes": int(shown.get("favourites_count") or 0),
        },
        edited_at=_when(edited) if edited else None,
        raw=status,
    )


def _reject(reason: str, item: Any) -> Reject:
    return Reject(reason=reason, raw=json.dumps(item, ensure_ascii=False, default=str).encode())


def parse_statuses(items: Iterable[Any]) -> Batch:
    batch = Batch()
    for item in items:
        try:
            batch.posts.append(parse_status(item))
        except (ValueError, TypeError, KeyError) as exc:
            batch.rejects.append(_reject(str(exc), item))
    return batch


def parse(payload: Any) -> Batch:
    """A timeline (list of statuses), a v2 search response, or one status."""
    data = load(payload)
    if isinstance(data, list):
        return parse_statuses(data)
    if isinstance(data, dict) and isinstance(data.get("statuses"), list):
        return parse_statuses(data["statuses"])
    if isinstance(data, dict) and "error" in data:
        raise ConnectorError(f"Mastodon answered with an error: {data['error']}")
    if isinstance(data, dict):
        return parse_statuses([data])
    raise ConnectorError("Mastodon sent neither statuses nor a search result")


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    data: str


def split_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Lines of a byte stream as they arrive, whatever the chunk boundaries."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line.rstrip(b"\r").decode("utf-8", errors="replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", errors="replace")


def sse_events(lines: Iterable[str]) -> Iterator[Event]:
    """Server-sent events from lines of text: `event:` and `data:` fields, a blank line ends one."""
    name, data = "message", list[str]()
    for line in lines:
        if line == "":
            if data:
                yield Event(name, "\n".join(data))
            name, data = "message", []
            continue
        if line.startswith(":"):
            continue  # a comment: Mastodon's heartbeat
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data:
        yield Event(name, "\n".join(data))


def parse_event(event: Event) -> Batch:
    """`update` and `status.update` carry a status; `delete` carries the id of a removed one."""
    if event.name in ("update", "status.update"):
        try:
            status = json.loads(event.data)
        except json.JSONDecodeError as exc:
            return Batch(
                rejects=[Reject(f"malformed JSON in {event.name}: {exc}", event.data.encode())]
            )
        return parse_statuses([status])
    if event.name == "delete":
        status_id = event.data.strip()
        if not status_id:
            return Batch(rejects=[Reject("delete without a status id", event.data.encode())])
        return Batch(posts=[deleted_post(status_id)])
    return Batch()  # notifications, filters_changed, announcements: not mentions


def deleted_post(status_id: str) -> NormalisedPost:
    return NormalisedPost(
        network=NETWORK,
        external_id=status_id,
        text="",
        author=Author(external_id="", handle=""),  # a delete names only the status
        created_at=datetime.now(UTC),
        deleted=True,
        raw={"event": "delete", "id": status_id},
    )
