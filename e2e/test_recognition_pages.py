"""Recognition in a browser, on a workspace with eight weeks of history: Olivia (owner) and Maya
(manager) read the team view, where Ravi (R&D) is credited for helping Social Care's customers;
Ravi reaches his own page with `g r`, confirms a skill his answers suggest, thanks Sam from a
conversation (the kudos panel is swapped in place) and downloads his record. With
RAPPORT_SCREENSHOTS set, each page is kept as a screenshot per role."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e import support
from rapport.cases import actions as case_actions
from rapport.core import actions
from rapport.core.events import as_of
from rapport.core.models import User
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement.models import EngagementPolicy
from rapport.inbox import actions as inbox
from rapport.inbox.tests.factories import conversation
from rapport.recognition import actions as recognition

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"
WEEKS = 8


@pytest.fixture
def acme(transactional_db):
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = workspace.memberships.get()
    EngagementPolicy.objects.create(
        workspace=workspace, record_only=True, tone_check=False, disclosure=""
    )
    people = {
        email.split("@")[0]: actions.add_member(
            owner, email=email, role=role, full_name=name, password=PASSWORD
        )
        for email, role, name in [
            ("maya@acme.example", Role.MANAGER, "Maya Lind"),
            ("sam@acme.example", Role.AGENT, "Sam Okafor"),
            ("ravi@acme.example", Role.EMPLOYEE, "Ravi Shah"),
            ("ingrid@acme.example", Role.MANAGER, "Ingrid Sorensen"),
        ]
    }
    care = actions.create_team(owner, name="Social Care")
    rnd = actions.create_team(owner, name="R&D")
    credit = actions.create_team(owner, name="Credit")
    for team, who in ((care, "sam"), (care, "maya"), (rnd, "ravi"), (credit, "ingrid")):
        actions.add_team_member(owner, team, people[who])
    sam, ravi, ingrid = people["sam"], people["ravi"], people["ingrid"]
    now = timezone.now()
    last = None
    for week in range(WEEKS):
        moment = now - dt.timedelta(days=7 * (WEEKS - week) - 3)
        with as_of(moment):
            for n in range(1 + week % 3):
                conv = conversation(workspace, "My card was declined", author=f"c{week}-{n}")
                inbox.assign(owner, conv, assignee=sam, team=care, set_team=True)
                engagement.send_reply(sam, conv.first_post, text="Sorry, we are on it.")
            lead = conversation(
                workspace, "Does your business account work with Xero?", author=f"lead{week}"
            )
            inbox.assign(owner, lead, assignee=None, team=care, set_team=True)
            inbox.tag(owner, lead, tags=["business accounts"])
            inbox.hand_off(sam, lead, to=ravi, note="Ravi, can you answer this prospect?")
            engagement.send_reply(ravi, lead.first_post, text="Yes: the Xero feed is built in.")
            if week % 2:
                recognition.give_kudos(
                    sam, ravi, "conversation", lead.pk, "Thanks for answering so quickly!"
                )
                case = case_actions.create_case(sam, subject="Refund a double charge", team=credit)
                case_actions.transition(ingrid, case, to="resolved")
            last = lead
    return {"people": people, "lead": last}


def test_recognition_pages_for_owner_manager_and_employee(browser_page, acme):
    page = browser_page
    support.sign_in(page, "olivia@acme.example", PASSWORD)
    page.goto("/w/acme/recognition/?period=quarter")
    expect(page.get_by_role("heading", name="Recognition", level=1)).to_be_visible()
    outside = page.locator("section", has=page.get_by_role("heading", name="Helped customers"))
    expect(outside).to_contain_text("Ravi Shah")
    expect(outside).to_contain_text("expert answer")
    expect(page.get_by_role("heading", name="What is counted, and what never is")).to_be_visible()
    support.screenshot(page, "recognition-team-olivia")
    page.goto("/w/acme/settings/recognition/")
    expect(page.get_by_label("Expert answer after a hand-off")).to_have_value("5")
    support.screenshot(page, "recognition-settings-olivia")

    support.sign_in(page, "maya@acme.example", PASSWORD)
    page.goto("/w/acme/recognition/")
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    support.screenshot(page, "recognition-team-maya")
    page.get_by_role("link", name="Ravi Shah").first.click()
    expect(page.get_by_role("heading", name="Ravi Shah: recognition")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, I know this")).to_have_count(0)
    support.screenshot(page, "recognition-person-maya")

    support.sign_in(page, "ravi@acme.example", PASSWORD)
    page.keyboard.press("g")
    page.keyboard.press("r")
    expect(page.get_by_role("heading", name="My recognition")).to_be_visible()
    expect(page.get_by_role("img", name="Contributions per week")).to_be_visible()
    support.screenshot(page, "recognition-person-ravi")
    page.get_by_role("button", name="Yes, I know this: business accounts").click()
    expect(page.get_by_text("“business accounts” is now one of your skills")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything about me (CSV)").click()
    content = download.value.path().read_text(encoding="utf-8")
    assert "Expert answer after a hand-off" in content
    assert "Thanks for answering so quickly!" in content

    page.goto(f"/w/acme/inbox/{acme['lead'].pk}/")
    kudos = page.locator("#kudos")
    kudos.get_by_label("Give kudos to").select_option(label="Sam Okafor")
    kudos.get_by_label("Message").fill("Thanks for sending this one my way, Sam.")
    kudos.get_by_role("button", name="Give kudos").click()
    expect(page.locator("#kudos")).to_contain_text("Kudos sent: Sam Okafor is told.")
    expect(page.locator("#kudos")).to_contain_text("Thanks for sending this one my way, Sam.")
    support.screenshot(page, "recognition-kudos-ravi")
