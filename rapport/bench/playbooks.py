"""Time what a playbook costs the people using it: checking an upload, opening a case that starts
a run, and each step (a task completed, an approval decided), each of which loads the workflow
JSON, runs SpiffWorkflow forward and saves it; and the restricted evaluator on its own.

Everything is written in a throwaway workspace inside one transaction that is rolled back at the
end, so nothing is left behind (after-commit reactions such as notifications do not run).
Figures are measured, never asserted.
"""

import statistics
import time
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import transaction

from rapport.approvals import actions as approval_actions
from rapport.approvals.models import Approval
from rapport.bench.timing import seconds_in_ms
from rapport.cases import actions as case_actions
from rapport.cases.models import Case, Task
from rapport.core import actions as core_actions
from rapport.core.models import Membership, User
from rapport.core.roles import Role
from rapport.playbooks import actions, evaluator
from rapport.playbooks.models import PlaybookRun
from rapport.playbooks.validate import parse_playbook

HELP = "Time playbook uploads, run starts and steps (Payment dispute) and the evaluator."

#: The playbooks shipped with the playbooks app.
LIBRARY = files("rapport.playbooks") / "library"


class _Rollback(Exception):
    pass


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--cases", type=int, default=200, help="Payment disputes to run (N).")
    parser.add_argument(
        "--evaluations", type=int, default=20_000, help="Expressions timed in the evaluator."
    )


def _timed(samples: list[float], work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    samples.append(time.perf_counter() - start)
    return result


def _people(stamp: str) -> tuple[Membership, dict[str, Membership]]:
    user = User.objects.create_user(f"owner@{stamp}.bench.example", None)
    workspace = core_actions.create_workspace(name="Playbook bench", slug=stamp, owner=user)
    owner = workspace.memberships.get()
    people = {}
    for key, role, title, team in [
        ("sam", Role.AGENT, "Social Care agent", "Social Care"),
        ("tom", Role.EMPLOYEE, "Accountant", "Credit"),
        ("ingrid", Role.MANAGER, "Senior credit officer", "Credit"),
    ]:
        member = core_actions.add_member(
            owner, email=f"{key}@{stamp}.bench.example", role=role, title=title
        )
        found = workspace.teams.filter(name=team).first() or core_actions.create_team(
            owner, name=team
        )
        core_actions.add_team_member(owner, found, member)
        people[key] = member
    return owner, people


def _finish(case: Case, title: str) -> None:
    task = Task.objects.select_related("assignee").get(case=case, title=title, status="open")
    assert task.assignee is not None
    case_actions.update_task(task.assignee, task, status="done")


def _dispute(
    case_type: Any,
    sam: Membership,
    ingrid: Membership,
    i: int,
    amount: int,
    samples: dict[str, list[float]],
    sizes: list[int],
) -> None:
    """One payment dispute from opening to the customer told, each step timed."""
    start = time.perf_counter()
    case = case_actions.create_case(
        sam,
        subject=f"Disputed payment {i}",
        case_type=case_type,
        owner=sam,
        custom_fields={"amount": amount},
    )
    samples["open"].append(time.perf_counter() - start)
    _timed(samples["investigate"], lambda: _finish(case, "Investigate the disputed payment"))
    if amount > 500:
        approval = Approval.objects.get(object_id=case.pk, state="pending")
        _timed(
            samples["decide"],
            lambda: approval_actions.decide(ingrid, approval, decision="approve"),
        )
    _timed(samples["credit"], lambda: _finish(case, "Issue the credit"))
    sizes.append(len(str(PlaybookRun.objects.get(case=case).state)))
    _timed(samples["tell"], lambda: _finish(case, "Tell the customer the credit is issued"))


def run(say: Callable[[str], Any], *, cases: int, evaluations: int, **_: Any) -> dict[str, Any]:
    if cases < 1:
        raise ValueError("--cases must be at least 1")
    settings.DEBUG = False
    bpmn = (LIBRARY / "payment_dispute.bpmn").read_text()
    dmn = {"credit_approval.dmn": (LIBRARY / "credit_approval.dmn").read_text()}
    figures: dict[str, Any] = {"cases": cases}
    samples: dict[str, list[float]] = {
        k: [] for k in ("upload", "open", "investigate", "decide", "credit", "tell")
    }
    sizes: list[int] = []
    try:
        with transaction.atomic():
            owner, people = _people(f"bench-playbooks-{int(time.time())}")
            case_type = case_actions.create_case_type(owner, name="Payment dispute")
            for _attempt in range(5):
                _timed(samples["upload"], lambda: parse_playbook(owner.workspace, bpmn, dmn))
            actions.upload_playbook(owner, case_type, bpmn=bpmn, dmn=dmn)
            sam, ingrid = people["sam"], people["ingrid"]
            for i in range(cases):
                amount = 900 if i % 2 else 120  # half need a senior approval
                _dispute(case_type, sam, ingrid, i, amount, samples, sizes)
            figures["completed_runs"] = PlaybookRun.objects.filter(
                workspace=owner.workspace, status="completed"
            ).count()
            raise _Rollback
    except _Rollback:
        pass
    for name, values in samples.items():
        if values:
            figures[name] = seconds_in_ms(values, ("p50", "p95"))
            p50, p95 = figures[name]["p50_ms"], figures[name]["p95_ms"]
            say(f"{name:<12} p50 {p50:>8} ms   p95 {p95:>8} ms")
    figures["workflow_json_bytes"] = int(statistics.median(sizes))
    say(f"workflow state: {figures['workflow_json_bytes']} bytes (median, mid-run)")
    data = {"amount": 620, "tier": "gold", "custom_fields": {"resolution": "fix"}}
    start = time.perf_counter()
    for _round in range(evaluations):
        evaluator.evaluate(
            "amount > 500 and get(custom_fields, 'resolution', 'fix') == 'fix'", data
        )
    per_s = evaluations / (time.perf_counter() - start)
    figures["evaluations_per_s"] = round(per_s)
    say(f"evaluator: {per_s:,.0f} expressions/s")
    return figures
