"""SLAs in the demo workspace: Acme Bank's London calendar (Mon-Fri 9-17, UK bank holidays),
policies by priority and for the demo case types, escalation rules, and timers on the demo cases,
one of them warned, one breached and escalated, one paused while waiting on the customer.

Idempotent: calendars and policies are found by name; only cases without timers get them.
"""

import datetime as dt
from typing import Any

import dateutil.easter
from django.db import transaction
from django.utils import timezone

from rapport.cases.models import Case, CaseType, Status
from rapport.core.models import Membership, Team, Workspace
from rapport.core.priority import Priority
from rapport.sla import actions, timers
from rapport.sla.calendar import WEEKDAYS_9_TO_5, subtract_business_time
from rapport.sla.models import BusinessCalendar, EscalationRule, Metric, SlaPolicy, SlaTimer
from rapport.sla.sweep import sweep

CALENDAR = "Acme Bank London"

# name -> (case type name or None, priority or None, first, next, resolution, warn %)
POLICIES = [
    ("Urgent cases", None, Priority.URGENT, 30, 60, 480, 75),
    ("High priority", None, Priority.HIGH, 60, 120, 960, 80),
    ("Standard", None, None, 240, 480, 2400, 80),
    ("Payment disputes", "Payment dispute", None, 60, 240, 960, 80),
    ("Product defects", "Product defect", None, 120, 480, 4800, 80),
]

# demo case subject -> what its timers show
WARNED = "Mortgage payment taken twice"
BREACHED = "Remortgage offer for a loyal customer"
PAUSED = "Card blocked abroad"


def load(workspace: Workspace, owner: Membership) -> None:
    with transaction.atomic():
        calendar = _calendar(workspace, owner)
        _policies(workspace, owner, calendar)
        _timers(workspace)
    sweep(inline=True)


def bank_holidays(year: int) -> list[tuple[str, str]]:
    """England and Wales bank holidays in `year` (the regular ones; one-off royal occasions are
    not foreseeable). A holiday on a weekend moves to the next weekday that is not one already."""
    easter = dateutil.easter.easter(year)
    may = [dt.date(year, 5, d) for d in range(1, 32) if dt.date(year, 5, d).weekday() == 0]
    august_31 = dt.date(year, 8, 31)
    days = [
        (dt.date(year, 1, 1), "New Year's Day"),
        (easter - dt.timedelta(days=2), "Good Friday"),
        (easter + dt.timedelta(days=1), "Easter Monday"),
        (may[0], "Early May bank holiday"),
        (may[-1], "Spring bank holiday"),
        (august_31 - dt.timedelta(days=august_31.weekday()), "Summer bank holiday"),
        (dt.date(year, 12, 25), "Christmas Day"),
        (dt.date(year, 12, 26), "Boxing Day"),
    ]
    taken = {day for day, _ in days if day.weekday() < 5}
    holidays = []
    for day, name in days:
        if day.weekday() >= 5:
            while day.weekday() >= 5 or day in taken:
                day += dt.timedelta(days=1)
            taken.add(day)
            name += " (substitute day)"
        holidays.append((day.isoformat(), name))
    return sorted(holidays)


def _calendar(workspace: Workspace, owner: Membership) -> BusinessCalendar:
    found = BusinessCalendar.objects.filter(workspace=workspace, name=CALENDAR).first()
    if found is not None:
        return found
    this_year = timezone.localdate().year
    return actions.create_calendar(
        owner,
        name=CALENDAR,
        time_zone="Europe/London",
        hours=WEEKDAYS_9_TO_5,
        holidays=[
            {"date": d, "name": n}
            for year in (this_year, this_year + 1)
            for d, n in bank_holidays(year)
        ],
    )


def _policies(workspace: Workspace, owner: Membership, calendar: BusinessCalendar) -> None:
    people = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    for name, type_name, priority, first, nxt, resolution, warn in POLICIES:
        if SlaPolicy.objects.filter(workspace=workspace, name=name).exists():
            continue
        case_type = None
        if type_name is not None:
            case_type = CaseType.objects.filter(workspace=workspace, name=type_name).first()
            if case_type is None:
                continue  # that case type is not in this demo (yet)
        policy = actions.create_policy(
            owner,
            name=name,
            case_type=case_type,
            priority=priority,
            calendar=calendar,
            first_response_minutes=first,
            next_response_minutes=nxt,
            resolution_minutes=resolution,
            warn_percent=warn,
        )
        for when, do, metric, extra in _rules(name, workspace, people):
            actions.add_rule(owner, policy, when=when, do=do, metric=metric, **extra)


def _rules(
    name: str, workspace: Workspace, people: dict[str, Membership]
) -> list[tuple[str, str, str, dict[str, Any]]]:
    breach, warning = EscalationRule.When.BREACH, EscalationRule.When.WARNING
    do = EscalationRule.Do
    if name == "Urgent cases":
        return [
            (warning, do.NOTIFY_MANAGER, "", {}),
            (
                breach,
                do.REASSIGN,
                Metric.FIRST_RESPONSE,
                {"assignee": people.get("maya@acme.example")},
            ),
            (
                breach,
                do.OPEN_TASK,
                Metric.RESOLUTION,
                {"task_title": "Agree a fix date with R&D today"},
            ),
        ]
    if name == "Payment disputes":
        credit = Team.objects.filter(workspace=workspace, name="Credit").first()
        return [
            (warning, do.NOTIFY_MANAGER, Metric.RESOLUTION, {}),
            (
                breach,
                do.REASSIGN,
                Metric.RESOLUTION,
                {"team": credit, "assignee": people.get("ingrid@acme.example")},
            ),
        ]
    if name == "Standard":
        return [
            (breach, do.NOTIFY_MANAGER, Metric.FIRST_RESPONSE, {}),
            (breach, do.RAISE_PRIORITY, "", {}),
            (
                breach,
                do.OPEN_TASK,
                Metric.FIRST_RESPONSE,
                {"task_title": "Call the customer back today"},
            ),
        ]
    return [(breach, do.NOTIFY_MANAGER, "", {})]


def _timers(workspace: Workspace) -> None:
    """Timers for the demo cases that have none, set in the past so the page tells a story."""
    now = timezone.now()
    cases = Case.objects.filter(workspace=workspace).exclude(
        pk__in=SlaTimer.objects.filter(workspace=workspace).values("case_id")
    )
    for case in cases.select_related("workspace"):
        policy = timers.policy_for(case)
        if policy is None:
            continue
        cal = policy.calendar
        if case.subject == WARNED:  # 85% of the resolution target used; answered publicly
            target = policy.resolution_minutes or 0
            started = subtract_business_time(cal, now, target * 0.85)
            _start(case, started)
            _meet_first_response(case, subtract_business_time(cal, now, target * 0.8))
        elif case.subject == BREACHED:  # nobody answered the lead for too long
            started = subtract_business_time(cal, now, (policy.first_response_minutes or 0) + 90)
            _start(case, started)
        elif case.subject == PAUSED:  # answered, then waiting on the customer's confirmation
            started = subtract_business_time(cal, now, 150)
            _start(case, started)
            _meet_first_response(case, subtract_business_time(cal, now, 120))
            timers.pause(case, subtract_business_time(cal, now, 60))
        elif case.status in (Status.RESOLVED, Status.CLOSED):
            done = case.resolved_at or now
            _start(case, subtract_business_time(cal, done, 300))
            _meet_first_response(case, subtract_business_time(cal, done, 200))
            timers.meet(case, (Metric.RESOLUTION,), done)
        else:
            _start(case, subtract_business_time(cal, now, 20))
            if case.status == Status.WAITING_CUSTOMER:
                timers.pause(case, now)


def _start(case: Case, at: dt.datetime) -> None:
    timers.start(case, at=at)


def _meet_first_response(case: Case, at: dt.datetime) -> None:
    timers.meet(case, (Metric.FIRST_RESPONSE,), at)
