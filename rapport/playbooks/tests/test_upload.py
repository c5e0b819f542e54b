"""Uploading a playbook: what an admin sees when the file is wrong (the element and the line),
and that a refused upload leaves the case type with the playbook it had."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from rapport.cases import actions as case_actions
from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.playbooks import actions
from rapport.playbooks.access import access_playbook
from rapport.playbooks.models import Playbook
from rapport.playbooks.tests.factories import bank, library
from rapport.playbooks.validate import PlaybookInvalid

DMN = {"credit_approval.dmn": library("credit_approval.dmn")}
GOOD = library("payment_dispute.bpmn")


def refused(b, bpmn: str, dmn: dict | None = None) -> PlaybookInvalid:
    before = (Playbook.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PlaybookInvalid) as info:
        actions.upload_playbook(
            b.owner,
            b.case_type,
            bpmn=bpmn,
            dmn=DMN if dmn is None else dmn,
            bpmn_filename="dispute.bpmn",
        )
    # Nothing was written: the case type keeps its playbook, version 1, still active.
    assert (Playbook.objects.count(), AuditEvent.objects.count()) == before
    assert Playbook.objects.get(case_type=b.case_type, active=True).version == 1
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def b(owner):
    return bank(owner)


def test_a_good_upload_becomes_the_next_active_version(b):
    second = actions.upload_playbook(b.owner, b.case_type, bpmn=GOOD.encode(), dmn=DMN)
    assert second.version == 2
    assert second.active
    assert Playbook.objects.filter(case_type=b.case_type, active=True).get() == second
    after = AuditEvent.objects.filter(verb="playbook.upload").latest("id").after or {}
    assert after["version"] == 2
    assert after["lanes"]["Senior credit officer"] == "the job title Senior credit officer"


def test_xml_that_is_not_well_formed_names_the_line(b):
    broken = GOOD.replace('<bpmn:userTask id="investigate"', '<bpmn:userTask id="investigate" <', 1)
    problem = refused(b, broken).problems[0]
    assert "not well-formed XML" in problem.message
    assert problem.line == line_of(GOOD, '<bpmn:userTask id="investigate"')
    assert problem.file == "dispute.bpmn"


def test_a_file_that_is_not_bpmn_is_refused(b):
    problem = refused(b, DMN["credit_approval.dmn"]).problems[0]
    assert "not a BPMN 2.0 file" in problem.message
    problem = refused(b, "<html><body>hello</body></html>").problems[0]
    assert "root element is <html>" in problem.message


def test_a_process_that_is_not_executable_is_refused(b):
    problem = refused(b, GOOD.replace('isExecutable="true"', 'isExecutable="false"')).problems[0]
    assert "no executable process" in problem.message


def test_schema_errors_name_the_line(b):
    bad = GOOD.replace("<bpmn:incoming>to_investigate</bpmn:incoming>", "<bpmn:oops />", 1)
    problem = refused(b, bad).problems[0]
    assert "oops" in problem.message
    assert problem.line == line_of(GOOD, "<bpmn:incoming>to_investigate</bpmn:incoming>")


def test_a_lane_naming_a_role_nobody_holds_is_refused(b):
    bad = GOOD.replace('name="Senior credit officer"', 'name="Chief risk officer"')
    problem = refused(b, bad).problems[0]
    assert problem.element == "lane 'lane_senior'"
    assert problem.line == line_of(GOOD, 'name="Senior credit officer"')
    assert "'Chief risk officer' is not a team, a job title or a role" in problem.message

    # A role that exists but nobody holds (nobody in this bank is a viewer-free "admin").
    bad = GOOD.replace('name="Senior credit officer"', 'name="role:admin"')
    assert "nobody holds the role admin" in str(refused(b, bad).problems[0])


def test_a_missing_dmn_decision_is_named(b):
    problems = refused(b, GOOD, dmn={}).problems
    assert problems[0].element == "businessRuleTask 'check_threshold'"
    assert "'credit_approval', which is missing" in problems[0].message
    assert problems[0].line == line_of(GOOD, '<bpmn:businessRuleTask id="check_threshold"')


def test_a_dmn_file_that_is_not_dmn_is_refused(b):
    problem = refused(b, GOOD, dmn={"rules.dmn": GOOD}).problems[0]
    assert problem.file == "rules.dmn"
    assert "not a DMN file" in problem.message


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("__import__('os').system('touch /tmp/pwned')", "names starting with '_'"),
        ("().__class__.__bases__[0].__subclasses__()", "names starting with '_'"),
        ("open('/etc/passwd').read()", "the function 'open' is not allowed"),
        ("(lambda: True)()", "lambda functions are not allowed"),
        ("exec('import os')", "the function 'exec' is not allowed"),
        ("eval('1')", "the function 'eval' is not allowed"),
        ("10 ** 100000 > 1", "the exponent 100000 is too large"),
        ("amount.real > 1", "attribute access"),
    ],
)
def test_python_in_a_condition_is_refused_at_upload(b, condition, reason):
    bad = GOOD.replace(
        ">needs_senior_approval</bpmn:conditionExpression>",
        f">{condition}</bpmn:conditionExpression>",
    )
    bad = bad.replace("&", "&amp;")
    problem = refused(b, bad).problems[0]
    assert problem.element == "sequenceFlow 'yes_approval'"
    assert problem.line == line_of(GOOD, '<bpmn:sequenceFlow id="yes_approval"')
    assert reason in problem.message


def test_python_in_a_script_task_is_refused_at_upload(b):
    script = (
        '<bpmn:scriptTask id="sneaky" name="Tidy up"><bpmn:script>ok = 1\n'
        "import os</bpmn:script></bpmn:scriptTask>"
    )
    bad = GOOD.replace(
        '<bpmn:endEvent id="end_declined"', script + '<bpmn:endEvent id="end_declined"'
    )
    problem = refused(b, bad).problems[0]
    assert problem.element == "scriptTask 'sneaky'"
    assert "line 2: a script may only hold lines of the form 'name = expression'" in problem.message


def test_python_in_a_dmn_cell_is_refused_at_upload(b):
    dmn = DMN["credit_approval.dmn"].replace("<text>True</text>", "<text>__import__('os')</text>")
    problem = refused(b, GOOD, dmn={"credit_approval.dmn": dmn}).problems[0]
    assert problem.file == "credit_approval.dmn"
    assert problem.element == "outputEntry 'rule_above_out'"
    assert "names starting with '_'" in problem.message
    dmn = DMN["credit_approval.dmn"].replace("<text>&gt; 500</text>", "<text>&gt; open('x')</text>")
    problem = refused(b, GOOD, dmn={"credit_approval.dmn": dmn}).problems[0]
    assert problem.element == "inputEntry 'rule_above_amount'"
    assert "the function 'open' is not allowed" in problem.message


def test_every_problem_is_reported_at_once(b):
    bad = GOOD.replace('name="Credit"', 'name="Treasury"').replace(
        ">approved</bpmn:conditionExpression>", ">open('x')</bpmn:conditionExpression>"
    )
    problems = refused(b, bad).problems
    assert {p.element for p in problems} == {"lane 'lane_credit'", "sequenceFlow 'approval_yes'"}


def test_unsupported_elements_are_named(b):
    bad = GOOD.replace(
        '<bpmn:userTask id="issue_credit" name="Issue the credit">',
        '<bpmn:serviceTask id="issue_credit" name="Issue the credit">',
    ).replace(
        '</bpmn:userTask>\n    <bpmn:userTask id="tell_customer"',
        '</bpmn:serviceTask>\n    <bpmn:userTask id="tell_customer"',
    )
    problem = refused(b, bad).problems[0]
    assert problem.element == "serviceTask 'issue_credit'"
    assert "service tasks" in problem.message


def test_only_admins_upload_and_only_in_their_workspace(b, make_workspace, make_member):
    with pytest.raises(PermissionDenied):
        actions.upload_playbook(b.ingrid, b.case_type, bpmn=GOOD, dmn=DMN)
    other = make_workspace("globex")
    other_owner = other.memberships.get(role=Role.OWNER)
    with pytest.raises(ValidationError, match="another workspace"):
        actions.upload_playbook(other_owner, b.case_type, bpmn=GOOD, dmn=DMN)
    with pytest.raises(Http404):
        access_playbook(other_owner, b.playbook.pk)
    theirs = case_actions.create_case_type(other_owner, name="Payment dispute")
    # Their workspace has no "Social Care" or "Credit": the same file is refused there.
    with pytest.raises(PlaybookInvalid, match="'Social Care' is not a team"):
        actions.upload_playbook(other_owner, theirs, bpmn=GOOD, dmn=DMN)


def test_a_bad_step_form_is_named(b):
    bad = GOOD.replace(
        '<spiffworkflow:property name="form" value="credit_reference:text" />',
        '<spiffworkflow:property name="form" value="credit reference:essay" />',
    )
    problem = refused(b, bad).problems[0]
    assert problem.element == "userTask 'issue_credit'"
    assert "is not 'name:text'" in problem.message


def test_external_entities_are_never_read(b):
    xxe = GOOD.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
    ).replace('name="Credit"', 'name="&secret;"')
    problems = refused(b, xxe).problems
    assert problems
    assert all("root:" not in str(p) for p in problems)
