"""The case page's SLA panel: each timer with its due time, the business time left, its state
and a bar of the target used."""

from typing import Any

from rapport.cases.models import Case
from rapport.core.models import Membership
from rapport.sla import selectors


def panel(membership: Membership, case: Case) -> dict[str, Any]:
    timers = selectors.case_timers(membership, case)
    return {
        "sla_timers": [
            {
                "view": view,
                "left": selectors.duration(view.remaining_minutes),
                "calendar": view.timer.policy.calendar.name,
                # business hours are kept in the calendar's zone, so its times are shown there
                "time_zone": view.timer.policy.calendar.time_zone,
                "policy": view.timer.policy.name,
            }
            for view in timers
        ],
    }
