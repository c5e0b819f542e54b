"""My work in a browser: a back-office employee lands there, completes a task in one click (the
section is swapped in place by htmx), and, standing in for an away colleague, approves with the
keyboard; the approval says it was decided on her behalf."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e import support
from rapport.approvals import delegations
from rapport.approvals.models import Approval
from rapport.cases import actions as case_actions
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Task
from rapport.core import actions
from rapport.core.models import User
from rapport.core.roles import Role

pytestmark = pytest.mark.browser

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def acme(transactional_db):
    olivia = User.objects.create_user("olivia@acme.example", PASSWORD, full_name="Olivia Hart")
    workspace = actions.create_workspace(name="Acme Bank", slug="acme", owner=olivia)
    owner = workspace.memberships.get()
    people = {
        email.split("@")[0]: actions.add_member(
            owner, email=email, role=role, full_name=name, password=PASSWORD
        )
        for email, role, name in [
            ("sam@acme.example", Role.AGENT, "Sam Okafor"),
            ("ingrid@acme.example", Role.MANAGER, "Ingrid Sorensen"),
            ("tom@acme.example", Role.EMPLOYEE, "Tom Becker"),
        ]
    }
    case = case_actions.create_case(people["sam"], subject="Mortgage payment taken twice")
    task = case_actions.add_task(
        people["sam"], case, title="Confirm the double collection", assignee=people["tom"]
    )
    today = timezone.localdate()
    delegations.delegate(
        people["ingrid"], to=people["tom"], starts_on=today, ends_on=today + datetime.timedelta(2)
    )
    approval = request_case_approval(
        people["sam"], case, approver=people["ingrid"], amount="620", reason="Taken twice"
    )
    return {"task": task, "approval": approval}


def test_tom_works_his_part_from_my_work(browser_page, acme):
    page = browser_page
    support.sign_in(page, "tom@acme.example", PASSWORD)
    assert page.url.endswith("/w/acme/my-work/")
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()

    tasks = page.locator("#my-tasks")
    tasks.get_by_role("button", name="Complete Confirm the double collection").click()
    expect(tasks.get_by_role("status")).to_contain_text("is done (case #")
    expect(tasks).to_contain_text("No open task is assigned to you")
    assert Task.objects.get(pk=acme["task"].pk).status == Task.State.DONE

    decide = page.locator("#my-decide")
    expect(decide).to_contain_text("you decide on behalf of Ingrid Sorensen")
    decide.get_by_label("Comment").focus()
    page.keyboard.type("Checked the ledger")
    page.keyboard.press("Tab")  # to Approve
    page.keyboard.press("Enter")
    expect(decide.get_by_role("status")).to_contain_text("approved on behalf of Ingrid Sorensen")
    approval = Approval.objects.get(pk=acme["approval"].pk)
    assert approval.state == Approval.State.APPROVED
    assert approval.on_behalf_of is not None
    assert approval.on_behalf_of.user.email == "ingrid@acme.example"
    support.screenshot(page, "my-work-tom")
