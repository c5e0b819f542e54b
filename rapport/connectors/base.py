"""The contract between a network and Rapport: what a connector can do and what it hands over.

A connector turns a network's payloads into `NormalisedPost`s. It never touches the database:
`rapport.listening.ingest.receive` stores what it returns. Payloads it cannot understand come back
as `Reject`s, which are quarantined with their reason; one bad item never fails its batch.
"""

import enum
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import requests
from pydantic import BaseModel, ConfigDict

from rapport.core import http

#: The largest payload any connector accepts (a feed, a page of results, a webhook body, a mail).
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


class Capability(enum.StrEnum):
    POLL = "poll"  # search or list the network on a schedule
    STREAM = "stream"  # consume a live stream
    WEBHOOK = "webhook"  # verify and parse pushed payloads
    FETCH = "fetch"  # fetch one post by its URL (capture a post)
    PUBLISH = "publish"  # publish a reply
    EDITS = "edits"  # reports edits and deletions of posts


@dataclass(frozen=True, slots=True)
class Author:
    external_id: str  # the network's stable id for the account (not the handle, which changes)
    handle: str  # without the leading @
    display_name: str = ""
    profile_url: str = ""
    reach: int = 0  # followers, subscribers or karma: how many people the author reaches
    verified: bool = False


@dataclass(slots=True)
class NormalisedPost:
    network: str  # the connector's registry name
    external_id: str  # unique within the network
    text: str  # plain text, HTML stripped; may be empty only when `deleted`
    author: Author
    created_at: datetime  # timezone-aware
    url: str = ""
    title: str = ""  # feeds, forums, email subjects
    language: str = ""  # ISO 639-1 when the network says, else ""
    reply_to_id: str = ""  # external id of the post this answers
    thread_id: str = ""  # external id of the thread's first post
    repost_of_id: str = ""  # external id of the original, for boosts/retweets/reposts
    links: list[str] = field(default_factory=list)  # expanded URLs, where the payload has them
    metrics: dict[str, int] = field(default_factory=dict)  # likes, reposts, replies, score...
    edited_at: datetime | None = None  # set when this is a newer version of a known post
    deleted: bool = False  # the network says this post is gone
    raw: Any = None  # the payload item this came from, JSON-serialisable


@dataclass(frozen=True, slots=True)
class Reject:
    """An item that could not be parsed: kept in quarantine with the reason and its bytes."""

    reason: str
    raw: bytes


@dataclass(slots=True)
class Batch:
    posts: list[NormalisedPost] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    cursor: dict[str, Any] | None = None  # where the next poll continues; None: unchanged


@dataclass(frozen=True, slots=True)
class PublishedReply:
    external_id: str
    url: str = ""


class ConnectorError(Exception):
    """The network could not be reached or refused us; the message says what to fix."""


class WebhookRejected(Exception):
    """A pushed payload failed verification (signature, timestamp); answered with 401."""


class NotSupported(ConnectorError):
    pass


def load_json(payload: Any, network: str) -> Any:
    """A JSON payload as the network sent it (bytes or text) decoded, or one already decoded."""
    if isinstance(payload, bytes | bytearray):
        try:
            payload = bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConnectorError(f"{network} sent bytes that are not UTF-8: {exc}") from None
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except json.JSONDecodeError as exc:
            raise ConnectorError(f"{network} sent malformed JSON: {exc}") from None
    return payload


class NoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Connector:
    """Base class: a connector declares what it can do and implements those methods only."""

    name: ClassVar[str]
    label: ClassVar[str]  # the network's name as people say it
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    # What the network allows a reply, read by the engagement policy.
    #: Characters a reply may have; None when the network sets no limit Rapport knows of.
    max_reply_length: ClassVar[int | None] = None
    #: The network counts every link as this many characters, whatever its length.
    link_length: ClassVar[int | None] = None
    #: Rapport can answer in a private message there.
    private_replies: ClassVar[bool] = False
    #: Every reply goes to its author only (an email): never in public.
    private_only: ClassVar[bool] = False
    Config: ClassVar[type[BaseModel]] = NoConfig  # what the source sets: terms, feed URL...
    Credentials: ClassVar[type[BaseModel]] = NoConfig  # secrets, stored encrypted

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        credentials: Mapping[str, Any] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = self.Config.model_validate(dict(config or {}))
        self.credentials = self.Credentials.model_validate(dict(credentials or {}))
        self.http = session or http.session()

    def parse(self, payload: Any) -> Batch:
        """Turn one payload as the network sends it (a page, an event, a feed) into a batch."""
        raise NotSupported(f"{self.label} cannot parse payloads")

    def poll(self, cursor: dict[str, Any] | None) -> Batch:
        raise NotSupported(f"{self.label} cannot be polled")

    def stream(self, cursor: dict[str, Any] | None) -> Iterator[Batch]:
        raise NotSupported(f"{self.label} has no stream")

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        raise NotSupported(f"{self.label} does not receive webhooks")

    def parse_request(self, headers: Mapping[str, str], body: bytes) -> Batch:
        """Turn a pushed request, verified by `verify_webhook`, into a batch."""
        raise NotSupported(f"{self.label} does not take pushed requests")

    def fetch(self, url: str) -> NormalisedPost:
        raise NotSupported(f"{self.label} cannot fetch a post by URL")

    def publish(self, in_reply_to: NormalisedPost, text: str) -> PublishedReply:
        raise NotSupported(f"{self.label} cannot publish replies")
