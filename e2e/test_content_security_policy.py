"""The pages work under Rapport's Content-Security-Policy: no inline script, style or eval is
needed, htmx swaps fragments and polls, and the browser reports no violation (the
`browser_page` fixture fails any test whose pages report one)."""

import pytest
from playwright.sync_api import Page, expect

from e2e import support
from rapport.contacts import actions as contacts
from rapport.core import actions
from rapport.core.models import Membership, User
from rapport.inbox.tests.factories import conversation

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def olivia(transactional_db) -> Membership:
    user = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    owner = actions.create_workspace(name="Acme Bank", slug="acme", owner=user).memberships.get()
    conversation(owner.workspace, "My card was declined at the till @acmebank", author="jo")
    conversation(owner.workspace, "The app logs me out every morning", author="sam")
    contacts.create_contact(owner, name="Maya Chen", email="maya@example.com")
    return owner


PAGES = [
    ("inbox/", "Inbox"),
    ("listening/", "Listening"),
    ("contacts/", "Contacts"),
    ("cases/", "Cases"),
    ("my-work/", "My work"),
    ("approvals/", "Approvals"),
    ("settings/members/", "Settings"),
    ("settings/audit/", "Settings"),
]


def test_the_main_pages_run_under_the_policy(browser_page: Page, olivia):
    page = browser_page
    page.set_default_timeout(30_000)  # a shared test machine: some first page loads are slow
    support.sign_in(page, "olivia@acme.example", PASSWORD)
    for path, heading in PAGES:
        # The notification bell loads itself through htmx on every page.
        with page.expect_response(lambda r: "/notifications/bell" in r.url):
            response = page.goto(f"/w/acme/{path}")
        assert response is not None, path
        assert response.ok, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        expect(page.get_by_role("heading", level=1).first).to_contain_text(heading)
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_htmx_searches_and_polls_under_the_policy(browser_page: Page, olivia):
    page = browser_page
    support.sign_in(page, "olivia@acme.example", PASSWORD)
    page.goto("/w/acme/listening/")
    posts = page.locator("#post-list .post")
    expect(posts).to_have_count(2)
    with page.expect_response(lambda r: "q=logs" in r.url):
        page.get_by_label("Search").fill("logs")
    expect(posts).to_have_count(1)
    expect(posts.first).to_contain_text("The app logs me out")

    # The conversation's presence poll carries whether this person is typing (added by
    # rapport.js, where an hx-vals js: expression used to need eval).
    page.goto("/w/acme/inbox/")
    page.get_by_role("link", name="My card was declined").click()
    with page.expect_request(lambda r: r.url.endswith("/presence/"), timeout=15_000) as request:
        pass
    assert "typing=0" in (request.value.post_data or "")


def test_an_inline_script_is_refused_and_reported(browser_page: Page, olivia):
    """The policy is really on: what an injected post could smuggle in does not run."""
    page = browser_page
    support.sign_in(page, "olivia@acme.example", PASSWORD)
    with page.expect_console_message(lambda m: "CSP violation" in m.text):
        page.evaluate(
            """() => {
              const s = document.createElement("script");
              s.textContent = "window.injected = true";
              document.body.append(s);
            }"""
        )
    assert page.evaluate("() => window.injected") is None
    page.csp_violations.clear()  # type: ignore[attr-defined]
