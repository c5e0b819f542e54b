"""Connector names to classes, imported only when a connector is used."""

from django.utils.module_loading import import_string

from rapport.connectors.base import Connector

CONNECTORS: dict[str, str] = {
    "rss": "rapport.connectors.rss.connector.RssConnector",
    "mastodon": "rapport.connectors.mastodon.connector.MastodonConnector",
    "bluesky": "rapport.connectors.bluesky.connector.BlueskyConnector",
    "reddit": "rapport.connectors.reddit.connector.RedditConnector",
    "hackernews": "rapport.connectors.hackernews.connector.HackerNewsConnector",
    "x": "rapport.connectors.x.connector.XConnector",
    "email": "rapport.connectors.email.connector.EmailConnector",
    "webhook": "rapport.connectors.webhook.connector.WebhookConnector",
    "file": "rapport.connectors.file.connector.FileConnector",
}


class UnknownNetwork(KeyError):
    def __str__(self) -> str:
        return f"Unknown network {self.args[0]!r}; known: {', '.join(sorted(CONNECTORS))}"


def connector_class(name: str) -> type[Connector]:
    try:
        path = CONNECTORS[name]
    except KeyError:
        raise UnknownNetwork(name) from None
    cls: type[Connector] = import_string(path)
    return cls
