"""The payment dispute, from a negative post to the customer's public update.

A care agent (Sam) opens a case from the complaint's conversation and runs the Payment dispute
playbook; the amount is above the decision table's threshold, so the playbook asks a senior credit
officer for approval; Sam, who asked, cannot approve it; Ingrid (senior credit officer, who has
never opened the inbox) approves from "My work"; the credit task is done by the credit team;
the customer's public status page shows the public update and the current step, nothing internal.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e import support
from e2e.support import screenshot
from rapport.approvals.models import Approval
from rapport.cases import actions as case_actions
from rapport.cases.models import Case, Task
from rapport.core import actions
from rapport.core.models import User
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation
from rapport.playbooks import actions as playbook_actions
from rapport.playbooks.models import PlaybookRun

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"
LIBRARY = Path(__file__).resolve().parent.parent / "rapport" / "playbooks" / "library"
INTERNAL = "Ledger ref MX-2291: second collection by the batch rerun"
PUBLIC = "We found the second collection and are refunding it."


@pytest.fixture
def acme(transactional_db):
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = workspace.memberships.get()
    people = {}
    for email, role, name, title, team in [
        ("sam@acme.example", Role.AGENT, "Sam Okafor", "Social Care agent", "Social Care"),
        ("ingrid@acme.example", Role.MANAGER, "Ingrid Sorensen", "Senior credit officer", "Credit"),
        ("tom@acme.example", Role.EMPLOYEE, "Tom Becker", "Accountant", "Credit"),
    ]:
        member = actions.add_member(
            owner, email=email, role=role, full_name=name, title=title, password=PASSWORD
        )
        found = workspace.teams.filter(name=team).first() or actions.create_team(owner, name=team)
        actions.add_team_member(owner, found, member)
        people[email.split("@")[0]] = member
    case_type = case_actions.create_case_type(
        owner,
        name="Payment dispute",
        schema={
            "type": "object",
            "properties": {"amount": {"type": "number", "title": "Amount to credit", "minimum": 0}},
        },
    )
    playbook_actions.upload_playbook(
        owner,
        case_type,
        bpmn=(LIBRARY / "payment_dispute.bpmn").read_text(),
        dmn={"credit_approval.dmn": (LIBRARY / "credit_approval.dmn").read_text()},
    )
    conv = conversation(
        workspace,
        "@acmebank you took my mortgage payment TWICE this month. Furious.",
        author="dana",
    )
    return {"workspace": workspace, "conversation": conv, **people}


def sign_in(page: Page, email: str) -> None:
    support.sign_in(page, email, PASSWORD)


def test_a_payment_dispute_from_the_post_to_the_public_update(browser_page: Page, acme):
    page, conv = browser_page, acme["conversation"]

    # The care agent opens a case from the negative post's conversation.
    sign_in(page, "sam@acme.example")
    page.goto(f"/w/acme/inbox/{conv.pk}/")
    page.get_by_role("button", name="Open a case").click()
    expect(page.get_by_text("opened from this conversation")).to_be_visible()
    case = Case.objects.get(conversation=conv)

    # The playbook runs on it; the investigation finds 620 to credit.
    playbook = page.locator("#playbook")
    playbook.get_by_label("Run a playbook").select_option(label="Payment dispute (Payment dispute)")
    playbook.get_by_role("button", name="Start").click()
    expect(page.get_by_text("The playbook Payment dispute is running.")).to_be_visible()
    expect(playbook.locator("[aria-current=step]")).to_contain_text(
        "Investigate the disputed payment"
    )
    page.get_by_label("Amount to credit").fill("620")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Custom fields saved.")).to_be_visible()
    page.get_by_label("Body").fill(INTERNAL)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    page.get_by_label("Body").fill(PUBLIC)
    page.get_by_label("Public update the customer may see").check()
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Update posted.")).to_be_visible()
    page.get_by_role("button", name="Complete Investigate the disputed payment").click()

    # Above the threshold: the playbook waits on a senior credit officer.
    playbook = page.locator("#playbook")
    expect(playbook.locator("[aria-current=step]")).to_contain_text("Approve the credit")
    expect(playbook.locator("[aria-current=step]")).to_contain_text("Waiting on approval")
    approvals = page.locator("#case-approvals")
    expect(approvals).to_contain_text("Pending")
    expect(approvals).to_contain_text("You asked for it, so someone else decides")
    expect(approvals.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    screenshot(page, "dispute-waiting-approval")

    # Even a forged decision by the requester is refused (maker-checker).
    approval = Approval.objects.get()
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        f"/w/acme/my-work/approvals/{approval.pk}/decide/",
        form={"decision": "approve", "comment": "", "csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert forged.ok
    approval.refresh_from_db()
    assert approval.state == Approval.State.PENDING

    # The public link, for the customer.
    page.get_by_role("button", name="Create a public link").click()
    public_url = page.locator("#public-link").inner_text()

    # Ingrid, who never used the inbox, approves from "My work".
    sign_in(page, "ingrid@acme.example")
    page.goto("/w/acme/my-work/")
    decide = page.locator("#my-decide")
    expect(decide).to_contain_text("Approve the credit")
    expect(decide).to_contain_text("620")
    decide.get_by_role("button", name="Approve").first.click()
    expect(page.locator("#my-decide")).to_contain_text("Nothing waits for your decision")
    screenshot(page, "dispute-approved-in-my-work")
    approval.refresh_from_db()
    assert approval.state == Approval.State.APPROVED
    assert approval.decided_by == acme["ingrid"]

    # The credit task goes to the credit team; its assignee completes it from "My work".
    credit = Task.objects.get(case=case, title="Issue the credit")
    assert credit.assignee is not None
    sign_in(page, credit.assignee.user.email)
    page.goto("/w/acme/my-work/")
    page.get_by_role("button", name="Complete Issue the credit").click()
    expect(page.get_by_role("button", name="Complete Issue the credit")).to_have_count(0)
    credit.refresh_from_db()
    assert credit.status == Task.State.DONE
    run = PlaybookRun.objects.get(case=case)
    assert run.current_step == "Tell the customer the credit is issued"

    # The customer's page: the public update and the current step, nothing internal.
    page.context.clear_cookies()
    page.goto(public_url)
    expect(page.get_by_text(PUBLIC)).to_be_visible()
    expect(page.get_by_text("Your refund has been issued")).to_be_visible()
    body = page.locator("body").inner_text()
    assert INTERNAL not in body
    assert "Approve the credit" not in body
    assert "Ingrid" not in body
    assert "Tom" not in body
    screenshot(page, "dispute-public-status")
