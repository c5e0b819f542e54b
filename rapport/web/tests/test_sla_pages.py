"""Settings → SLAs (calendars, policies, escalation rules) and the case page's SLA panel."""

import pytest

from rapport.cases import actions as cases
from rapport.core.roles import Role
from rapport.sla.models import BusinessCalendar, EscalationRule, SlaPolicy
from rapport.sla.tests.factories import calendar, policy

pytestmark = pytest.mark.django_db

WEEK = {
    "day_0": "09:00-17:00",
    "day_1": "9:00-12:30, 13:30-17:00",
    "day_2": "09:00-17:00",
    "day_3": "09:00-17:00",
    "day_4": "09:00-16:00",
    "day_5": "",
    "day_6": "",
}


def test_an_admin_makes_a_calendar_and_bad_hours_are_named(signed_in, owner):
    client = signed_in(owner)
    page = client.get("/w/acme/settings/sla/")
    assert "No SLA policies yet" in page.content.decode()
    bad = client.post(
        "/w/acme/settings/sla/calendars/new/",
        {
            "name": "London",
            "time_zone": "Europe/Londn",
            **WEEK,
            "day_0": "9 to 5",
            "holidays": "2026-12-25 Christmas Day\n2026-13-01 Nope",
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "&#x27;9 to 5&#x27; is not opening hours" in text
    assert "Line 2: &#x27;2026-13-01&#x27; is not a date" in text
    assert not BusinessCalendar.objects.exists()

    bad_zone = client.post(
        "/w/acme/settings/sla/calendars/new/",
        {"name": "London", "time_zone": "Europe/Londn", **WEEK, "holidays": ""},
    )
    assert "&#x27;Europe/Londn&#x27; is not a time zone" in bad_zone.content.decode()

    good = client.post(
        "/w/acme/settings/sla/calendars/new/",
        {
            "name": "London",
            "time_zone": "Europe/London",
            **WEEK,
            "holidays": "2026-12-25 Christmas Day\n\n2026-12-28 Boxing Day (substitute day)",
        },
    )
    assert good.status_code == 302
    saved = BusinessCalendar.objects.get(name="London")
    assert saved.hours["1"] == [["09:00", "12:30"], ["13:30", "17:00"]]
    assert saved.hours["5"] == []
    assert [h["name"] for h in saved.holidays] == ["Christmas Day", "Boxing Day (substitute day)"]
    edit = client.get(f"/w/acme/settings/sla/calendars/{saved.pk}/").content.decode()
    assert "09:00-12:30, 13:30-17:00" in edit


def test_a_policy_and_its_escalation_rules_are_set_in_settings(signed_in, owner, acme, make_member):
    office = calendar(owner)
    senior = make_member(acme, Role.MANAGER, "ingrid@acme.test")
    client = signed_in(owner)
    missing = client.post(
        "/w/acme/settings/sla/policies/new/",
        {"name": "Standard", "calendar": office.pk, "warn_percent": 80},
    )
    assert missing.status_code == 400
    assert "Set at least one target" in missing.content.decode()
    made = client.post(
        "/w/acme/settings/sla/policies/new/",
        {
            "name": "Standard",
            "calendar": office.pk,
            "first_response_minutes": 60,
            "resolution_minutes": 960,
            "warn_percent": 75,
            "active": "on",
        },
    )
    assert made.status_code == 302
    standard = SlaPolicy.objects.get(name="Standard")
    assert (standard.first_response_minutes, standard.warn_percent) == (60, 75)

    nobody = client.post(
        f"/w/acme/settings/sla/policies/{standard.pk}/rules/", {"when": "breach", "do": "reassign"}
    )
    assert nobody.status_code == 400
    assert "Reassign to whom?" in nobody.content.decode()
    client.post(
        f"/w/acme/settings/sla/policies/{standard.pk}/rules/",
        {"when": "breach", "do": "reassign", "assignee": senior.pk},
    )
    rule = EscalationRule.objects.get(policy=standard)
    assert rule.assignee == senior
    page = client.get(f"/w/acme/settings/sla/policies/{standard.pk}/").content.decode()
    assert "After the breach, any target: reassign the case" in page
    client.post(f"/w/acme/settings/sla/rules/{rule.pk}/delete/")
    assert not EscalationRule.objects.exists()
    listing = client.get("/w/acme/settings/sla/?q=stand").content.decode()
    assert "Standard" in listing
    assert "960 min" in listing


def test_agents_see_the_policies_but_cannot_change_them(signed_in, owner, acme, make_member):
    policy(owner)
    agent = make_member(acme, Role.AGENT)
    client = signed_in(agent)
    assert "Standard" in client.get("/w/acme/settings/sla/").content.decode()
    assert client.get("/w/acme/settings/sla/policies/new/").status_code == 403
    assert (
        client.post(
            "/w/acme/settings/sla/calendars/new/",
            {"name": "Mine", "time_zone": "UTC", **WEEK, "holidays": ""},
        ).status_code
        == 403
    )


def test_another_workspaces_calendars_and_policies_are_404(signed_in, globex, make_member, owner):
    theirs = policy(make_member(globex, Role.OWNER))
    client = signed_in(owner)
    assert client.get(f"/w/acme/settings/sla/policies/{theirs.pk}/").status_code == 404
    assert client.get(f"/w/acme/settings/sla/calendars/{theirs.calendar_id}/").status_code == 404
    assert "Standard" not in client.get("/w/acme/settings/sla/").content.decode()


def test_the_case_page_shows_each_timer_with_its_due_time_and_state(signed_in, owner):
    policy(owner, calendar=calendar(owner, hours={str(d): [["00:00", "24:00"]] for d in range(7)}))
    case = cases.create_case(owner, subject="Charged twice <b>now</b>", owner=owner)
    cases.add_comment(owner, case, body="We are on it", public=True)
    page = signed_in(owner).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert 'id="sla-title"' in page
    assert "First response" in page
    assert "Met" in page
    assert "Resolution" in page
    assert "of business time left" in page
    assert "sla-bar" in page


def test_the_case_page_shows_due_times_in_the_calendars_time_zone(signed_in, owner):
    from zoneinfo import ZoneInfo

    from django.utils.dateformat import format as date_format

    from rapport.sla.models import SlaTimer

    tokyo = calendar(owner, "Tokyo desk", time_zone="Asia/Tokyo", holidays=[])
    policy(owner, calendar=tokyo)
    case = cases.create_case(owner, subject="Card blocked in Osaka", owner=owner)
    timer = SlaTimer.objects.get(case=case, metric="resolution")
    page = signed_in(owner).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert date_format(timer.due_at.astimezone(ZoneInfo("Asia/Tokyo")), "D j M, H:i") in page
    assert "Tokyo desk (Asia/Tokyo)" in page


def test_a_case_without_a_policy_says_so(signed_in, owner):
    case = cases.create_case(owner, subject="Quiet")
    page = signed_in(owner).get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "No SLA applies to this case" in page


def test_another_workspaces_escalation_rule_cannot_be_removed(
    signed_in, globex, make_member, owner
):
    other = make_member(globex, Role.OWNER)
    theirs = EscalationRule.objects.create(
        workspace=globex, policy=policy(other), when="breach", do="raise_priority"
    )
    response = signed_in(owner).post(f"/w/acme/settings/sla/rules/{theirs.pk}/delete/")
    assert response.status_code == 404
    assert EscalationRule.objects.filter(pk=theirs.pk).exists()
