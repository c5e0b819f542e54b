"""An employee sees a post's sentiment badge with the model's confidence on the Listening page,
corrects it in one click from the badge's menu, and still sees the new badge after a reload."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import screenshot
from rapport.core import actions
from rapport.core.models import User
from rapport.core.roles import Role
from rapport.triage.models import TriageCorrection
from rapport.triage.tests.factories import triaged_post

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def tom_and_post(transactional_db):
    """Tom, an accountant (an employee) at Acme Bank, and a post the model reads as positive."""
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    acme = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    tom = actions.add_member(
        acme.memberships.get(),
        email="tom@acme.example",
        role=Role.EMPLOYEE,
        full_name="Tom Becker",
        password=PASSWORD,
    )
    post = triaged_post(acme, "Thank you Acme, the new app is brilliant and so fast!")
    return tom, post


def test_correct_a_posts_sentiment_in_one_click(browser_page: Page, tom_and_post):
    tom, post = tom_and_post
    assert post.sentiment == "positive"
    page = browser_page
    page.goto("/login/")
    page.get_by_label("Email").fill("tom@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Listening").click()

    badges = page.locator(f"#triage-{post.pk}")
    sentiment = badges.locator("details[data-triage-field=sentiment] > summary")
    expect(sentiment).to_have_text(re.compile(r"Positive\s*\d+%"))
    sentiment.click()
    menu = badges.locator("details[data-triage-field=sentiment] .triage-menu")
    expect(menu).to_contain_text("The model is")
    screenshot(page, "triage-menu-open")
    menu.get_by_role("button", name="Negative").click()

    corrected = page.locator(f"#triage-{post.pk} details[data-triage-field=sentiment] > summary")
    expect(corrected).to_have_class(re.compile(r"sentiment-negative.*corrected"))
    expect(corrected).to_be_focused()
    expect(corrected).to_have_attribute("title", re.compile("Corrected by Tom Becker"))

    page.reload()
    after = page.locator(f"#triage-{post.pk} details[data-triage-field=sentiment] > summary")
    expect(after).to_contain_text("Negative")
    expect(after).to_have_class(re.compile("corrected"))
    screenshot(page, "triage-corrected")
    correction = TriageCorrection.objects.get(post=post, field="sentiment")
    assert (correction.old_value, correction.new_value) == ("positive", "negative")
    assert correction.corrected_by == tom.user
