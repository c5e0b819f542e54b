"""X API v2 answers (tweets with their expansions) to normalised posts."""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rapport.connectors.base import Author, Batch, ConnectorError, NormalisedPost, Reject, load_json

NETWORK = "x"
TWEPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here


def load(payload: Any) -> Any:
    """Bytes or text as the API sent them, or an already decoded payload."""
    return load_json(payload, "X")


def error_message(errors: Any) -> str:
    """The API's own words: `detail` (problem objects) or `message` (older errors)."""
    if not isinstance(errors, list):
        errors = [errors]
    parts = [
        str(e.get("detail") or e.get("message") or e.get("title") or e)
        if isinstance(e, dict)
        else str(e)
        for e in errors
    ]
    return "; ".join(parts)


def _when(tweet: Mapping[str, Any]) -> datetime:
    value = tweet.get("created_at")
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    tweet_id = str(tweet.get("id") or "")
    if tweet_id.isdigit() and int(tweet_id) > 2**22:  # the creation time is in the id
        return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWEPOCH_MS) / 1000, UTC)
    raise ValueError("tweet has no created_at")


def _author(user: Mapping[str, Any]) -> Author:
    username = str(user.get("username") or "")
    metrics = user.get("public_metrics") or {}
    return Author(
        external_id=str(user["id"]),
        handle=username,
        display_name=str(user.get("name") or ""),
        profile_url=f"https://x.com/{username}" if username else "",
        reach=int(metrics.get("followers_count") or 0),
        verified=bool(user.get("verified")),
    )


def _text_and_links(tweet: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The text with t.co links replaced by where they lead, and those addresses."""
    text = str(tweet.get("text") or "")
    links: list[str] = []
    for url in (tweet.get("entities") or {}).get("urls") or []:
        short, expanded = url.get("url"), url.get("unwound_url") or url.get("expanded_url")
        if not short or not expanded:
            continue
        text = text.replace(short, expanded)
        if "/photo/" in expanded or "/video/" in expanded:
            continue  # the tweet's own media, not a link out
        links.append(expanded)
    return text.strip(), list(dict.fromkeys(links))


def parse_tweet(tweet: Any, users: Mapping[str, Mapping[str, Any]]) -> NormalisedPost:
    if not isinstance(tweet, dict):
        raise ValueError("a tweet must be a JSON object")
    tweet_id = str(tweet.get("id") or "")
    if not tweet_id:
        raise ValueError("tweet has no id")
    author_id = str(tweet.get("author_id") or "")
    if not author_id:
        raise ValueError("tweet has no author_id (the author_id expansion was not asked for)")
    user = users.get(author_id) or {"id": author_id}
    text, links = _text_and_links(tweet)
    if not text:
        raise ValueError("tweet has no text")
    refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or []}
    metrics = tweet.get("public_metrics") or {}
    author = _author(user)
    return NormalisedPost(
        network=NETWORK,
        external_id=tweet_id,
        text=text,
        author=author,
        created_at=_when(tweet),
        url=f"https://x.com/{author.handle or 'i/web'}/status/{tweet_id}",
        language=str(tweet.get("lang") or "").removeprefix("und").split("-")[0].lower(),
        reply_to_id=refs.get("replied_to", ""),
        thread_id=str(tweet.get("conversation_id") or ""),
        repost_of_id=refs.get("retweeted", ""),
        links=links,
        metrics={
            "likes": int(metrics.get("like_count") or 0),
            "reposts": int(metrics.get("retweet_count") or 0),
            "replies": int(metrics.get("reply_count") or 0),
            "quotes": int(metrics.get("quote_count") or 0),
        },
        raw=tweet,
    )


def parse(payload: Any) -> Batch:
    """A v2 answer: `data` (one tweet or a list), `includes.users`, `errors`, `meta`."""
    body = load(payload)
    if not isinstance(body, dict):
        raise ConnectorError("X sent neither tweets nor an error")
    data = body.get("data")
    if data is None:
        if body.get("errors") or body.get("detail") or body.get("title"):
            raise ConnectorError(
                f"X answered with an error: {error_message(body.get('errors') or body)}"
            )
        if "meta" in body:
            return Batch()  # a search with no new tweets
        raise ConnectorError("X sent neither tweets nor an error")
    tweets = data if isinstance(data, list) else [data]
    includes = body.get("includes") or {}
    users = {
        str(u["id"]): u for u in includes.get("users") or [] if isinstance(u, dict) and u.get("id")
    }
    batch = Batch()
    for tweet in tweets:
        try:
            batch.posts.append(parse_tweet(tweet, users))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raw = json.dumps(tweet, ensure_ascii=False, default=str).encode()
            batch.rejects.append(Reject(reason=str(exc), raw=raw))
    return batch
