"""Signed webhook: signature and replay checks, the pushed post format, bad bodies."""

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from rapport.connectors.base import Capability, ConnectorError, WebhookRejected
from rapport.connectors.registry import connector_class
from rapport.connectors.webhook.connector import WebhookConnector, sign

FIXTURES = Path(__file__).parents[1] / "webhook" / "fixtures"
SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret"
BODY = (FIXTURES / "push.json").read_bytes()


def connector() -> WebhookConnector:
    return WebhookConnector(credentials={"secret": SECRET})


def headers(signature: str) -> dict[str, str]:
    return {"X-Rapport-Signature": signature, "Content-Type": "application/json"}


def test_registry_names_the_connector_and_its_capability():
    assert connector_class("webhook") is WebhookConnector
    assert WebhookConnector.capabilities == {Capability.WEBHOOK}


def test_a_correctly_signed_body_is_accepted_and_its_posts_read():
    webhook = connector()
    webhook.verify_webhook({"x-rapport-signature": sign(SECRET, BODY)}, BODY)
    batch = webhook.parse_request(headers(sign(SECRET, BODY)), BODY)

    support, mastodon = batch.posts
    assert support.text == "The app crashes every time I open the transfer screen on Android 14."
    assert support.network == "webhook"
    assert support.author.external_id == "zd-user-8812"
    assert support.author.display_name == "Sam Okafor"
    assert support.title == "Transfer screen crash"
    assert support.created_at == datetime(2024, 3, 4, 18, 40, 2, tzinfo=UTC)
    assert mastodon.network == "mastodon"
    assert mastodon.author.handle == "dana@mastodon.social"
    assert mastodon.author.reach == 310
    assert mastodon.reply_to_id == "112048400000000001"
    assert mastodon.created_at == datetime(2024, 3, 5, 10, 2, tzinfo=UTC)
    (reject,) = batch.rejects
    assert reject.reason == "posts[2]: text: a post needs text (only a deleted post may have none)"
    assert json.loads(reject.raw)["external_id"] == "zd-ticket-5521-comment-2"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing X-Rapport-Signature header"),
        ("v1=abc", "malformed X-Rapport-Signature header"),
        ("t=soon,v1=abc", "malformed X-Rapport-Signature header"),
        (lambda: sign(SECRET, BODY, int(time.time()) - 301), "timestamp too old"),
        (lambda: sign(SECRET, BODY, int(time.time()) + 600), "timestamp in the future"),
        (lambda: sign("another-secret-another-secret-xx", BODY), "bad signature"),
        (lambda: sign(SECRET, BODY + b" "), "bad signature"),
    ],
)
def test_bad_or_missing_signatures_and_old_timestamps_are_rejected_and_logged(
    header, reason, caplog
):
    value = header() if callable(header) else header
    sent = {} if value is None else {"X-Rapport-Signature": value}
    with caplog.at_level(logging.WARNING), pytest.raises(WebhookRejected, match=reason):
        connector().verify_webhook(sent, BODY)
    assert reason in caplog.text


def test_a_rotated_secret_may_send_two_signatures():
    old = sign("old-secret-old-secret-old-secret-", BODY)
    new = sign(SECRET, BODY).partition(",")[2]
    connector().verify_webhook({"X-Rapport-Signature": f"{old},{new}"}, BODY)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"posts": [], \xff}', "not valid UTF-8"),
        (b'{"items": []}', 'with a "posts" list'),
        (b"[]", 'with a "posts" list'),
        (json.dumps({"posts": [{}] * 1001}).encode(), "1001 posts in one body; the limit is 1000"),
        (b" " * (10 * 1024 * 1024 + 1), "limit is 10 MB"),
    ],
)
def test_unusable_bodies_are_clear_errors(body, message):
    with pytest.raises(ConnectorError, match=message):
        connector().parse(body)


def test_wrong_content_type_is_refused():
    with pytest.raises(ConnectorError, match="must be application/json, not text/plain"):
        connector().parse_request({"Content-Type": "text/plain"}, BODY)


def test_each_invalid_item_names_its_field():
    batch = connector().parse(
        {
            "posts": [
                {"network": "myspace", "external_id": "1", "text": "x", "author": {"id": "a"},
                 "created_at": "2024-03-04T18:40:02Z"},
                {"network": "webhook", "external_id": "2", "text": "x", "author": {"id": "a"},
                 "created_at": "2024-03-04 18:40"},
                {"network": "webhook", "external_id": "3", "text": "x", "author": {},
                 "created_at": "2024-03-04T18:40:02Z", "colour": "red"},
                "just text",
            ]
        }
    )  # fmt: skip
    assert batch.posts == []
    reasons = [r.reason for r in batch.rejects]
    assert reasons[0].startswith("posts[0]: network: unknown network 'myspace'; known: bluesky")
    assert reasons[1] == "posts[1]: created_at: Input should have timezone info"
    assert (
        reasons[2] == "posts[2]: author.id: Field required; colour: Extra inputs are not permitted"
    )
    assert reasons[3] == "posts[3]: a post is a JSON object, not str"


def test_the_secret_must_be_long():
    with pytest.raises(ValidationError, match="at least 32 characters"):
        WebhookConnector(credentials={"secret": "short"})
