"""Ideas in the browser: (1) an employee turns a Mastodon post into an idea from Listening, its
author the first voter; (2) a product manager merges two duplicate ideas and the vote count
shown is the number of distinct people; and each role sees the Ideas pages with only the
controls it may use (screenshots of every page with RAPPORT_SCREENSHOTS=folder)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e import support
from e2e.ideas_support import product_ideas
from e2e.support import screenshot
from rapport.core import actions as core_actions
from rapport.core.models import Membership, User
from rapport.core.roles import Role
from rapport.demo import ideas as demo_ideas
from rapport.demo import listening as demo_listening
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, votes
from rapport.ideas.models import Idea, Vote
from rapport.inbox.tests.factories import conversation
from rapport.listening.ingest import receive
from rapport.listening.models import Post

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


def sign_in(page: Page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


@pytest.fixture
def team(transactional_db) -> dict[str, Membership]:
    """Acme Bank's owner, and Vera (viewer), Tom (employee) and Priya (product manager)."""
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    owner = core_actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = owner.memberships.get()
    people = {"owner": owner}
    for key, email, name, role in (
        ("viewer", "vera@acme.example", "Vera Lind", Role.VIEWER),
        ("employee", "tom@acme.example", "Tom Becker", Role.EMPLOYEE),
        ("manager", "priya@acme.example", "Priya Natarajan", Role.MANAGER),
    ):
        people[key] = core_actions.add_member(
            owner, email=email, role=role, full_name=name, password=PASSWORD
        )
    return people


def test_an_employee_turns_a_demo_mastodon_post_into_an_idea(browser_page: Page, team):
    page = browser_page
    acme = team["owner"].workspace
    # The demo's Mastodon idea posts, heard as the demo hears them; Rosa's is the one the demo
    # leaves for a colleague to turn into an idea.
    receive(acme, demo_listening.to_batch(demo_listening.idea_posts(timezone.now())))
    post = Post.objects.get(
        workspace=acme,
        network="mastodon",
        external_id=demo_listening.idea_post_id(demo_ideas.LEFT_FOR_A_COLLEAGUE),
    )
    assert post.author_name == "Rosa Pennington"
    sign_in(page, "tom@acme.example")
    page.get_by_role("link", name="Listening").click()
    card = page.locator(f"#post-{post.pk}")
    expect(card).to_contain_text("blocks gambling payments")
    screenshot(page, "ideas-listening-post-employee")
    card.get_by_role("link", name=re.compile("^Turn into an idea")).click()

    expect(page.get_by_role("heading", name="Turn this post into an idea")).to_be_visible()
    title = page.get_by_label("Title")
    expect(title).to_have_value(re.compile("^Idea for @acmebank"))
    screenshot(page, "ideas-capture-post-employee")
    title.fill("Block gambling payments on my debit card")
    page.get_by_role("button", name="Create the idea").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Block gambling payments on my debit card"
    )
    expect(page.locator(".messages")).to_contain_text("is its first voter and follows it")
    expect(page.locator(".idea-head .vote-box .n")).to_have_text("1")
    votes_table = page.locator("#idea-votes")
    expect(votes_table).to_contain_text("Rosa Pennington")
    expect(votes_table).to_contain_text("a post on mastodon")
    expect(page.locator(".origin-post")).to_contain_text("blocks gambling payments")
    screenshot(page, "ideas-idea-from-post-employee")

    idea = Idea.objects.get()
    assert (idea.origin, idea.post, idea.author_member) == ("post", post, None)
    vote = Vote.objects.get(idea=idea)
    assert (vote.source, vote.post, vote.contact.name) == ("post", post, "Rosa Pennington")


def test_a_product_manager_merges_duplicates_and_each_person_counts_once(browser_page: Page, team):
    page = browser_page
    acme, tom = team["owner"].workspace, team["employee"]

    def post(text: str, handle: str):
        return make_post(acme, text, handle=handle, author_name=handle.title())

    dark = actions.promote_post(tom, post("Dark mode in the app please", "ann"))
    votes.vote_from_post(tom, dark, post("Dark mode!", "bob"))
    night = actions.promote_post(tom, post("A night theme for the app", "bob"))
    votes.vote_from_post(tom, night, post("night theme +1", "cat"))
    votes.vote_from_post(tom, night, post("yes, night theme", "dan"))
    night.title = "Night theme for the app"
    Idea.objects.filter(pk=night.pk).update(title=night.title)
    dark.title = "Dark mode in the app"
    Idea.objects.filter(pk=dark.pk).update(title=dark.title)

    sign_in(page, "priya@acme.example")
    page.wait_for_load_state("load")  # rapport.js (deferred) listens for the keys
    page.keyboard.press("g")
    page.keyboard.press("d")
    expect(page.get_by_role("heading", name="Ideas", level=1)).to_be_visible()
    expect(page.locator(f"#idea-{dark.pk} .vote-box .n")).to_have_text("2")
    expect(page.locator(f"#idea-{night.pk} .vote-box .n")).to_have_text("3")
    page.get_by_role("link", name="Night theme for the app").click()
    page.get_by_role("link", name="Merge into another idea…").click()
    expect(page.get_by_role("heading", name="Merge a duplicate")).to_be_visible()
    page.get_by_role("searchbox").fill("dark")
    candidate = page.locator("#merge-candidates .pick", has_text="Dark mode in the app")
    expect(candidate).to_be_visible()
    screenshot(page, "ideas-merge-manager")
    page.once("dialog", lambda dialog: dialog.accept())
    candidate.get_by_role("button", name=re.compile("^Merge into this")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dark mode in the app")
    # ann, bob (who voted for both) and cat, dan: four people, four votes
    expect(page.locator(".idea-head .vote-box .n")).to_have_text("4")
    expect(page.locator(".messages")).to_contain_text("each person counted once (4 votes)")
    expect(page.get_by_role("heading", name=re.compile("^Votes"))).to_contain_text("4")
    expect(page.locator("#idea-votes tbody tr")).to_have_count(4)
    for name in ("Ann", "Bob", "Cat", "Dan"):
        expect(page.locator("#idea-votes")).to_contain_text(name)
    expect(page.get_by_role("region", name="Duplicates")).to_contain_text("Night theme for the app")
    screenshot(page, "ideas-merged-manager")

    page.get_by_role("link", name="Ideas", exact=True).first.click()
    expect(page.locator(".idea-row")).to_have_count(1)
    dark.refresh_from_db()
    assert dark.vote_count == 4
    assert Vote.objects.filter(idea=dark, counted=True).values("contact").distinct().count() == 4


def _controls(page: Page, visible: bool, *names: str) -> None:
    for name in names:
        found = page.get_by_role("button", name=name, exact=True).or_(
            page.get_by_role("link", name=name, exact=True)
        )
        if visible:
            expect(found.first).to_be_visible()
        else:
            expect(found).to_have_count(0)


def test_each_role_sees_the_ideas_pages_with_only_its_controls(browser_page: Page, team):
    page = browser_page
    data = product_ideas(team["owner"], team["employee"], team["manager"])
    acme = team["owner"].workspace
    apple = data.ideas["Apple Pay for debit cards"]
    conv = conversation(
        acme,
        "Please add a dark theme to the app, my eyes hurt at night",
        intent="idea",
        author="lena",
    )
    for role in ("viewer", "employee", "manager"):
        sign_in(page, team[role].user.email)
        page.goto("/w/acme/ideas/")
        expect(page.locator(".idea-row")).to_have_count(8)
        _controls(page, role != "viewer", "Submit the idea")
        screenshot(page, f"ideas-list-{role}")

        page.get_by_role("link", name="Board").click()
        expect(page.get_by_role("region", name="Shipped")).to_contain_text("Apple Pay")
        expect(page.locator(".board-move")).to_have_count(8 if role == "manager" else 0)
        screenshot(page, f"ideas-board-{role}")

        page.goto(f"/w/acme/ideas/{apple.pk}/")
        expect(page.locator("#idea-announcements")).to_contain_text("Do not contact")
        expect(page.locator("#work")).to_contain_text("card tokenisation")
        _controls(page, role != "viewer", "Comment", "Add a vote for a customer")
        _controls(page, role == "manager", "Save the status", "Merge into another idea…", "Link")
        screenshot(page, f"ideas-idea-{role}")

        page.goto("/w/acme/ideas/analytics/")
        expect(
            page.get_by_role("heading", name="What our most valuable customers ask for")
        ).to_be_visible()
        expect(page.locator(".hbars").first).to_contain_text("Apple Pay for debit cards")
        screenshot(page, f"ideas-analytics-{role}")

        page.goto(f"/w/acme/inbox/{conv.pk}/")
        panel = page.get_by_role("region", name="Ideas")
        expect(panel).to_contain_text("Dark mode in the mobile app")
        _controls(page, role != "viewer", "Turn into an idea")
        add_vote = panel.get_by_role("button", name=re.compile("^Add as a vote"))
        if role == "viewer":
            expect(add_vote).to_have_count(0)
        else:
            expect(add_vote.first).to_be_visible()
        screenshot(page, f"ideas-conversation-{role}")

        if role != "viewer":
            page.goto(f"/w/acme/ideas/{apple.pk}/votes/new/?q=he")
            expect(page.locator("#contact-picks")).to_contain_text("Helena Marsh")
            screenshot(page, f"ideas-add-vote-{role}")
            page.goto(f"/w/acme/ideas/from-conversation/{conv.pk}/")
            expect(page.locator("#idea-picks")).to_contain_text("Dark mode in the mobile app")
            screenshot(page, f"ideas-capture-conversation-{role}")
        if role == "manager":
            page.goto(f"/w/acme/ideas/{data.ideas['Dark mode in the mobile app'].pk}/merge/")
            expect(page.get_by_role("heading", name="Merge a duplicate")).to_be_visible()
            screenshot(page, "ideas-merge-page-manager")
            # the board: move an idea with its card's menu, with a public note
            watch = data.ideas["Freeze my card from my watch"]
            page.goto("/w/acme/ideas/board/")
            card = page.locator(f"#card-{watch.pk}")
            card.locator("summary").click()
            card.get_by_label("Status").select_option("planned")
            card.get_by_label("Public note").fill("Coming with the watch app in May")
            screenshot(page, "ideas-board-move-manager")
            card.locator("button[type=submit]").click()
            expect(page.locator(".messages")).to_contain_text(f"Idea #{watch.pk} is now planned")
            planned = page.get_by_role("region", name="Planned")
            expect(planned.locator(f"#card-{watch.pk}")).to_be_visible()
            watch.refresh_from_db()
            assert (watch.status, watch.status_note) == (
                "planned",
                "Coming with the watch app in May",
            )
