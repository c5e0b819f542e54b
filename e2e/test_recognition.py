"""Recognition in the browser, on the demo's three months of history: Ravi (R&D) answers the lead
Sam handed him this morning, and Sam thanks him with kudos on the conversation; Olivia (owner)
opens the team view and sees Ravi among those who helped customers outside their own team, and
his page with Sam's thanks; she asks for the quarter's HR report, a worker makes it, and the PDF
she downloads has Ravi's page with its chart."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e import pdf, support
from e2e.support import screenshot
from rapport.core.models import Membership
from rapport.demo import engagement, inbox
from rapport.demo import recognition as demo
from rapport.demo import workspace as demo_workspace
from rapport.engagement.models import Reply
from rapport.inbox.models import Conversation
from rapport.listening.models import Post
from rapport.recognition import selectors
from rapport.recognition.models import Contribution, Kind, Kudos

pytestmark = pytest.mark.browser

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ANSWER = (
    "I work at Acme Bank, on the app team. Yes: Xero and QuickBooks both connect under "
    "Business > Connections, and transactions arrive every morning."
)
THANKS = "Thanks for taking the studio's Xero question so quickly!"


def sign_in(page: Page, name: str) -> None:
    support.sign_in(page, f"{name}@acme.example", demo_workspace.DEMO_PASSWORD)


@pytest.fixture
def acme(transactional_db, settings):
    """The demo's people, policy and routing rules, and its three months of recognition."""
    settings.TASKS = DATABASE_TASKS  # the HR report is made by a worker of its own
    settings.TASKS_BACKEND = "database"
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
    engagement.load(workspace, owner)
    inbox.load(workspace, owner)
    demo.load(workspace, owner)
    post = Post.objects.get(workspace=workspace, text=demo.OPEN_LEAD)
    return {"workspace": workspace, "conversation": post.conversation_link.conversation}


def test_ravi_is_credited_for_the_lead_he_answers_and_the_hr_report_shows_it(
    browser_page: Page, acme, run_worker_burst
):
    page, conv = browser_page, acme["conversation"]
    ravi = Membership.objects.get(workspace=acme["workspace"], user__email="ravi@acme.example")
    assert conv.assignee == ravi

    # Ravi answers the lead Sam handed him (an employee: it waits for a manager's approval).
    sign_in(page, "ravi")
    page.goto(f"/w/acme/inbox/{conv.pk}/")
    expect(page.locator("#notes")).to_contain_text(demo.OPEN_LEAD_NOTE)
    composer = page.locator("#reply")
    composer.get_by_label("Your reply").fill(ANSWER)
    composer.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply waits for a manager's approval")).to_be_visible()
    screenshot(page, "recognition-ravi-answers-the-lead")
    reply = Reply.objects.get(post__text=demo.OPEN_LEAD)
    assert (reply.author, reply.text) == (ravi, ANSWER)
    expert = Contribution.objects.get(member=ravi, kind=Kind.EXPERT_ANSWER, object_id=conv.pk)
    assert expert.crossed
    assert expert.colleague is not None
    assert expert.colleague.user.email == "sam@acme.example"

    # Sam thanks him on the conversation.
    sign_in(page, "sam")
    page.goto(f"/w/acme/inbox/{conv.pk}/")
    kudos = page.locator("#kudos")
    kudos.get_by_label("Give kudos to").select_option(label="Ravi Patel")
    kudos.get_by_label("Message").fill(THANKS)
    kudos.get_by_role("button", name="Give kudos").click()
    expect(page.locator("#kudos")).to_contain_text(THANKS)
    expect(page.locator("#kudos")).to_contain_text("Ravi Patel")
    screenshot(page, "recognition-sam-gives-kudos")
    given = Kudos.objects.get(message=THANKS)
    assert (given.giver.user.email, given.receiver, given.about, given.object_id) == (
        "sam@acme.example",
        ravi,
        "conversation",
        conv.pk,
    )
    assert Contribution.objects.filter(member=ravi, kind=Kind.KUDOS, object_id=given.pk).exists()

    # Olivia sees Ravi credited for helping customers outside R&D.
    sign_in(page, "olivia")
    page.goto("/w/acme/recognition/")
    outside = page.locator(
        "section", has=page.get_by_role("heading", name="Helped customers outside their own team")
    )
    expect(outside).to_contain_text("Ravi Patel")
    expect(outside).to_contain_text(re.compile(r"\d+ expert answers?"))
    screenshot(page, "recognition-team-view-owner")
    outside.get_by_role("link", name="Ravi Patel").click()
    expect(page).to_have_url(re.compile(rf"/w/acme/people/{ravi.pk}/recognition/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ravi Patel")
    expect(page.locator("main")).to_contain_text(THANKS)
    screenshot(page, "recognition-person-ravi-owner")
    page.goto("/w/acme/recognition/")

    # She asks for this quarter's HR report; a worker makes it; she downloads the PDF.
    page.get_by_role("link", name="HR report").click()
    expect(page).to_have_url(re.compile(r"/w/acme/recognition/reports/$"))
    quarter = selectors.quarter_of(timezone.localdate())
    page.get_by_label("Period").select_option(
        value=f"{quarter.since.year}-Q{(quarter.since.month - 1) // 3 + 1}"
    )
    page.get_by_role("button", name="Make the report").click()
    expect(page.locator("#recognition-reports")).to_contain_text("The whole company")
    run_worker_burst(RAPPORT_TASKS_BACKEND="database")
    page.reload()
    download_link = page.get_by_role("link", name="Download PDF").first
    expect(download_link).to_be_visible()
    screenshot(page, "recognition-hr-report-ready")
    with page.expect_download() as download:
        download_link.click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as saved:
        report = pdf.pages(saved.read())

    ravis = [p for p in report if p.says("Ravi Patel") and p.says("ravi@acme.example")]
    assert len(ravis) == 1, "no page of Ravi Patel's in the HR report"
    assert ravis[0].says("expert answer")
    # his page has its chart: bars filled, beside the words that explain his score
    assert ravis[0].painted >= 2
    assert ravis[0].segments >= 8
    assert Conversation.objects.get(pk=conv.pk).assignee == ravi
