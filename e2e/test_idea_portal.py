"""The public idea portal in the browser: a customer asks for a sign-in link, opens it from the
email, sees a similar idea while typing their own, submits it, and votes for another one."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import screenshot
from rapport.core import actions as core_actions
from rapport.core.models import User
from rapport.ideas import actions, votes
from rapport.ideas.models import Area, Idea, Portal
from rapport.ideas.similar import similar_ideas
from rapport.ideas.voters import contact_of_email

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def acme(transactional_db, settings, live_server):
    """Acme Bank's portal in its own colours, with ideas some customers voted for already."""
    settings.RAPPORT_BASE_URL = live_server.url  # the emailed link leads to this server
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = core_actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = workspace.memberships.get()
    Portal.objects.create(
        workspace=workspace,
        title="Acme Bank ideas",
        intro="Tell us what would make banking with Acme better. We read every idea.",
        colour="#0a7c59",
        accent="#10243e",
    )
    app = Area.objects.create(workspace=workspace, name="Mobile app")
    cards = Area.objects.create(workspace=workspace, name="Cards")
    dark = actions.create_idea(
        owner,
        title="Dark mode for the mobile app",
        body="A dark theme for reading the app at night without being blinded.",
        area=app,
    )
    pay = actions.create_idea(
        owner,
        title="Apple Pay in the app",
        body="Let me add my **Acme card** to Apple Wallet.",
        area=cards,
    )
    pots = actions.create_idea(
        owner, title="Round-up savings pots", body="Round each card payment up and save the change."
    )
    shipped = actions.create_idea(owner, title="Freeze my card from the app", area=cards)
    actions.change_status(owner, pots, "planned", "Planned for the spring release.")
    actions.change_status(owner, shipped, "shipped", "Live in version 4.2 for everyone.")
    for n, chosen in enumerate([dark, dark, dark, pay, pay, pots]):
        votes.portal_vote(contact_of_email(workspace, f"fan{n}@example.com", f"Fan {n}"), chosen)
    # Loads the embedder the similar ideas read meaning with (seconds, once per process), as a
    # server that has answered before would have.
    similar_ideas(workspace.pk, "warm up")
    return {"workspace": workspace, "dark": dark, "pay": pay, "pots": pots}


def test_a_customer_signs_in_by_link_sees_similar_ideas_submits_and_votes(
    browser_page: Page, acme, mailoutbox
):
    page, pay = browser_page, acme["pay"]
    page.goto("/portal/acme/")
    expect(page.get_by_role("heading", name="Acme Bank ideas")).to_be_visible()
    expect(page.locator(".idea-row").first).to_contain_text("Dark mode for the mobile app")
    screenshot(page, "portal-list-signed-out")
    page.get_by_role("link", name="Apple Pay in the app", exact=True).click()
    expect(page.get_by_role("heading", name="Apple Pay in the app")).to_be_visible()
    expect(page.locator(".idea-body strong")).to_have_text("Acme card")
    screenshot(page, "portal-idea-signed-out")

    page.get_by_role("link", name="Sign in to vote for Apple Pay in the app (2 votes)").click()
    expect(page.get_by_role("heading", name="Sign in to vote and share ideas")).to_be_visible()
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Your name").fill("Dana Scully")
    screenshot(page, "portal-sign-in")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("We sent a sign-in link to dana@example.com.")).to_be_visible()
    screenshot(page, "portal-sign-in-sent")

    (email,) = mailoutbox
    link = re.search(r"https?://\S+/sign-in/\S+", email.body)
    assert link
    assert link.group(0).startswith(page.url.split("/portal/")[0])
    page.goto(link.group(0))
    expect(page.get_by_text("You are signing in as dana@example.com.")).to_be_visible()
    screenshot(page, "portal-sign-in-link")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome! You are signed in as dana@example.com.")).to_be_visible()
    # back on the idea they wanted to vote for, signed in
    expect(page.get_by_role("heading", name="Apple Pay in the app")).to_be_visible()
    expect(page.get_by_label("Your account: Dana S.")).to_be_visible()

    page.get_by_role("link", name="All ideas").click()
    page.get_by_role("link", name="Submit an idea").click()
    page.get_by_label("Your idea, in one line").press_sequentially(
        "Dark theme for the app at night"
    )
    similar = page.locator(".similar-box")
    expect(similar).to_contain_text("Dark mode for the mobile app", timeout=15_000)
    expect(
        similar.get_by_role("button", name="Vote for Dark mode for the mobile app instead")
    ).to_be_visible()
    page.get_by_label("Tell us more").fill("Easier on the eyes in bed, and it saves battery.")
    screenshot(page, "portal-submit-similar")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_text("Thank you! Your idea is posted, with your vote.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dark theme for the app at night")).to_be_visible()
    expect(page.locator(".idea-head .vote-count")).to_have_text("1")
    screenshot(page, "portal-idea-signed-in")
    mine = Idea.objects.get(title="Dark theme for the app at night")
    assert mine.vote_count == 1
    assert mine.author_contact.email == "dana@example.com"

    page.get_by_role("link", name="All ideas").click()
    row = page.locator(".idea-row", has_text="Apple Pay in the app")
    expect(row.locator(".vote-count")).to_have_text("2")
    row.get_by_role("button", name="Vote for Apple Pay in the app (2 votes)").click()
    expect(row.locator(".vote-count")).to_have_text("3")
    expect(row.locator(".vote-button")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "portal-list-signed-in")
    pay.refresh_from_db()
    assert pay.vote_count == 3
    # the count holds after a reload: it was counted, once
    page.reload()
    expect(
        page.locator(".idea-row", has_text="Apple Pay in the app").locator(".vote-count")
    ).to_have_text("3")

    # a planned idea: its status note and history, and the customer's comment on it
    page.get_by_role("link", name="Round-up savings pots", exact=True).click()
    expect(page.locator(".status-note")).to_contain_text("Planned for the spring release.")
    page.get_by_label("Add a comment").fill("Yes! <b>Round to the nearest pound</b> please.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    comment = page.locator(".portal-comment").last
    expect(comment).to_contain_text("Yes! <b>Round to the nearest pound</b> please.")
    expect(comment.locator("b")).to_have_count(0)
    screenshot(page, "portal-idea-planned-signed-in")

    # the link was used: opening it again says so and offers a new one
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="This sign-in link was used already")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("dana@example.com")
    screenshot(page, "portal-sign-in-link-used")

    # on a phone the filters go under the list's header and the hero's button stays in reach
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/portal/acme/")
    expect(page.get_by_role("link", name="Submit an idea")).to_be_in_viewport()
    screenshot(page, "portal-list-phone")
