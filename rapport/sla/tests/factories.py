"""Small factories for SLA tests: a London office calendar and a policy on it."""

from typing import Any

from rapport.core.models import Membership
from rapport.sla import actions
from rapport.sla.calendar import ALWAYS_OPEN, WEEKDAYS_9_TO_5
from rapport.sla.models import BusinessCalendar, SlaPolicy

UK_HOLIDAYS = [
    {"date": "2026-12-25", "name": "Christmas Day"},
    {"date": "2026-12-28", "name": "Boxing Day (substitute day)"},
]


def calendar(owner: Membership, name: str = "London office", **fields: Any) -> BusinessCalendar:
    fields.setdefault("time_zone", "Europe/London")
    fields.setdefault("hours", WEEKDAYS_9_TO_5)
    fields.setdefault("holidays", UK_HOLIDAYS)
    return actions.create_calendar(owner, name=name, **fields)


def always_open(owner: Membership) -> BusinessCalendar:
    return calendar(owner, "Round the clock", time_zone="UTC", hours=ALWAYS_OPEN, holidays=[])


def policy(owner: Membership, name: str = "Standard", **fields: Any) -> SlaPolicy:
    if "calendar" not in fields:
        fields["calendar"] = calendar(owner)
    fields.setdefault("first_response_minutes", 60)
    fields.setdefault("next_response_minutes", 120)
    fields.setdefault("resolution_minutes", 480)
    return actions.create_policy(owner, name=name, **fields)
