"""The customer profile in the browser: an agent opens a conversation, follows the customer's
name in the contact panel to the 360° profile and sees their identities, purchases, cases,
recent posts and a next-best-action suggestion; then logs a call in one click."""

import pytest
from playwright.sync_api import Page, expect

from e2e import support
from e2e.support import screenshot
from rapport.cases import actions as cases
from rapport.core import actions
from rapport.core.models import Membership, User
from rapport.core.roles import Role
from rapport.inbox.tests import factories as inbox
from rapport.profile import timeline
from rapport.profile.tests import factories as f

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def acme(transactional_db) -> Membership:
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    return workspace.memberships.get()


def test_an_agent_opens_the_customer_from_a_conversation(browser_page: Page, acme):
    page, workspace = browser_page, acme.workspace
    actions.add_member(
        acme, email="sam@acme.example", role=Role.AGENT, full_name="Sam Okafor", password=PASSWORD
    )
    jon = f.contact(workspace, "Jonathan Smith", segment="Mass affluent", tier="gold")
    mortgage, current, insurance = (
        f.product(workspace, n) for n in ("Mortgage", "Current account", "Home insurance")
    )
    for i in range(30):  # similar customers: a mortgage often comes with home insurance
        f.order(f.contact(workspace, f"Peer {i}", segment="Mass affluent"), mortgage, insurance)
        f.order(f.contact(workspace, f"Saver {i}", segment="Mass affluent"), current)
    f.order(jon, mortgage, total="999.00")
    f.account(jon, "Mortgage", product=mortgage)
    f.identity(jon, workspace, "jsmith_bsky", network="bluesky",
               profile_url="https://bsky.app/profile/jsmith_bsky.bsky.social")  # fmt: skip
    post = inbox.post(workspace, "My mortgage payment was taken twice this month", author="j_smith")
    f.link(post, jon)
    conv = inbox.arrive(workspace, post).placed[0].conversation
    cases.create_case(acme, subject="Mortgage payment taken twice", customer=jon)
    timeline.backfill(jon)

    support.sign_in(page, "sam@acme.example", PASSWORD)
    page.goto(f"/w/acme/inbox/{conv.pk}/")
    side = page.locator(".conversation-side")
    expect(side).to_contain_text("Suggest Home insurance")
    side.get_by_role("link", name="Jonathan Smith").click()

    expect(page.get_by_role("heading", name="Jonathan Smith", level=1)).to_be_visible()
    identities = page.get_by_role("region", name="Identities")
    expect(identities).to_contain_text("@jsmith_bsky")
    expect(identities).to_contain_text("@j_smith")
    expect(page.get_by_role("region", name="Purchases")).to_contain_text("Mortgage")
    expect(page.get_by_role("region", name="Open cases")).to_contain_text(
        "Mortgage payment taken twice"
    )
    posts = page.get_by_role("region", name="Recent posts")
    expect(posts).to_contain_text("My mortgage payment was taken twice this month")
    expect(posts.locator(".sentiment-negative")).to_be_visible()
    nba = page.get_by_role("region", name="Next best action")
    expect(nba).to_contain_text("Suggest Home insurance")
    expect(nba).to_contain_text("often add Home insurance")
    screenshot(page, "customer-profile")

    log = page.get_by_role("region", name="Log a call or email")
    log.get_by_label("Subject").fill("Called about the double payment")
    log.get_by_role("button", name="Log it").click()
    expect(page.get_by_text("Call logged on the timeline.")).to_be_visible()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text(
        "Called about the double payment"
    )
