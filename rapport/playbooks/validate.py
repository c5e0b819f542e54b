"""Checking an uploaded playbook (a .bpmn and its .dmn files) before it is kept.

Every refusal is a `Problem` naming the file, the element (its tag and id) and the line, so the
person uploading can find it in their modeller. The checks, in order: well-formed XML (lxml's line),
BPMN 2.0 / DMN schemas (SpiffWorkflow's validator), one executable process, elements the engine
does not run here (service tasks, timers, messages), SpiffWorkflow's own parse (a missing DMN
decision, a broken gateway), every condition, script and DMN cell through the restricted
evaluator, and every lane or `assignee` naming a team, job title or role someone holds.
"""

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from rapport.core.models import Workspace
from rapport.playbooks import assignment
from rapport.playbooks.evaluator import RefusedExpression, check_expression, check_script
from rapport.playbooks.forms import parse_form

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_FILE_BYTES = 1_000_000
MAX_DMN_FILES = 10

#: Elements a playbook may not use here, with the reason shown to the uploader.
UNSUPPORTED = {
    "serviceTask": "service tasks call systems outside Rapport and are not supported",
    "sendTask": "message tasks are not supported; use a user task",
    "receiveTask": "message tasks are not supported; use a user task",
    "timerEventDefinition": "timers are not supported; the case's SLA policy handles time",
    "messageEventDefinition": "message events are not supported",
    "signalEventDefinition": "signal events are not supported",
    "conditionalEventDefinition": "conditional events are not supported",
    "callActivity": "call activities are not supported; keep the playbook in one process",
    "multiInstanceLoopCharacteristics": "multi-instance tasks are not supported",
    "standardLoopCharacteristics": "loop tasks are not supported; draw the loop with a gateway",
}


@dataclass
class Problem:
    message: str
    file: str = ""
    element: str = ""  # "userTask 'investigate'"
    line: int | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                self.element,
                f"line {self.line}" if self.line else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "element": self.element,
            "line": self.line,
            "message": self.message,
        }


class PlaybookInvalid(ValidationError):
    """The upload was refused; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


@dataclass
class ParsedPlaybook:
    process_id: str
    name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    lanes: dict[str, str] = field(default_factory=dict)  # lane name -> label of its holders


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _describe(element: etree._Element) -> str:
    ident = element.get("id")
    return f"{_local(element.tag)} {ident!r}" if ident else _local(element.tag)


def _problem(message: str, file: str, element: etree._Element | None) -> Problem:
    if element is None:
        return Problem(message, file)
    return Problem(message, file, _describe(element), element.sourceline)


def _parse_xml(text: str | bytes, file: str) -> etree._Element:
    data = text.encode() if isinstance(text, str) else text
    if len(data) > MAX_FILE_BYTES:
        raise PlaybookInvalid(
            [Problem(f"the file is {len(data)} bytes; at most {MAX_FILE_BYTES}", file)]
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise PlaybookInvalid(
            [Problem(f"not well-formed XML: {exc.msg}", file, line=line)]
        ) from None


def _spiff_problem(exc: ValidationException, roots: dict[str, etree._Element]) -> Problem:
    """A SpiffWorkflow ValidationException as a Problem, finding the line from the element id."""
    file = exc.file_name or ""
    line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number else None
    element = ""
    if exc.id:
        element = f"{(exc.tag or '').replace('bpmn:', '') or 'element'} {exc.id!r}".strip()
        for name, root in roots.items():
            found = root.xpath("//*[@id=$id]", id=exc.id)
            if found:
                file = file or name
                line = line or found[0].sourceline
                element = _describe(found[0])
                break
    message = str(exc.args[0]) if exc.args else str(exc)
    return Problem(message, file, element, line)


def _check_expressions_bpmn(root: etree._Element, file: str) -> list[Problem]:
    problems = []

    def check(text: str | None, element: etree._Element, what: str, script: bool = False) -> None:
        if text is None or not text.strip():
            return
        try:
            (check_script if script else check_expression)(text)
        except RefusedExpression as exc:
            problems.append(_problem(f"{what} refused: {exc}", file, element))

    for cond in root.iterfind(".//bpmn:conditionExpression", NS):
        flow = cond.getparent()
        check(cond.text, flow if flow is not None else cond, "condition")
    for tag in ("loopCondition", "completionCondition", "loopCardinality"):
        for el in root.iterfind(f".//bpmn:{tag}", NS):
            check(el.text, el.getparent(), tag)
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        check(script.text, script.getparent(), "script", script=True)
    for tag in ("preScript", "postScript"):
        for el in root.iterfind(f".//spiffworkflow:{tag}", NS):
            task = el.getparent().getparent()
            check(el.text, task if task is not None else el, tag, script=True)
    return problems


def _dmn_ns(root: etree._Element) -> str:
    return etree.QName(root).namespace or ""


def _check_expressions_dmn(root: etree._Element, file: str) -> list[Problem]:
    ns = {"dmn": _dmn_ns(root)}
    problems = []
    for text in root.iterfind(".//dmn:inputExpression/dmn:text", ns):
        try:
            check_expression(text.text or "")
        except RefusedExpression as exc:
            problems.append(_problem(f"input expression refused: {exc}", file, text.getparent()))
    for entry in root.iterfind(".//dmn:inputEntry", ns):
        text = (entry.findtext("dmn:text", namespaces=ns) or "").strip()
        if not text or text == "-":
            continue
        # As SpiffWorkflow's DMN engine reads a cell: "?" stands for the input, a cell that is
        # not an expression on its own ("> 500") is compared to the input, else it is equality.
        candidate = re.sub(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)", "dmninputexpr", text)
        try:
            ast.parse(candidate, mode="eval")
        except SyntaxError:
            candidate = f"dmninputexpr {text}"
        try:
            check_expression(candidate)
        except RefusedExpression as exc:
            problems.append(
                _problem(f"rule cell refused: {str(exc).replace('dmninputexpr', '?')}", file, entry)
            )
    for entry in root.iterfind(".//dmn:outputEntry", ns):
        text = (entry.findtext("dmn:text", namespaces=ns) or "").strip()
        if not text:
            continue
        try:
            check_expression(text)
        except RefusedExpression as exc:
            problems.append(_problem(f"output cell refused: {exc}", file, entry))
    return problems


def _properties(element: etree._Element) -> dict[str, str]:
    return {
        prop.get("name", ""): prop.get("value", "")
        for prop in element.iterfind(
            "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
        )
    }


def _check_forms(root: etree._Element, file: str) -> list[Problem]:
    problems = []
    for task in root.iterfind(".//bpmn:userTask", NS):
        try:
            parse_form(_properties(task).get("form", ""))
        except ValueError as exc:
            problems.append(_problem(str(exc), file, task))
    return problems


def _check_people(
    root: etree._Element, file: str, workspace: Workspace, lanes_out: dict[str, str]
) -> list[Problem]:
    """Every lane holding a user task, and every `assignee`, must name someone's team/title/role."""
    problems = []
    task_lane: dict[str, etree._Element] = {}
    for lane in root.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            task_lane[(ref.text or "").strip()] = lane
    for task in root.iterfind(".//bpmn:userTask", NS):
        props = _properties(task)
        named = props.get("assignee", "").strip()
        lane = task_lane.get(task.get("id", ""))
        lane_name = (lane.get("name") or "").strip() if lane is not None else ""
        target, where = (named, task) if named else (lane_name, lane)
        if not target:
            if props.get("approval", "").lower() == "true":
                problems.append(
                    _problem(
                        "an approval step needs a lane or an 'assignee' property naming who "
                        "approves (a team, a job title or a role)",
                        file,
                        task,
                    )
                )
            continue
        holders = assignment.resolve(workspace, target)
        if holders is None:
            problems.append(
                _problem(
                    f"{target!r} is not a team, a job title or a role in this workspace",
                    file,
                    where,
                )
            )
        elif not holders.members:
            problems.append(
                _problem(
                    f"nobody holds {holders.label} in this workspace, so nobody could do "
                    f"{task.get('name') or task.get('id')!r}",
                    file,
                    where,
                )
            )
        else:
            lanes_out[target] = holders.label
    return problems


def parse_playbook(
    workspace: Workspace,
    bpmn: str | bytes,
    dmn: Mapping[str, str | bytes] | None = None,
    *,
    bpmn_filename: str = "playbook.bpmn",
    check_people: bool = True,
    check_schema: bool = True,
) -> ParsedPlaybook:
    """The checked playbook, or PlaybookInvalid listing every problem found (element and line)."""
    dmn = dmn or {}
    if len(dmn) > MAX_DMN_FILES:
        raise PlaybookInvalid([Problem(f"at most {MAX_DMN_FILES} DMN files per playbook")])
    root = _parse_xml(bpmn, bpmn_filename)
    if etree.QName(root).namespace != BPMN_NS or _local(root.tag) != "definitions":
        raise PlaybookInvalid(
            [
                Problem(
                    f"not a BPMN 2.0 file: the root element is <{_local(root.tag)}> in "
                    f"{etree.QName(root).namespace or 'no namespace'}, expected "
                    f"<definitions> in {BPMN_NS}",
                    bpmn_filename,
                    line=root.sourceline,
                )
            ]
        )
    roots = {bpmn_filename: root}
    dmn_roots = {}
    for filename, text in dmn.items():
        dmn_root = _parse_xml(text, filename)
        if _dmn_ns(dmn_root) not in DMN_SCHEMAS or _local(dmn_root.tag) != "definitions":
            raise PlaybookInvalid(
                [
                    Problem(
                        f"not a DMN file: the root element is <{_local(dmn_root.tag)}> in "
                        f"{_dmn_ns(dmn_root) or 'no namespace'}; DMN 1.1, 1.2 or 1.3 expected",
                        filename,
                        line=dmn_root.sourceline,
                    )
                ]
            )
        roots[filename] = dmn_roots[filename] = dmn_root

    processes = [
        p for p in root.iterfind("bpmn:process", NS) if p.get("isExecutable", "true") == "true"
    ]
    if not processes:
        raise PlaybookInvalid(
            [
                Problem(
                    'no executable process: mark the process isExecutable="true"',
                    bpmn_filename,
                    line=root.sourceline,
                )
            ]
        )
    if len(processes) > 1:
        raise PlaybookInvalid(
            [
                _problem(
                    "more than one executable process; a playbook is one process",
                    bpmn_filename,
                    processes[1],
                )
            ]
        )
    process = processes[0]

    problems = []
    for el in root.iter():
        reason = UNSUPPORTED.get(_local(el.tag)) if isinstance(el.tag, str) else None
        if reason:
            target = (
                el.getparent() if _local(el.tag).endswith(("Definition", "Characteristics")) else el
            )
            problems.append(_problem(reason, bpmn_filename, target))
    problems += _check_expressions_bpmn(root, bpmn_filename)
    problems += _check_forms(root, bpmn_filename)
    for filename, dmn_root in dmn_roots.items():
        problems += _check_expressions_dmn(dmn_root, filename)
    lanes: dict[str, str] = {}
    if check_people:
        problems += _check_people(root, bpmn_filename, workspace, lanes)

    decisions = {
        d.get("id"): filename
        for filename, dmn_root in dmn_roots.items()
        for d in dmn_root.iterfind("{*}decision")
    }
    for task in root.iterfind(".//bpmn:businessRuleTask", NS):
        ref = (
            task.findtext("./bpmn:extensionElements/spiffworkflow:calledDecisionId", namespaces=NS)
            or ""
        ).strip()
        if not ref:
            problems.append(
                _problem(
                    "a business rule task must name its DMN decision "
                    "(spiffworkflow:calledDecisionId)",
                    bpmn_filename,
                    task,
                )
            )
        elif ref not in decisions:
            known = ", ".join(sorted(k for k in decisions if k)) or "no DMN file was uploaded"
            problems.append(
                _problem(
                    f"calls the DMN decision {ref!r}, which is missing (decisions uploaded: "
                    f"{known})",
                    bpmn_filename,
                    task,
                )
            )
    if problems:
        raise PlaybookInvalid(sorted(problems, key=lambda p: (p.file, p.line or 0)))

    # A stored playbook was checked against the schemas at upload; starting a run skips that.
    parser = SpiffBpmnParser(validator=VALIDATOR if check_schema else None)
    try:
        for filename, dmn_root in dmn_roots.items():
            parser.add_dmn_xml(dmn_root, filename=filename)
        parser.add_bpmn_xml(root, filename=bpmn_filename)
        process_id = process.get("id", "")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise PlaybookInvalid([_spiff_problem(exc, roots)]) from None
    except (etree.LxmlError, AssertionError, KeyError, IndexError, ValueError) as exc:
        raise PlaybookInvalid(
            [Problem(f"SpiffWorkflow could not read the process: {exc}", bpmn_filename)]
        ) from None
    return ParsedPlaybook(
        process_id=process_id,
        name=(process.get("name") or process_id).strip()[:200],
        spec=spec,
        subprocess_specs=subprocess_specs,
        lanes=lanes,
    )
