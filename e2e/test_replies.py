"""Replies in the browser: an agent's reply with a card number is blocked with the finding shown;
an employee's public reply waits for approval, a manager approves it, and it lands in the outbox
exactly once."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e import support
from e2e.support import screenshot
from rapport.core import actions
from rapport.core.models import User
from rapport.core.roles import Role
from rapport.engagement import outbox
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.engagement.tests.factories import make_post

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def acme(transactional_db):
    """Acme Bank with an agent, an employee and a manager, a policy and a complaint to answer."""
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = workspace.memberships.get()
    for email, role, name in [
        ("sam@acme.example", Role.AGENT, "Sam Okafor"),
        ("ravi@acme.example", Role.EMPLOYEE, "Ravi Patel"),
        ("maya@acme.example", Role.MANAGER, "Maya Chen"),
    ]:
        actions.add_member(owner, email=email, role=role, full_name=name, password=PASSWORD)
    EngagementPolicy.objects.create(
        workspace=workspace,
        forbidden_phrases=["guaranteed returns"],
        sensitive_topics=["fraud", "lawsuit"],
        disclosure="I work at Acme Bank.",
        tone_check=False,
        record_only=True,
    )
    post = make_post(
        workspace, text="@acmebank my card was charged twice for the same rent payment!"
    )
    return {"workspace": workspace, "post": post}


def sign_in(page: Page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


def test_an_agents_reply_with_a_card_number_is_blocked(browser_page: Page, acme):
    page, post = browser_page, acme["post"]
    sign_in(page, "sam@acme.example")
    page.goto(f"/w/acme/posts/{post.pk}/reply/")
    expect(page.get_by_role("heading", name="Reply on Mastodon")).to_be_visible()
    reply = page.get_by_label("Your reply")
    reply.fill("Hi Dana, your card 4111 1111 1111 1111 is refunded now.")
    findings = page.locator(f"#reply-findings-{post.pk}")
    expect(
        findings.get_by_text(re.compile(r"contains a card number \(ending 1111\)"))
    ).to_be_visible()
    expect(findings.locator(".badge").first).to_have_text("Blocks")
    screenshot(page, "reply-card-number-live")

    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("alert").first).to_contain_text("The reply cannot be sent")
    expect(page.locator(".finding-block")).to_contain_text("personal data is never posted publicly")
    expect(reply).to_have_value("Hi Dana, your card 4111 1111 1111 1111 is refunded now.")
    assert not Reply.objects.exists()
    screenshot(page, "reply-card-number-blocked")

    reply.fill("Hi Dana, sorry about that: the second charge is refunded. Sam")
    expect(findings.locator(".finding")).to_have_count(0)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply is in the outbox")).to_be_visible()
    assert Reply.objects.get().status == Reply.Status.QUEUED


def test_an_employees_reply_waits_for_a_manager_and_is_posted_once(browser_page: Page, acme):
    page, post = browser_page, acme["post"]
    sign_in(page, "ravi@acme.example")
    page.goto(f"/w/acme/posts/{post.pk}/reply/")
    reply = page.get_by_label("Your reply")
    reply.fill("Sorry Dana! The double charge is reversed on Monday.")
    findings = page.locator(f"#reply-findings-{post.pk}")
    expect(findings).to_contain_text("add “I work at Acme Bank.”")
    reply.fill("Sorry Dana! I work at Acme Bank. The double charge is reversed on Monday.")
    expect(findings).to_contain_text("Replies by an employee wait for a manager's approval")
    expect(findings).to_contain_text("This reply will wait for an approval")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply waits for a manager's approval")).to_be_visible()
    screenshot(page, "reply-waiting")

    sign_in(page, "maya@acme.example")
    page.get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", name="Approvals", level=1)).to_be_visible()
    item = page.locator(".approval").first
    expect(item.get_by_role("heading")).to_have_text("Ravi Patel's reply to @dana on Mastodon")
    expect(item).to_contain_text("my card was charged twice")
    draft = item.get_by_label("The reply (edit before approving if needed)")
    expect(draft).to_have_value(
        "Sorry Dana! I work at Acme Bank. The double charge is reversed on Monday."
    )
    screenshot(page, "approval-pending")
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("“Ravi Patel's reply to @dana on Mastodon” approved.")).to_be_visible()
    expect(page.get_by_text("Nothing waits for your approval.")).to_be_visible()

    # The outbox task runs twice (a retry, a second worker): the reply is posted once.
    assert outbox.publish_due() == {"recorded": 1}
    assert outbox.publish_due() == {}
    page.goto("/w/acme/settings/outbox/?tab=sent")
    rows = page.locator("#outbox-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Would post:")
    expect(rows.first).to_contain_text("The double charge is reversed on Monday.")
    expect(rows.first).to_contain_text("Recorded")
    screenshot(page, "outbox-sent-once")
    assert Reply.objects.filter(status=Reply.Status.SENT).count() == 1
