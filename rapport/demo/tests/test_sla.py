"""The demo shows SLAs: Acme Bank's London calendar, policies, and timers on the demo cases with
one warned, one breached and escalated, one paused; loading again adds nothing."""

import pytest
from django.utils import timezone

from rapport.demo import case_approvals
from rapport.demo import cases as cases_demo
from rapport.demo import sla as demo
from rapport.demo import workspace as demo_workspace
from rapport.sla.models import BusinessCalendar, Escalation, SlaPolicy, SlaTimer

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_warned_a_breached_and_escalated_and_a_paused_case():
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
    cases_demo.load(workspace, owner)
    case_approvals.load(workspace, owner)
    demo.load(workspace, owner)
    london = BusinessCalendar.objects.get(workspace=workspace, name="Acme Bank London")
    assert london.time_zone == "Europe/London"
    this_year = timezone.localdate().year  # whenever the demo is loaded
    assert london.holidays == [
        {"date": day, "name": name}
        for year in (this_year, this_year + 1)
        for day, name in demo.bank_holidays(year)
    ]
    assert SlaPolicy.objects.filter(workspace=workspace, active=True).count() >= 3

    timers = SlaTimer.objects.filter(workspace=workspace).select_related("case")
    warned = timers.get(case__subject=demo.WARNED, metric="resolution")
    assert warned.warned_at is not None
    assert warned.breached_at is None
    breached = timers.get(case__subject=demo.BREACHED, metric="first_response")
    assert breached.breached_at is not None
    assert Escalation.objects.filter(timer=breached).count() == 3
    assert breached.case.tasks.filter(title="Call the customer back today").exists()
    paused = timers.get(case__subject=demo.PAUSED, metric="resolution")
    assert paused.state == SlaTimer.State.PAUSED

    counts = (timers.count(), Escalation.objects.count(), SlaPolicy.objects.count())
    demo.load(workspace, owner)
    assert (timers.count(), Escalation.objects.count(), SlaPolicy.objects.count()) == counts


def test_the_demo_calendar_knows_the_bank_holidays_gov_uk_published():
    """Substitute days included (gov.uk's lists for 2023, 2026 and 2027)."""
    assert demo.bank_holidays(2027) == [
        ("2027-01-01", "New Year's Day"),
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-03", "Early May bank holiday"),
        ("2027-05-31", "Spring bank holiday"),
        ("2027-08-30", "Summer bank holiday"),
        ("2027-12-27", "Christmas Day (substitute day)"),
        ("2027-12-28", "Boxing Day (substitute day)"),
    ]
    assert demo.bank_holidays(2026)[-2:] == [
        ("2026-12-25", "Christmas Day"),
        ("2026-12-28", "Boxing Day (substitute day)"),
    ]
    assert demo.bank_holidays(2023)[0] == ("2023-01-02", "New Year's Day (substitute day)")
