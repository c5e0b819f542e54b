"""A generic signed webhook: any tool can push posts to Rapport.

Signing (Stripe-style). Each request carries

    X-Rapport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}." + body)>

computed over the raw body bytes with the source's secret. A request is refused (401, logged)
when the header is missing or malformed, when `t` is more than 5 minutes old or ahead of our
clock (a replay, or a wrong clock), or when no `v1` matches. Several `v1=` values may be sent
while a secret is being rotated. Comparison is constant-time.

Body: `Content-Type: application/json`, at most 10 MB and 1,000 posts:

    {"posts": [{"network": "mastodon", "external_id": "…", "text": "…",
                "author": {"id": "…", "handle": "…", "name": "…", "reach": 0},
                "url": "https://…", "created_at": "2024-03-05T10:12:44Z",
                "language": "en", "reply_to_id": "…", …}]}

(the item is `rapport.connectors.webhook.schema.PostItem`). An invalid item is a `Reject` naming
its field; the others are kept. The endpoint calls `verify_webhook(headers, body)`, then
`parse_request(headers, body)`.
"""

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from rapport.connectors.base import (
    Batch,
    Capability,
    Connector,
    ConnectorError,
    Reject,
    WebhookRejected,
)
from rapport.connectors.webhook.schema import MAX_BODY_BYTES, as_bytes, item_to_post

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Rapport-Signature"
TOLERANCE_SECONDS = 300
MAX_POSTS = 1000


class WebhookCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: SecretStr = Field(description="Shared secret, at least 32 characters")

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("the secret must be at least 32 characters")
        return value


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value a sender computes; tools and tests use it."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


class WebhookConnector(Connector):
    name = "webhook"
    label = "Signed webhook"
    capabilities = frozenset({Capability.WEBHOOK})
    Credentials: ClassVar[type[BaseModel]] = WebhookCredentials

    credentials: WebhookCredentials

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        try:
            self._verify(headers, body)
        except WebhookRejected as error:
            logger.warning("Webhook rejected: %s", error)
            raise

    def _verify(self, headers: Mapping[str, str], body: bytes) -> None:
        value = _header(headers, SIGNATURE_HEADER)
        if not value:
            raise WebhookRejected(f"missing {SIGNATURE_HEADER} header")
        timestamp, signatures = None, []
        for part in value.split(","):
            key, _, item = part.strip().partition("=")
            if key == "t" and item.isdigit():
                timestamp = int(item)
            elif key == "v1" and item:
                signatures.append(item)
        if timestamp is None or not signatures:
            raise WebhookRejected(
                f"malformed {SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex>"
            )
        age = int(time.time()) - timestamp
        if age > TOLERANCE_SECONDS:
            raise WebhookRejected(
                f"timestamp too old: signed {age} seconds ago, the limit is {TOLERANCE_SECONDS}"
            )
        if age < -TOLERANCE_SECONDS:
            raise WebhookRejected(f"timestamp in the future: {-age} seconds ahead of our clock")
        expected = sign(self.credentials.secret.get_secret_value(), body, timestamp)
        expected_hex = expected.partition("v1=")[2]
        if not any(hmac.compare_digest(expected_hex, given) for given in signatures):
            raise WebhookRejected("bad signature")

    def parse_request(self, headers: Mapping[str, str], body: bytes) -> Batch:
        content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ConnectorError(
                f"Content-Type must be application/json, not {content_type or 'missing'}"
            )
        return self.parse(body)

    def parse(self, payload: Any) -> Batch:
        if isinstance(payload, bytes | bytearray | str):
            if len(payload) > MAX_BODY_BYTES:
                raise ConnectorError(f"The body is {len(payload)} bytes; the limit is 10 MB")
            try:
                payload = json.loads(payload)
            except UnicodeDecodeError as error:
                raise ConnectorError(f"The body is not valid UTF-8 (byte {error.start})") from error
            except json.JSONDecodeError as error:
                raise ConnectorError(f"The body is not JSON: {error}") from error
        posts = payload.get("posts") if isinstance(payload, dict) else None
        if not isinstance(posts, list):
            raise ConnectorError('The body must be a JSON object with a "posts" list')
        if len(posts) > MAX_POSTS:
            raise ConnectorError(f"{len(posts)} posts in one body; the limit is {MAX_POSTS}")
        batch = Batch()
        for index, item in enumerate(posts):
            try:
                batch.posts.append(item_to_post(item))
            except ValueError as error:
                batch.rejects.append(Reject(reason=f"posts[{index}]: {error}", raw=as_bytes(item)))
        return batch
