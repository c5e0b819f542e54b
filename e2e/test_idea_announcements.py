"""A product manager marks an idea shipped in the browser: exactly one announcement per reachable
voter goes out (a reply to each Mastodon voter's post in the outbox, an email to the portal
voter), by the task worker, and the voter who asked not to be contacted is listed as skipped,
with the reason."""

import pytest
from playwright.sync_api import Page, expect

from e2e import support
from e2e.support import screenshot
from rapport.contacts.models import Contact
from rapport.core import actions as core_actions
from rapport.core.models import User
from rapport.core.roles import Role
from rapport.engagement.models import Reply
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, votes
from rapport.ideas.models import Announcement
from rapport.ideas.voters import contact_of_email

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"
NOTE = "Apple Pay is in version 4.2 of the app."


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_shipping_an_idea_tells_each_reachable_voter_once(
    browser_page: Page, transactional_db, settings, run_worker_burst, tmp_path
):
    # the announcements are a task of their own: a real worker runs them, emailing into files
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_BACKEND = "database"
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    acme = core_actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = acme.memberships.get()
    core_actions.add_member(
        owner, email="priya@acme.example", role=Role.MANAGER, full_name="Priya N", password=PASSWORD
    )
    tom = core_actions.add_member(owner, email="tom@acme.example", role=Role.EMPLOYEE)
    idea = actions.promote_post(
        tom, make_post(acme, "Please add Apple Pay to the app", handle="dana")
    )
    for handle, name in (("fox", "Fox Mulder"), ("walter", "Walter Skinner")):
        post = make_post(acme, "+1 Apple Pay", handle=handle, author_name=name)
        votes.vote_from_post(tom, idea, post)
    Contact.objects.filter(name="Walter Skinner").update(do_not_contact=True)
    votes.portal_vote(contact_of_email(acme, "pat@example.com", "Pat Lee"), idea)

    page = browser_page
    support.sign_in(page, "priya@acme.example", PASSWORD)
    page.goto(f"/w/acme/ideas/{idea.pk}/")
    page.get_by_role("combobox", name="Status").select_option("shipped")
    page.get_by_label("Public note").fill(NOTE)
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator("#idea-announcements")).to_contain_text("Nothing announced yet")
    run_worker_burst(
        RAPPORT_TASKS_BACKEND="database", EMAIL_BACKEND="file", EMAIL_FILE_PATH=str(tmp_path)
    )
    page.reload()

    told = page.locator("#idea-announcements")
    expect(told).to_contain_text("3 sent")
    expect(told).to_contain_text("1 skipped")
    expect(told.locator("tr", has_text="Walter Skinner")).to_contain_text("Do not contact.")
    screenshot(page, "idea-shipped-announcements")

    replies = Reply.objects.filter(text__contains=NOTE)
    assert sorted(r.post.author_handle for r in replies) == ["dana", "fox"]
    assert {r.status for r in replies} == {Reply.Status.QUEUED}
    (email,) = [f.read_text() for f in tmp_path.iterdir()]
    assert "To: pat@example.com" in email
    assert NOTE in email
    assert Announcement.objects.filter(idea=idea).count() == 4

    page.goto("/w/acme/settings/outbox/")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).not_to_contain_text("@walter")
    screenshot(page, "idea-shipped-outbox")
