"""Playbooks in the demo workspace: the "Payment dispute" and "Product defect" case types with
their playbooks (rapport/playbooks/library), and cases following them at different steps — one
waiting on Ingrid's senior approval, one at the credit team, one just opened, one finished, two
product defects with R&D.

Idempotent: case types are found by name, a playbook is uploaded only when the type has none,
and a case is found by its subject and left alone when it exists.
"""

from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from rapport.cases import actions as case_actions
from rapport.cases.models import Case, CaseType, Status, Task
from rapport.core.models import Membership, Team, Workspace
from rapport.playbooks import actions
from rapport.playbooks.models import Playbook

LIBRARY = files("rapport.playbooks") / "library"

CASE_TYPES: dict[str, dict[str, Any]] = {
    "Payment dispute": {
        "schema": {
            "type": "object",
            "properties": {
                "amount": {"type": "number", "title": "Amount to credit (€)", "minimum": 0}
            },
        },
        "bpmn": "payment_dispute.bpmn",
        "dmn": ["credit_approval.dmn"],
    },
    "Product defect": {
        "schema": {
            "type": "object",
            "properties": {
                "resolution": {
                    "type": "string",
                    "title": "Resolution",
                    "enum": ["fix", "workaround"],
                }
            },
        },
        "bpmn": "product_defect.bpmn",
        "dmn": [],
    },
}


@dataclass(frozen=True)
class DemoRun:
    subject: str
    case_type: str
    owner: str
    team: str
    priority: str
    description: str
    fields: dict[str, Any] = field(default_factory=dict)
    # titles of the playbook's tasks to complete, in order, each by its assignee
    done: tuple[str, ...] = ()
    # (author, body, public)
    comments: tuple[tuple[str, str, bool], ...] = ()
    resolve: bool = False


RUNS = [
    DemoRun(
        "Car loan direct debit collected twice",
        "Payment dispute",
        "sam@acme.example",
        "Social Care",
        "high",
        "Two collections of the car loan instalment on 1 June; the customer wants €1,250 back.",
        {"amount": 1250},
        ("Investigate the disputed payment",),
        (
            ("sam@acme.example", "Ledger shows two collections, refs DD-8812 and DD-8813.", False),
            (
                "sam@acme.example",
                "We found the second collection and are arranging a refund.",
                True,
            ),
        ),
    ),
    DemoRun(
        "Standing order paid twice in June",
        "Payment dispute",
        "priya@acme.example",
        "Social Care",
        "normal",
        "The rent standing order went out twice; €180 to give back.",
        {"amount": 180},
        ("Investigate the disputed payment",),
    ),
    DemoRun(
        "Overdraft fee charged in error",
        "Payment dispute",
        "sam@acme.example",
        "Social Care",
        "normal",
        "An overdraft fee of €45 although the account never went overdrawn.",
        {"amount": 45},
    ),
    DemoRun(
        "Card annual fee disputed",
        "Payment dispute",
        "priya@acme.example",
        "Social Care",
        "low",
        "The premium card fee was charged after the customer downgraded.",
        {"amount": 95},
        (
            "Investigate the disputed payment",
            "Issue the credit",
            "Tell the customer the credit is issued",
        ),
        (("priya@acme.example", "The €95 fee has been refunded to your account.", True),),
        resolve=True,
    ),
    DemoRun(
        "Statement PDF will not open on iOS",
        "Product defect",
        "priya@acme.example",
        "R&D",
        "high",
        "Customers on iOS 18 get a blank page when opening monthly statements.",
        {},
        ("Reproduce the defect",),
        (("priya@acme.example", "Reproduced on an iPhone 15 with iOS 18.1.", False),),
    ),
    DemoRun(
        "Savings interest shown twice in the app",
        "Product defect",
        "sam@acme.example",
        "R&D",
        "normal",
        "The app lists the monthly interest payment twice; the balance is right.",
        {"resolution": "workaround"},
        ("Reproduce the defect", "Find the cause (R&D investigation)"),
    ),
]


def _case_type(owner: Membership, name: str) -> CaseType:
    found = CaseType.objects.filter(workspace=owner.workspace, name__iexact=name).first()
    if found is not None:
        return found
    return case_actions.create_case_type(owner, name=name, schema=CASE_TYPES[name]["schema"])


def _playbook(owner: Membership, case_type: CaseType) -> Playbook | None:
    existing = Playbook.objects.filter(case_type=case_type).order_by("-version").first()
    if existing is not None:
        return existing
    spec = CASE_TYPES[case_type.name]
    return actions.upload_playbook(
        owner,
        case_type,
        bpmn=(LIBRARY / spec["bpmn"]).read_text(),
        dmn={name: (LIBRARY / name).read_text() for name in spec["dmn"]},
        bpmn_filename=spec["bpmn"],
    )


def load(workspace: Workspace, owner: Membership) -> None:
    members = {
        m.user.email: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    types = {}
    for name in CASE_TYPES:
        types[name] = _case_type(owner, name)
        _playbook(owner, types[name])
    existing = set(Case.objects.filter(workspace=workspace).values_list("subject", flat=True))
    for spec in RUNS:
        if spec.subject in existing:
            continue
        case_owner = members.get(spec.owner, owner)
        case = case_actions.create_case(
            case_owner,
            subject=spec.subject,
            description=spec.description,
            case_type=types[spec.case_type],
            custom_fields=spec.fields,
            priority=spec.priority,
            owner=case_owner,
            team=teams.get(spec.team),
        )
        for title in spec.done:
            task = Task.objects.filter(case=case, title=title, status=Task.State.OPEN).first()
            if task is None:
                break
            case_actions.update_task(task.assignee or case_owner, task, status="done")
        for email, body, public in spec.comments:
            case_actions.add_comment(members.get(email, owner), case, body=body, public=public)
        if spec.resolve:
            case.refresh_from_db()
            if case.status == Status.OPEN:
                case_actions.transition(case_owner, case, to=Status.RESOLVED)
