"""Reads of playbooks: the current step of a case (for its public page), its steps (for the
case page), and the playbooks of each case type (for Settings)."""

from typing import Any

from rapport.cases.models import Case, CaseType
from rapport.core.models import Membership
from rapport.playbooks.models import Playbook, PlaybookRun


def run_of(case: Case) -> PlaybookRun | None:
    return PlaybookRun.objects.filter(case_id=case.pk).select_related("playbook").first()


def current_step(case: Case) -> str | None:
    """The step the case's playbook is at, in the customer's words where the BPMN gives them
    (the step's `customer_step` property), else the step's name; None without a running one."""
    row = (
        PlaybookRun.objects.filter(case_id=case.pk, status=PlaybookRun.Status.RUNNING)
        .values_list("customer_step", flat=True)
        .first()
    )
    return row or None


def steps(case: Case) -> list[dict[str, Any]]:
    """The playbook's steps in drawing order: name, lane, assignee, state (done, current,
    waiting (on an approval), future, skipped) and kind (task, approval, decision, script)."""
    row = PlaybookRun.objects.filter(case_id=case.pk).values_list("outline", flat=True).first()
    return list(row or [])


def case_types_with_playbooks(membership: Membership) -> list[dict[str, Any]]:
    """Each case type of the workspace with its active playbook and its earlier versions."""
    types = list(CaseType.objects.filter(workspace=membership.workspace).order_by("name"))
    versions: dict[int, list[Playbook]] = {}
    for playbook in (
        Playbook.objects.filter(workspace=membership.workspace)
        .select_related("uploaded_by__user")
        .order_by("-version")
    ):
        versions.setdefault(playbook.case_type_id, []).append(playbook)
    return [
        {
            "case_type": t,
            "active": next((p for p in versions.get(t.pk, []) if p.active), None),
            "versions": versions.get(t.pk, []),
        }
        for t in types
    ]


def startable_playbooks(membership: Membership, case: Case) -> list[Playbook]:
    """Active playbooks that may be started on the case by hand, its own type's first."""
    qs = Playbook.objects.filter(workspace=membership.workspace, active=True).select_related(
        "case_type"
    )
    return sorted(qs, key=lambda p: (p.case_type_id != case.case_type_id, p.case_type.name))
