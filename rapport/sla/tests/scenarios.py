"""One way to perform each SLA action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core.models import Membership
from rapport.sla import actions
from rapport.sla.calendar import ALWAYS_OPEN
from rapport.sla.tests.factories import calendar, policy


def _rule(owner: Membership) -> Any:
    return actions.add_rule(owner, policy(owner), when="breach", do="raise_priority")


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "sla.calendar.create": lambda o: calendar(o),
    "sla.calendar.update": lambda o: actions.update_calendar(
        o, calendar(o), name="Always", time_zone="UTC", hours=ALWAYS_OPEN, holidays=[]
    ),
    "sla.policy.create": lambda o: policy(o),
    "sla.policy.update": lambda o: actions.update_policy(o, policy(o), warn_percent=75),
    "sla.rule.add": _rule,
    "sla.rule.delete": lambda o: actions.delete_rule(o, _rule(o)),
    "sla.timers.start": lambda o: (policy(o), actions.start_missing_timers(o)),
}
