"""One way to perform each listening action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core.models import Membership
from rapport.listening import actions
from rapport.listening.models import ListeningQuery, Source

FEED = "https://blog.acme.example/feed/"


def make_query(owner: Membership, name: str = "Brand") -> ListeningQuery:
    return actions.create_query(owner, name=name, query='"acme bank" OR @acmebank -job')


def make_source(owner: Membership, name: str = "Acme blog") -> Source:
    return actions.create_source(owner, name=name, connector="rss", config={"feeds": [FEED]})


def make_webhook(owner: Membership, name: str = "Zapier") -> Source:
    return actions.create_source(owner, name=name, connector="webhook")


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "query.create": lambda o: make_query(o),
    "query.update": lambda o: actions.update_query(o, make_query(o), query="acme"),
    "query.activate": lambda o: actions.activate_query(
        o, actions.deactivate_query(o, make_query(o))
    ),
    "query.deactivate": lambda o: actions.deactivate_query(o, make_query(o)),
    "query.delete": lambda o: actions.delete_query(o, make_query(o)),
    "source.create": lambda o: make_source(o),
    "source.update": lambda o: actions.update_source(o, make_source(o), poll_every_seconds=600),
    "source.delete": lambda o: actions.delete_source(o, make_source(o)),
    "source.pause": lambda o: actions.pause_source(o, make_source(o)),
    "source.resume": lambda o: actions.resume_source(o, actions.pause_source(o, make_source(o))),
    "source.rotate_secret": lambda o: actions.rotate_webhook_secret(o, make_webhook(o)),
}
