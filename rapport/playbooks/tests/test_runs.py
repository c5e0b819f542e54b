"""A payment dispute run by its playbook, as the people on it see it: tasks appear for the right
person, a decision table on the amount decides whether a senior credit officer must approve, the
approval's outcome takes its branch, the state survives a restart, and ad-hoc tasks are left
alone."""

import gc
import json

import pytest
from django.core.exceptions import PermissionDenied
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from rapport.approvals import actions as approval_actions
from rapport.approvals.models import Approval
from rapport.cases import actions as case_actions
from rapport.cases.models import Case, Status, Task
from rapport.core.models import AuditEvent
from rapport.playbooks import engine, selectors
from rapport.playbooks.evaluator import RestrictedScriptEngine
from rapport.playbooks.models import PlaybookRun, PlaybookStep
from rapport.playbooks.tests.factories import bank, dispute


def open_tasks(case: Case) -> list[tuple[str, str]]:
    return [
        (t.title, t.assignee.user.email.split("@")[0] if t.assignee else "")
        for t in Task.objects.filter(case=case, status=Task.State.OPEN).select_related(
            "assignee__user"
        )
    ]


def finish(member, case: Case, title: str) -> None:
    task = Task.objects.get(case=case, title=title, status=Task.State.OPEN)
    case_actions.update_task(member, task, status="done")


def states(case: Case) -> dict[str, str]:
    return {s["id"]: s["state"] for s in selectors.steps(case)}


@pytest.fixture
def b(owner):
    return bank(owner)


def test_a_small_credit_goes_straight_to_the_credit_team(b):
    case = dispute(b, 120)
    assert open_tasks(case) == [("Investigate the disputed payment", "sam")]
    assert selectors.current_step(case) == "We are checking what happened to your payment"

    finish(b.sam, case, "Investigate the disputed payment")
    # Tom and Ingrid are both in Credit with no open tasks: the longest-standing one gets it.
    assert open_tasks(case) == [("Issue the credit", "tom")]
    assert states(case)["check_threshold"] == "done"
    assert states(case)["senior_approval"] == "skipped"
    assert not Approval.objects.exists()

    finish(b.tom, case, "Issue the credit")
    assert open_tasks(case) == [("Tell the customer the credit is issued", "sam")]
    finish(b.sam, case, "Tell the customer the credit is issued")

    run = PlaybookRun.objects.get(case=case)
    assert run.status == PlaybookRun.Status.COMPLETED
    assert selectors.current_step(case) is None
    assert [s["state"] for s in selectors.steps(case)] == [
        "done",
        "done",
        "skipped",
        "done",
        "done",
        "skipped",
    ]
    verbs = set(
        AuditEvent.objects.filter(object_type="playbooks.playbookrun").values_list(
            "verb", flat=True
        )
    )
    assert verbs >= {
        "playbook.run.start",
        "playbook.step.open",
        "playbook.step.complete",
        "playbook.step.run",
        "playbook.run.complete",
    }


def test_a_large_credit_waits_for_a_senior_credit_officer(b):
    case = dispute(b, 620)
    finish(b.sam, case, "Investigate the disputed payment")

    approval = Approval.objects.get()
    assert approval.approver == b.ingrid
    assert approval.requested_by == b.sam
    assert approval.amount == 620
    case.refresh_from_db()
    assert case.status == Status.WAITING_APPROVAL
    assert open_tasks(case) == []
    assert states(case)["senior_approval"] == "waiting"
    assert selectors.current_step(case) == "A senior credit officer is reviewing your refund"

    # Maker-checker: the agent who asked cannot approve their own request.
    with pytest.raises(PermissionDenied):
        approval_actions.decide(b.sam, approval, decision="approve")
    assert open_tasks(case) == []

    approval_actions.decide(b.ingrid, approval, decision="approve", comment="Ledger confirms it")
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert open_tasks(case) == [("Issue the credit", "tom")]
    assert states(case)["senior_approval"] == "done"
    finish(b.tom, case, "Issue the credit")
    finish(b.sam, case, "Tell the customer the credit is issued")
    assert PlaybookRun.objects.get(case=case).status == PlaybookRun.Status.COMPLETED


def test_a_rejected_credit_goes_to_explaining_the_decision(b):
    case = dispute(b, 900)
    finish(b.sam, case, "Investigate the disputed payment")
    approval_actions.decide(
        b.ingrid, Approval.objects.get(), decision="reject", comment="Paid once only"
    )
    assert open_tasks(case) == [("Explain the decision to the customer", "sam")]
    assert states(case)["issue_credit"] == "skipped"
    finish(b.sam, case, "Explain the decision to the customer")
    run = PlaybookRun.objects.get(case=case)
    assert run.status == PlaybookRun.Status.COMPLETED


def test_the_amount_is_read_when_the_investigation_ends(b):
    case = dispute(b, 100)
    # The investigation finds more was taken: the amount changes before the task is done.
    case_actions.update_case(b.sam, case, custom_fields={"amount": 750})
    finish(b.sam, case, "Investigate the disputed payment")
    assert Approval.objects.filter(amount=750).exists()


def test_the_run_survives_a_restart(b, monkeypatch):
    case = dispute(b, 620)
    run_id = PlaybookRun.objects.get(case=case).pk
    stored = PlaybookRun.objects.get(pk=run_id).state
    assert json.loads(json.dumps(stored)) == stored  # plain JSON in the database

    # A "restart": no workflow, parser or engine object survives; fresh ones read the database.
    monkeypatch.setattr(
        engine, "SERIALIZER", BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    )
    monkeypatch.setattr(engine, "SCRIPT_ENGINE", RestrictedScriptEngine())
    gc.collect()

    run = PlaybookRun.objects.get(pk=run_id)
    workflow = engine.load(run)
    assert isinstance(workflow.script_engine, RestrictedScriptEngine)
    ready = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=16, manual=True)]
    assert ready == ["investigate"]
    del workflow, run
    gc.collect()

    finish(b.sam, Case.objects.get(pk=case.pk), "Investigate the disputed payment")
    run = PlaybookRun.objects.get(pk=run_id)
    assert run.status == PlaybookRun.Status.RUNNING
    assert run.current_step == "Approve the credit"
    assert Approval.objects.filter(state="pending").count() == 1


def test_ad_hoc_tasks_never_disturb_the_playbook(b):
    case = dispute(b, 620)
    before = PlaybookRun.objects.get(case=case).state
    extra = case_actions.add_task(b.sam, case, title="Call the customer back", assignee=b.tom)
    case_actions.update_task(b.tom, extra, status="done")
    assert PlaybookRun.objects.get(case=case).state == before
    assert open_tasks(case) == [("Investigate the disputed payment", "sam")]
    assert not PlaybookStep.objects.filter(task=extra).exists()


def test_a_case_opened_later_starts_its_playbook_then(b):
    case = case_actions.create_case(b.sam, subject="Charged twice", case_type=b.case_type)
    assert case.status == Status.NEW
    assert not PlaybookRun.objects.filter(case=case).exists()
    case_actions.transition(b.sam, case, to="open")
    assert open_tasks(case) == [("Investigate the disputed payment", "sam")]


def test_cases_of_other_types_or_without_a_type_start_nothing(b):
    case = case_actions.create_case(b.sam, subject="Card blocked", owner=b.sam)
    assert case.status == Status.OPEN
    assert not PlaybookRun.objects.exists()
    assert selectors.current_step(case) is None
    assert selectors.steps(case) == []


@pytest.mark.parametrize(
    ("resolution", "branch", "skipped"),
    [
        ("", "Ship the fix", "write_workaround"),
        ("workaround", "Write up the workaround", "ship_fix"),
    ],
)
def test_a_product_defect_takes_the_fix_or_the_workaround(owner, resolution, branch, skipped):
    from rapport.playbooks import actions
    from rapport.playbooks.tests.factories import library, member

    b = bank(owner)
    ravi = member(owner, "ravi@acme.example", "employee", "Mobile app engineer", "R&D")
    defect = case_actions.create_case_type(
        owner,
        name="Product defect",
        schema={"type": "object", "properties": {"resolution": {"type": "string"}}},
    )
    actions.upload_playbook(owner, defect, bpmn=library("product_defect.bpmn"))
    case = case_actions.create_case(
        b.sam, subject="Statement PDF blank", case_type=defect, owner=b.sam
    )
    finish(b.sam, case, "Reproduce the defect")
    assert open_tasks(case) == [("Find the cause (R&D investigation)", "ravi")]
    assert Task.objects.get(case=case, status="open").due_date is not None  # due_in_days
    if resolution:
        case_actions.update_case(b.sam, case, custom_fields={"resolution": resolution})
    finish(ravi, case, "Find the cause (R&D investigation)")
    assert open_tasks(case) == [(branch, "ravi")]
    finish(ravi, case, branch)
    finish(b.sam, case, "Announce it to the customers affected")
    assert states(case)[skipped] == "skipped"
    assert PlaybookRun.objects.get(case=case).status == "completed"


def test_a_step_completed_with_its_form_chooses_the_branch(owner):
    from django.core.exceptions import ValidationError

    from rapport.playbooks import actions
    from rapport.playbooks.tests.factories import library, member

    b = bank(owner)
    ravi = member(owner, "ravi@acme.example", "employee", "Mobile app engineer", "R&D")
    defect = case_actions.create_case_type(owner, name="Product defect")
    actions.upload_playbook(owner, defect, bpmn=library("product_defect.bpmn"))
    case = case_actions.create_case(b.sam, subject="Login loop", case_type=defect, owner=b.sam)
    finish(b.sam, case, "Reproduce the defect")
    step = PlaybookStep.objects.get(run__case=case, done=False)

    with pytest.raises(ValidationError, match="must be one of fix, workaround"):
        actions.submit_step(ravi, step, values={"resolution": "rewrite it"})
    with pytest.raises(ValidationError, match="no field priority"):
        actions.submit_step(ravi, step, values={"resolution": "fix", "priority": "urgent"})
    with pytest.raises(PermissionDenied):
        actions.submit_step(b.tom, step, values={"resolution": "fix"})  # not theirs
    assert open_tasks(case) == [("Find the cause (R&D investigation)", "ravi")]

    actions.submit_step(ravi, step, values={"resolution": "workaround"})
    assert open_tasks(case) == [("Write up the workaround", "ravi")]
    ready = engine.load(PlaybookRun.objects.get(case=case)).get_tasks(state=16)
    assert [t.data.get("resolution") for t in ready] == ["workaround"]


def test_task_data_survives_a_store_that_reorders_keys(b):
    """PostgreSQL's jsonb sorts object keys; SpiffWorkflow restores a task's data from its
    parent's, so the run must load the same whatever order the tasks come back in."""
    case = dispute(b, 620)
    run = PlaybookRun.objects.get(case=case)
    expected = engine.load(run).get_tasks(state=16)[0].data
    assert expected["amount"] == 620
    run.state["tasks"] = dict(reversed(list(run.state["tasks"].items())))
    run.save(update_fields=["state"])
    ready = engine.load(PlaybookRun.objects.get(pk=run.pk)).get_tasks(state=16)
    assert [t.data for t in ready] == [expected]


def test_a_run_that_lost_its_people_fails_then_goes_on_when_retried(b):
    from django.core.exceptions import ValidationError

    from rapport.core import actions as core_actions
    from rapport.playbooks import actions

    credit = b.workspace.teams.get(name="Credit")
    case = dispute(b, 120)
    for member in (b.tom, b.ingrid):
        core_actions.remove_team_member(b.owner, credit, member)
    finish(b.sam, case, "Investigate the disputed payment")  # Sam's own work still counts

    run = PlaybookRun.objects.get(case=case)
    assert run.status == PlaybookRun.Status.FAILED
    assert "nobody in the workspace holds 'Credit'" in run.error
    assert open_tasks(case) == []

    core_actions.add_team_member(b.owner, credit, b.tom)
    run = actions.retry_run(b.sam, run)
    assert run.status == PlaybookRun.Status.RUNNING
    assert open_tasks(case) == [("Issue the credit", "tom")]
    assert states(case)["investigate"] == "done"
    with pytest.raises(ValidationError, match="not failed"):
        actions.retry_run(b.sam, run)


def test_a_run_is_heard_step_by_step_and_shown_in_the_case_stream(b, heard):
    from rapport.cases.selectors import case_activity

    case = dispute(b, 620)
    run = PlaybookRun.objects.get(case=case)
    finish(b.sam, case, "Investigate the disputed payment")
    approval_actions.decide(b.ingrid, Approval.objects.get(), decision="approve")
    finish(b.tom, case, "Issue the credit")
    finish(b.sam, case, "Tell the customer the credit is issued")

    played = [e for e in heard if e.name.startswith("playbook.")]
    steps = {s.pk: s for s in PlaybookStep.objects.filter(run=run)}
    assert [
        (e.name, steps[e.object_id].name if "step" in e.name else "run", e.data.get("approved"))
        for e in played
    ] == [
        ("playbook.started", "run", None),
        ("playbook.step_opened", "Investigate the disputed payment", None),
        ("playbook.step_completed", "Investigate the disputed payment", None),
        ("playbook.step_opened", "Approve the credit", None),
        ("playbook.step_completed", "Approve the credit", True),
        ("playbook.step_opened", "Issue the credit", None),
        ("playbook.step_completed", "Issue the credit", None),
        ("playbook.step_opened", "Tell the customer the credit is issued", None),
        ("playbook.step_completed", "Tell the customer the credit is issued", None),
        ("playbook.finished", "run", None),
    ]
    assert {e.data["case"] for e in played} == {case.pk}
    assert (played[0].object_id, played[0].actor_id) == (run.pk, b.sam.pk)
    assert played[0].data == {"case": case.pk, "playbook": b.playbook.pk}
    approval_step = next(s for s in steps.values() if s.approval_id)
    opened = next(e for e in played if e.object_id == approval_step.pk)
    assert opened.data == {
        "case": case.pk,
        "run": run.pk,
        "task": None,
        "approval": approval_step.approval_id,
    }

    texts = [a.text for a in case_activity(b.owner, case, per_page=100).items]
    assert texts[-1] == "opened the case"
    assert "playbook step opened (“Investigate the disputed payment”)" in texts
    assert "playbook step completed (“Investigate the disputed payment”)" in texts
    assert f"playbook step decided ({run})" in texts
    assert f"the playbook finished ({run})" in texts
    assert not [t for t in texts if "playbook:" in t or "run:" in t]  # words, never event names


def test_a_failed_and_a_cancelled_run_are_heard(b, heard):
    from rapport.core import actions as core_actions
    from rapport.playbooks import actions

    credit = b.workspace.teams.get(name="Credit")
    for member in (b.tom, b.ingrid):
        core_actions.remove_team_member(b.owner, credit, member)
    failing = dispute(b, 120)
    finish(b.sam, failing, "Investigate the disputed payment")
    cancelled = dispute(b, 120, subject="Card fee taken twice")
    run = actions.cancel_run(b.sam, PlaybookRun.objects.get(case=cancelled))
    ends = [(e.name, e.data) for e in heard if e.name in ("playbook.failed", "playbook.cancelled")]
    assert ends == [
        ("playbook.failed", {"case": failing.pk}),
        ("playbook.cancelled", {"case": cancelled.pk}),
    ]
    latest = cancelled.activity.order_by("-created_at", "-id").first()
    assert latest is not None
    assert (latest.actor, latest.text) == (b.sam, f"cancelled the playbook ({run})")
