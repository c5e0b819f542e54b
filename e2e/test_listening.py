"""A manager opens Listening, writes a query with a syntax error, reads where it is, fixes it,
and sees the posts it matches."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.support import screenshot
from rapport.core import actions
from rapport.core.models import User
from rapport.core.roles import Role
from rapport.demo import listening as demo
from rapport.listening.ingest import receive

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def chloe(transactional_db):
    """A manager in Acme Bank, whose sources have heard a few hundred demo posts."""
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    acme = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = acme.memberships.get()
    posts = demo.demo_posts()[:200]
    now = timezone.now()
    stamped = [(p, now - timedelta(minutes=5 * i)) for i, p in enumerate(posts)]
    receive(acme, demo.to_batch(stamped))
    return actions.add_member(
        owner, email="chloe@acme.example", role=Role.MANAGER, full_name="Chloe", password=PASSWORD
    )


def test_create_a_query_with_a_syntax_error_then_a_valid_one(browser_page: Page, chloe):
    page = browser_page
    page.goto("/login/")
    page.get_by_label("Email").fill("chloe@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Listening").click()
    expect(page.get_by_role("heading", name="Listening", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="No listening queries yet")).to_be_visible()

    page.get_by_label("Name").fill("Acme mortgages")
    page.get_by_label("Label").select_option("product")
    page.get_by_label("Query", exact=True).fill('"acme bank" OR (mortgage')
    page.get_by_role("button", name="Create query").click()
    error = page.locator(".field-error")
    expect(error).to_have_text("At position 16: this '(' is never closed")
    expect(page.get_by_label("Query", exact=True)).to_have_value('"acme bank" OR (mortgage')
    screenshot(page, "listening-query-error")

    page.get_by_label("Query", exact=True).fill(
        '("acme bank" OR @acmebank) (mortgage OR mortgages)'
    )
    page.get_by_role("button", name="Create query").click()
    expect(page).to_have_url(re.compile(r"/listening/\?query=\d+#posts$"))
    expect(
        page.get_by_text(re.compile(r"Query “Acme mortgages” created: it matches \d+"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Posts matching “Acme mortgages”")).to_be_visible()
    posts = page.locator("#post-list .post")
    expect(posts.first).to_be_visible()
    expect(posts.first.locator(".query-chip")).to_have_text("Acme mortgages")
    expect(posts.first.locator(".post-text")).to_contain_text(re.compile("mortgage", re.I))
    screenshot(page, "listening-query-created")

    # The search box narrows the list in place.
    page.get_by_label("Search").fill("zzznotaword")
    expect(page.get_by_text("No posts match these filters.")).to_be_visible()
