"""What every connector declares: what a reply may be on its network, and the pushed requests
only a webhook takes."""

import pytest

from rapport.connectors.base import NotSupported
from rapport.connectors.registry import CONNECTORS, connector_class
from rapport.connectors.rss.connector import RssConnector

#: network -> (characters a reply may have, characters a link counts for, private, private only)
REPLIES = {
    "x": (280, 23, False, False),
    "bluesky": (300, None, False, False),
    "mastodon": (500, 23, False, False),
    "reddit": (10_000, None, False, False),
    "email": (None, None, True, True),
    "rss": (None, None, False, False),
    "hackernews": (None, None, False, False),
    "webhook": (None, None, False, False),
    "file": (None, None, False, False),
}


@pytest.mark.parametrize("network", sorted(CONNECTORS))
def test_each_network_declares_what_a_reply_may_be(network):
    cls = connector_class(network)
    declared = (cls.max_reply_length, cls.link_length, cls.private_replies, cls.private_only)
    assert declared == REPLIES[network]


def test_a_connector_that_takes_no_pushed_requests_says_so():
    with pytest.raises(NotSupported, match="RSS/Atom feeds does not take pushed requests"):
        RssConnector({"feeds": ["https://blog.example/feed/"]}).parse_request({}, b"{}")
