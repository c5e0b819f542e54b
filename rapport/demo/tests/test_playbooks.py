"""The demo's playbooks: both case types have one, and cases follow them at different steps
(one waiting on Ingrid's senior approval); loading twice adds nothing."""

import pytest

from rapport.approvals.models import Approval
from rapport.demo import playbooks as demo
from rapport.demo import workspace as demo_workspace
from rapport.playbooks import selectors
from rapport.playbooks.models import Playbook, PlaybookRun

pytestmark = pytest.mark.django_db


def test_demo_runs_are_at_different_steps():
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
    demo.load(workspace, owner)

    assert set(Playbook.objects.values_list("name", flat=True)) == {
        "Payment dispute",
        "Product defect",
    }
    runs = PlaybookRun.objects.select_related("case")
    steps = {r.case.subject: r.current_step for r in runs}
    assert steps["Car loan direct debit collected twice"] == "Approve the credit"
    assert steps["Standing order paid twice in June"] == "Issue the credit"
    assert steps["Overdraft fee charged in error"] == "Investigate the disputed payment"
    assert steps["Card annual fee disputed"] == ""
    assert steps["Statement PDF will not open on iOS"] == "Find the cause (R&D investigation)"
    assert steps["Savings interest shown twice in the app"] == "Write up the workaround"
    assert {r.status for r in runs} == {"running", "completed"}
    pending = Approval.objects.get(state="pending")
    assert pending.approver is not None
    assert pending.approver.user.email == "ingrid@acme.example"
    statement = runs.get(case__subject="Statement PDF will not open on iOS").case
    assert selectors.current_step(statement) == "Our engineers are investigating"
    assert [s["assignee"] for s in selectors.steps(statement)][:2] == ["Priya Nair", "Ravi Patel"]

    count = (PlaybookRun.objects.count(), Playbook.objects.count())
    demo.load(workspace, owner)
    assert (PlaybookRun.objects.count(), Playbook.objects.count()) == count
