"""The restricted evaluator: expressions and scripts from an uploaded file never run as Python,
neither when they are checked at upload nor when a run meets them (even one that skipped the
upload checks)."""

from pathlib import Path

import pytest

from rapport.cases import actions as case_actions
from rapport.playbooks import evaluator, validate
from rapport.playbooks.evaluator import ExpressionFailed, RefusedExpression, RestrictedEnvironment
from rapport.playbooks.models import Playbook, PlaybookRun
from rapport.playbooks.tests.factories import bank, library

ESCAPES = [
    ("__import__('os').system('id')", "names starting with '_'"),
    ("().__class__.__bases__[0].__subclasses__()", "names starting with '_'"),
    ("[].__class__", "names starting with '_'"),
    ("open('/etc/passwd').read()", "the function 'open' is not allowed"),
    ("(lambda: 1)()", "lambda functions are not allowed"),
    ("exec('x = 1')", "the function 'exec' is not allowed"),
    ("eval('1 + 1')", "the function 'eval' is not allowed"),
    ("compile('1', 'f', 'eval')", "the function 'compile' is not allowed"),
    ("getattr(1, 'real')", "the function 'getattr' is not allowed"),
    ("9 ** 9 ** 9", "an exponent must be a number written"),
    ("2 ** 100000", "the exponent 100000 is too large"),
    ("'x' * 10 ** 8", "longer than"),
    ("[c for c in 'abc']", "comprehensions are not allowed"),
    ("f'{amount}'", "f-strings are not allowed"),
    ("(x := 1)", "assignment inside an expression"),
    ("amount.bit_length()", "attribute access"),
]


@pytest.mark.parametrize(("text", "reason"), ESCAPES)
def test_escapes_are_refused_with_a_reason(text, reason):
    with pytest.raises(RefusedExpression, match=reason.replace("(", r"\(")):
        evaluator.evaluate(text, {"amount": 10})
    with pytest.raises(RefusedExpression):
        RestrictedEnvironment().evaluate(text, {"amount": 10})
    if "longer than" not in reason:  # only known once evaluated
        with pytest.raises(RefusedExpression):
            evaluator.check_expression(text)


def test_plain_expressions_work():
    data = {"amount": 620, "tier": "Gold", "fields": {"reason": "double"}}
    assert evaluator.evaluate("amount > 500 and lower(tier) == 'gold'", data) is True
    assert evaluator.evaluate("fields['reason'] in ['double', 'fraud']", data) is True
    assert evaluator.evaluate("round(amount * 1.2, 1) if amount else 0", data) == 744.0
    assert evaluator.evaluate("max(amount, 1000) - min(3, 4) ** 2", data) == 991


def test_unknown_names_fail_but_are_not_refusals():
    with pytest.raises(ExpressionFailed, match="'amout' is not defined"):
        evaluator.evaluate("amout > 500", {"amount": 1})


def test_scripts_are_assignments_only():
    data = {"amount": 620}
    RestrictedEnvironment().execute(
        "# the fee\nfee = amount * 0.01\nlabel = 'fee ' + str(fee)", data
    )
    assert data == {"amount": 620, "fee": 6.2, "label": "fee 6.2"}
    for script, reason in [
        ("import os", "only hold lines of the form"),
        ("os = __import__('os')", "names starting with '_'"),
        ("x = 1; y = 2", "only hold lines of the form"),
        ("def f():\n    return 1", "not a valid assignment"),
        ("data.amount = 1", "only hold lines of the form"),
        ("__builtins__ = {}", "may not be assigned"),
        ("while True: pass", "only hold lines of the form"),
        ("x = open('/etc/passwd')", "the function 'open' is not allowed"),
    ]:
        with pytest.raises(RefusedExpression, match=reason):
            RestrictedEnvironment().execute(script, {})


def test_service_calls_are_refused():
    with pytest.raises(RefusedExpression, match="service tasks"):
        RestrictedEnvironment().call_service({}, operation_name="http")


def _sneak_in(b, bpmn: str) -> None:
    """A playbook written straight to the database, as if the upload checks had been skipped."""
    Playbook.objects.filter(case_type=b.case_type).update(active=False)
    Playbook.objects.create(
        workspace=b.workspace,
        case_type=b.case_type,
        name="Sneaky",
        process_id="payment_dispute",
        bpmn=bpmn,
        dmn={"credit_approval.dmn": library("credit_approval.dmn")},
        version=2,
    )


def test_a_run_refuses_python_that_skipped_the_upload_checks(owner, tmp_path, monkeypatch):
    b = bank(owner)
    marker = Path(tmp_path) / "pwned"
    attack = f"__import__('os').system('touch {marker}')"
    _sneak_in(
        b,
        library("payment_dispute.bpmn").replace(
            ">needs_senior_approval</bpmn:conditionExpression>",
            f">{attack}</bpmn:conditionExpression>",
        ),
    )

    # Starting it parses the file again, with the same checks: the run fails at once.
    case = case_actions.create_case(
        b.sam,
        subject="Charged twice",
        case_type=b.case_type,
        owner=b.sam,
        custom_fields={"amount": 620},
    )
    run = PlaybookRun.objects.get(case=case)
    assert run.status == PlaybookRun.Status.FAILED
    assert "sequenceFlow 'yes_approval'" in run.error
    assert "names starting with '_'" in run.error
    assert not case.tasks.exists()

    # Even with the parse-time checks gone, the gateway's condition meets the evaluator.
    monkeypatch.setattr(validate, "_check_expressions_bpmn", lambda root, file: [])
    case = case_actions.create_case(
        b.sam,
        subject="Charged twice again",
        case_type=b.case_type,
        owner=b.sam,
        custom_fields={"amount": 620},
    )
    task = case.tasks.get()
    case_actions.update_task(b.sam, task, status="done")  # the agent's own work still counts

    run = PlaybookRun.objects.get(case=case)
    assert run.status == PlaybookRun.Status.FAILED
    assert "names starting with '_'" in run.error
    assert not marker.exists()
    task.refresh_from_db()
    assert task.status == "done"


def test_a_script_refused_on_its_data_fails_the_run_with_the_reason(owner):
    b = bank(owner)
    script = (
        '<bpmn:scriptTask id="letter" name="Draft the letter">'
        "<bpmn:incoming>to_threshold</bpmn:incoming>"
        "<bpmn:outgoing>to_rules</bpmn:outgoing><bpmn:script>letter = 'x' * amount</bpmn:script>"
        "</bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="to_rules" sourceRef="letter" targetRef="check_threshold" />'
    )
    bpmn = (
        library("payment_dispute.bpmn")
        .replace(
            '<bpmn:sequenceFlow id="to_threshold" sourceRef="investigate" '
            'targetRef="check_threshold" />',
            '<bpmn:sequenceFlow id="to_threshold" sourceRef="investigate" targetRef="letter" />'
            + script,
        )
        .replace(
            "<bpmn:incoming>to_threshold</bpmn:incoming>\n      <bpmn:outgoing>to_gateway",
            "<bpmn:incoming>to_rules</bpmn:incoming>\n      <bpmn:outgoing>to_gateway",
        )
    )
    from rapport.playbooks import actions

    actions.upload_playbook(
        b.owner,
        b.case_type,
        bpmn=bpmn,
        dmn={"credit_approval.dmn": library("credit_approval.dmn")},
    )  # the script is allowed: it only assigns an expression
    case = case_actions.create_case(
        b.sam,
        subject="Huge",
        case_type=b.case_type,
        owner=b.sam,
        custom_fields={"amount": 10**7},
    )
    case_actions.update_task(b.sam, case.tasks.get(), status="done")
    run = PlaybookRun.objects.get(case=case)
    assert run.status == PlaybookRun.Status.FAILED
    assert "longer than" in run.error
