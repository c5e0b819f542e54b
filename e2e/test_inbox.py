"""The inbox in the browser: (4) an agent moves through conversations with j/k, takes one with
`a` and closes one with `e`; (1) an employee from Finance captures a post by its address, hands
it to R&D by skill, and the R&D engineer answers it publicly."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e import support
from e2e.support import screenshot
from rapport.core import actions
from rapport.core.models import Membership, Team, User
from rapport.core.roles import Role
from rapport.inbox.models import Activity, Conversation, Status
from rapport.inbox.tests.factories import conversation

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


def sign_in(page: Page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


@pytest.fixture
def acme(transactional_db) -> Membership:
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    return workspace.memberships.get()


def test_keyboard_moves_assigns_and_closes(browser_page: Page, acme):
    page = browser_page
    sam = actions.add_member(
        acme, email="sam@acme.example", role=Role.AGENT, full_name="Sam Okafor", password=PASSWORD
    )
    now = timezone.now()
    for i, text in enumerate(["Card declined at the till", "App logs me out", "ISA rate?"]):
        conversation(acme.workspace, text, author=f"c{i}", at=now - timedelta(minutes=i))
    sign_in(page, "sam@acme.example")
    page.keyboard.press("g")
    page.keyboard.press("i")
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    rows = page.locator("[data-inbox-row]")
    expect(rows).to_have_count(3)
    # The heading shows before the deferred scripts run; a key pressed then would be lost.
    page.wait_for_load_state("domcontentloaded")

    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(2)).to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(1)).to_contain_text("App logs me out")

    page.keyboard.press("a")  # assign the current one to me
    taken = _pk("App logs me out")
    expect(page.locator(f"#conv-{taken} [data-assignee]")).to_contain_text("Sam Okafor")
    expect(page.locator(f"#conv-{_pk('App logs me out')}")).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(page, "inbox-keyboard-assigned")

    page.keyboard.press("k")
    expect(rows.nth(0)).to_contain_text("Card declined at the till")
    page.keyboard.press("e")  # close it: it leaves the open view
    expect(page.locator("[data-inbox-row]")).to_have_count(2)
    expect(page.get_by_text("Card declined at the till")).to_have_count(0)

    assert Conversation.objects.get(subject="App logs me out").assignee == sam
    assert Conversation.objects.get(subject="Card declined at the till").status == Status.CLOSED

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("App logs me out")
    page.keyboard.press("e")
    expect(page.locator("#conv-status")).to_have_text("Closed")


def _pk(subject: str) -> int:
    return Conversation.objects.get(subject=subject).pk


def test_finance_captures_hands_to_rnd_by_skill_and_rnd_answers(browser_page: Page, acme):
    from rapport.engagement.models import EngagementPolicy, Reply
    from rapport.people import actions as people
    from rapport.triage.classifier import get_classifier

    page = browser_page
    tom = actions.add_member(
        acme,
        email="tom@acme.example",
        role=Role.EMPLOYEE,
        full_name="Tom Becker",
        title="Accountant",
        password=PASSWORD,
    )
    ravi = actions.add_member(
        acme,
        email="ravi@acme.example",
        role=Role.EMPLOYEE,
        full_name="Ravi Patel",
        title="Savings products engineer",
        password=PASSWORD,
    )
    finance = actions.create_team(acme, name="Finance")
    rnd = actions.create_team(acme, name="R&D")
    actions.add_team_member(acme, finance, tom)
    actions.add_team_member(acme, rnd, ravi)
    people.set_member_skill(acme, ravi, skill="savings products")
    policy = EngagementPolicy.objects.create(
        workspace=acme.workspace, approval_roles=[], tone_check=False, record_only=True
    )
    policy.designated_teams.add(rnd)
    get_classifier().predict(["warm up"])  # capturing triages the post: load the model first

    sign_in(page, "tom@acme.example")
    page.goto("/w/acme/inbox/")
    page.get_by_role("link", name="Capture a post").click()
    url = "https://forum.moneytalk.example/t/kids-savings-account/8812"
    page.get_by_label("Address of the post").fill(url)
    page.get_by_role("button", name="Capture").click()
    expect(page.locator(".field-error").first).to_contain_text(
        "cannot fetch posts from forum.moneytalk.example", timeout=30_000
    )
    page.get_by_label("Or paste its text").fill(
        "Does Acme Bank have a savings account for kids? Looking to open one for my daughter."
    )
    page.get_by_label("Author").fill("@dana_w")
    page.get_by_role("button", name="Capture").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "savings account for kids", timeout=30_000
    )
    expect(page.get_by_text("captured by Tom Becker")).to_be_visible()
    screenshot(page, "inbox-captured")

    handoff = page.locator("#handoff")
    handoff.get_by_label("Team").select_option(label="R&D")
    handoff.get_by_label("Skill").fill("savings products")
    handoff.get_by_label("Note").fill("A prospect asks about kids' savings: can you answer her?")
    handoff.get_by_role("button", name="Hand off").click()
    expect(page.get_by_text("Handed to Ravi Patel.")).to_be_visible()
    expect(page.locator("#conv-assignee")).to_have_text("Ravi Patel")
    conv = Conversation.objects.get()
    assert conv.captured_by == tom
    assert conv.team == rnd

    sign_in(page, "ravi@acme.example")
    page.goto(f"/w/acme/inbox/{conv.pk}/")
    expect(page.get_by_text("A prospect asks about kids' savings")).to_be_visible()
    reply = page.get_by_label("Your reply")
    reply.fill("Hi Dana, yes: Acme Junior Saver is for under-16s, opened in the app in minutes.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".replies")).to_contain_text("Acme Junior Saver")
    screenshot(page, "inbox-expert-answered")

    sent = Reply.objects.get()
    assert sent.author == ravi
    assert sent.visibility == "public"
    page.reload()
    expect(page.locator(".history")).to_contain_text("Ravi Patel replied publicly")
    conv.refresh_from_db()
    assert conv.first_response_at is not None
    assert Activity.objects.filter(conversation=conv, kind="handed_off").exists()
    assert Team.objects.filter(name="Finance", members=tom).exists()
