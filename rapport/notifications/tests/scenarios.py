"""One way to perform each notifications action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core import actions as core_actions
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.notifications import actions
from rapport.notifications.models import Kind, Notification


def _notified(owner: Membership) -> Notification:
    colleague = core_actions.add_member(owner, email="colleague@acme.example", role=Role.AGENT)
    found = actions.notify(owner, Kind.MENTION, "Sam mentioned you", "/w/acme/", actor=colleague)
    assert found is not None
    return found


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "notification.read": lambda o: actions.mark_read(o, [_notified(o)]),
    "notification.read_all": lambda o: actions.mark_all_read(o),
    "notification.preferences": lambda o: actions.set_preferences(o, {Kind.ASSIGNED: (True, True)}),
}
