"""A person signs in, finds their way with the keyboard and the mouse, switches workspace,
creates a team, checks the task worker and signs out, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.support import screenshot
from rapport.core import actions
from rapport.core.models import User
from rapport.core.roles import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def maya(transactional_db, settings):
    """An admin in Acme Bank (teams are an admin's to create) who also belongs to Globex."""
    # The worker check goes through the database queue, whatever this machine's default is.
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_BACKEND = "database"
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    acme = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = acme.memberships.get()
    member = actions.add_member(
        owner,
        email="maya@acme.example",
        role=Role.ADMIN,
        full_name="Maya Chen",
        password=PASSWORD,
    )
    gus = User.objects.create_user("gus@globex.example", PASSWORD)
    globex = actions.create_workspace(name="Globex Insurance", slug="globex", owner=gus)
    actions.add_member(globex.memberships.get(), email="maya@acme.example", role=Role.AGENT)
    return member


def shortcut(page: Page, *keys: str) -> None:
    """Presses keys once the page's script listens (deferred scripts run before this state)."""
    page.wait_for_load_state("domcontentloaded")
    for key in keys:
        page.keyboard.press(key)


def test_sign_in_navigate_switch_create_team_check_worker_sign_out(
    browser_page: Page, maya, run_worker_burst
):
    page = browser_page

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "login")
    page.get_by_label("Email").fill("maya@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/w/acme/inbox/$"))
    nav = page.get_by_role("navigation", name="Main")
    for label in (
        "Inbox",
        "Listening",
        "Cases",
        "Ideas",
        "Contacts",
        "People",
        "Settings",
    ):
        expect(nav.get_by_role("link", name=re.compile(label))).to_be_visible()
    # Insights is not built yet: no placeholder in the menu until it is.
    expect(nav.get_by_role("link", name=re.compile("Insights"))).to_have_count(0)
    expect(nav.locator('[aria-current="page"]')).to_contain_text("Inbox")
    expect(page.get_by_text("Your inbox is empty")).to_be_visible()
    screenshot(page, "inbox")

    # Keyboard: g l goes to Listening, g s to Settings, ? shows the shortcuts.
    shortcut(page, "g", "l")
    expect(page).to_have_url(re.compile(r"/w/acme/listening/$"))
    expect(nav.locator('[aria-current="page"]')).to_contain_text("Listening")
    expect(page.get_by_text("No listening queries yet")).to_be_visible()

    shortcut(page, "?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    screenshot(page, "shortcuts")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    shortcut(page, "g", "s")
    expect(page).to_have_url(re.compile(r"/w/acme/settings/workspace/$"))

    # Mouse: back to the Inbox, then People.
    nav.get_by_role("link", name=re.compile("Inbox")).click()
    expect(page).to_have_url(re.compile(r"/w/acme/inbox/$"))
    nav.get_by_role("link", name=re.compile("People")).click()
    expect(page.get_by_role("cell", name=re.compile("Maya Chen"))).to_be_visible()
    screenshot(page, "people")

    # The switcher moves to the other workspace and back.
    page.get_by_label("Workspace").select_option("globex")
    expect(page).to_have_url(re.compile(r"/w/globex/inbox/$"))
    expect(page.get_by_label("Workspace")).to_have_value("globex")
    page.get_by_label("Workspace").select_option("acme")
    expect(page).to_have_url(re.compile(r"/w/acme/inbox/$"))

    # Settings → Teams: create a team, see it listed, filter the list in place.
    shortcut(page, "g", "s")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Teams").click()
    expect(page).to_have_url(re.compile(r"/w/acme/settings/teams/$"))
    page.get_by_label("Team name").fill("Social Care")
    page.get_by_label("Description").fill("First line on every network.")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("status")).to_contain_text("Team “Social Care” created.")
    teams = page.locator("#teams-list")
    expect(teams.get_by_role("link", name="Social Care")).to_be_visible()
    screenshot(page, "settings-teams")

    shortcut(page, "/")
    expect(page.get_by_role("searchbox", name="Search teams")).to_be_focused()
    page.keyboard.type("no such team")
    expect(teams).to_contain_text("No team matches")
    expect(page).to_have_url(re.compile(r"/settings/teams/\?q=no(\+|%20)such(\+|%20)team$"))
    page.get_by_role("searchbox", name="Search teams").fill("social")
    expect(teams.get_by_role("link", name="Social Care")).to_be_visible()

    # Background tasks: the check waits for a worker, and the row updates itself when one runs.
    page.get_by_role("link", name="Background tasks").click()
    page.get_by_role("button", name="Check the worker").click()
    run = page.locator("#task-runs li.run").first
    expect(run).to_contain_text("Worker check")
    expect(run).to_contain_text("Waiting for a worker")
    run_worker_burst(RAPPORT_TASKS_BACKEND="database")
    expect(page.locator("#task-runs li.run").first).to_contain_text("SUCCESSFUL", timeout=15_000)
    expect(page.locator("#task-runs li.run").first).to_contain_text("Answered by a worker on")
    screenshot(page, "settings-tasks")

    # Sign out from the user menu.
    page.get_by_label(re.compile("Account menu")).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/w/acme/inbox/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
