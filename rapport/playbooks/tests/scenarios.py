"""One way to perform each playbooks action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.cases import actions as case_actions
from rapport.cases.models import Case
from rapport.core.models import Membership
from rapport.playbooks import actions
from rapport.playbooks.models import Playbook, PlaybookRun, PlaybookStep

#: The smallest playbook: one task for the case owner, no lanes.
SIMPLE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  targetNamespace="https://rapport.example/playbooks">
  <bpmn:process id="call_back" name="Call back" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="call" name="Call the customer back">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="outcome:text" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def make_playbook(owner: Membership) -> Playbook:
    case_type = case_actions.create_case_type(owner, name="Call-back request")
    return actions.upload_playbook(owner, case_type, bpmn=SIMPLE_BPMN)


def make_run(owner: Membership) -> PlaybookRun:
    playbook = make_playbook(owner)
    case: Case = case_actions.create_case(
        owner, subject="Please call me", case_type=playbook.case_type, owner=owner
    )
    return PlaybookRun.objects.get(case=case)


def _restart(owner: Membership) -> PlaybookRun:
    run = make_run(owner)
    actions.cancel_run(owner, run)
    return actions.start_run(owner, run.case)


def _submit(owner: Membership) -> PlaybookStep:
    step = PlaybookStep.objects.get(run=make_run(owner))
    return actions.submit_step(owner, step, values={"outcome": "Called back, all sorted"})


def _retry(owner: Membership) -> PlaybookRun:
    run = make_run(owner)
    PlaybookRun.objects.filter(pk=run.pk).update(status="failed", error="Nobody holds Credit.")
    run.refresh_from_db()
    return actions.retry_run(owner, run)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "playbook.upload": make_playbook,
    "playbook.deactivate": lambda o: actions.deactivate_playbook(o, make_playbook(o)),
    "playbook.start": _restart,
    "playbook.cancel": lambda o: actions.cancel_run(o, make_run(o)),
    "playbook.step.submit": _submit,
    "playbook.retry": _retry,
}
