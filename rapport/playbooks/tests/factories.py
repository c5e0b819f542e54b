"""A small bank for playbook tests: Social Care (Sam), Credit (Tom), a senior credit officer
(Ingrid), the Payment dispute case type and its library playbook."""

from dataclasses import dataclass
from pathlib import Path

from rapport.cases import actions as case_actions
from rapport.cases.models import Case, CaseType
from rapport.core import actions as core_actions
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role
from rapport.playbooks import actions
from rapport.playbooks.models import Playbook

LIBRARY = Path(__file__).resolve().parent.parent / "library"


def library(name: str) -> str:
    return (LIBRARY / name).read_text()


@dataclass
class Bank:
    workspace: Workspace
    owner: Membership
    sam: Membership
    tom: Membership
    ingrid: Membership
    case_type: CaseType
    playbook: Playbook


def member(owner: Membership, email: str, role: str, title: str, *teams: str) -> Membership:
    m = core_actions.add_member(owner, email=email, role=role, title=title)
    for name in teams:
        team = owner.workspace.teams.filter(name=name).first() or core_actions.create_team(
            owner, name=name
        )
        core_actions.add_team_member(owner, team, m)
    return m


def bank(owner: Membership) -> Bank:
    slug = owner.workspace.slug
    sam = member(owner, f"sam@{slug}.example", Role.AGENT, "Social Care agent", "Social Care")
    tom = member(owner, f"tom@{slug}.example", Role.EMPLOYEE, "Accountant", "Credit")
    ingrid = member(
        owner, f"ingrid@{slug}.example", Role.MANAGER, "Senior credit officer", "Credit"
    )
    case_type = case_actions.create_case_type(owner, name="Payment dispute")
    playbook = actions.upload_playbook(
        owner,
        case_type,
        bpmn=library("payment_dispute.bpmn"),
        dmn={"credit_approval.dmn": library("credit_approval.dmn")},
        bpmn_filename="payment_dispute.bpmn",
    )
    return Bank(owner.workspace, owner, sam, tom, ingrid, case_type, playbook)


def dispute(b: Bank, amount: float, subject: str = "Mortgage payment taken twice") -> Case:
    """A payment dispute opened by Sam (its owner, so open at once: the playbook starts)."""
    return case_actions.create_case(
        b.sam,
        subject=subject,
        case_type=b.case_type,
        owner=b.sam,
        custom_fields={"amount": amount},
    )
