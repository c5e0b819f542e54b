"""`rapport bench sla`: the SLA sweep over N open cases (two timers each), K of them crossing
their warning or breach time now: the scheduled sweep (find them, hand them to escalation tasks
in batches), the escalation of the K (what those tasks do: notify, apply the rules, audit), and
an idle sweep (nothing crossing). Builds a throwaway workspace in the configured database and
deletes it afterwards. A benchmark, not a test: the last line printed is JSON."""

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from rapport.bench.workspace import drop_workspace, empty_tables
from rapport.cases.models import Activity, Case, Status, Task
from rapport.core.bulk import bulk_insert
from rapport.core.models import AuditEvent, Membership, Team, User, Workspace
from rapport.core.priority import Priority
from rapport.core.roles import Role
from rapport.notifications.models import Notification
from rapport.sla.calendar import WEEKDAYS_9_TO_5
from rapport.sla.models import (
    BusinessCalendar,
    Escalation,
    EscalationRule,
    Metric,
    SlaPolicy,
    SlaTimer,
)
from rapport.sla.sweep import sweep

HELP = "Time one SLA sweep over N open cases (two timers each), some crossing a threshold now."
CHUNK = 5_000


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--cases", type=int, default=100_000, help="Open cases (N).")
    parser.add_argument(
        "--crossing",
        type=int,
        default=200,
        help="Timers crossing their warning or breach time at the sweep (half each).",
    )
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark workspace.")


def run(log: Callable[[str], Any], **options: Any) -> dict[str, Any]:
    n, crossing = options["cases"], options["crossing"]
    if n < 1 or not 0 <= crossing <= 2 * n:
        raise ValueError("--cases must be at least 1 and --crossing at most twice that.")
    rng = random.Random(options["seed"])  # noqa: S311 - benchmark data
    began = time.perf_counter()
    workspace, policy = _setup()
    now = timezone.now()
    try:
        _build(workspace, policy, n, crossing, now, rng)
        log(f"Built {n:,} open cases, {2 * n:,} timers in {time.perf_counter() - began:.1f} s")
        # A worker imports the URLs (for the links in notifications) once; so does this run.
        reverse("web:settings", args=[workspace.slug])
        handoff = _handoff(now)
        work = sweep(now, inline=True)  # what the escalation tasks do, timed here in one go
        idle = sweep(now)
        figures = {
            "database": connection.vendor,
            "open_cases": n,
            "timers": 2 * n,
            "crossing": crossing,
            "sweep_s": handoff["seconds"],
            "sweep_find_s": handoff["find_seconds"],
            "batches": handoff["batches"],
            "escalate_s": work["seconds"],
            "warned": work["warned"],
            "breached": work["breached"],
            "escalations": work["escalations"],
            "per_crossing_ms": round(1000 * work["seconds"] / max(1, crossing), 2),
            "idle_sweep_s": idle["seconds"],
        }
        log(
            f"Sweep over {n:,} open cases: {handoff['seconds']:.3f} s to find {crossing} crossing "
            f"timers and hand them over in {handoff['batches']} batch(es); escalating them: "
            f"{work['seconds']:.3f} s ({work['warned']} warned, {work['breached']} breached, "
            f"{work['escalations']} rule actions); idle sweep {idle['seconds']:.3f} s"
        )
        return figures
    finally:
        if not options["keep"]:
            _delete(workspace)


class _Undo(Exception):
    pass


def _handoff(now: Any) -> dict[str, float]:
    """The scheduled sweep (find, then enqueue one escalation task per batch), rolled back so
    its tasks leave no rows in the database queue."""
    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            figures = sweep(now)
            raise _Undo
    except _Undo:
        pass
    return figures


def _setup() -> tuple[Workspace, SlaPolicy]:
    slug = f"bench-sla-{timezone.now():%Y%m%d%H%M%S}"
    with transaction.atomic():
        workspace = Workspace.objects.create(name=f"Benchmark {slug}", slug=slug)
        team = Team.objects.create(workspace=workspace, name="Care")
        people = []
        for i, role in enumerate((Role.OWNER, Role.MANAGER, Role.AGENT, Role.AGENT)):
            email = f"person{i}@{slug}.example"
            user = User.objects.filter(email=email).first() or User.objects.create_user(email)
            people.append(Membership.objects.create(workspace=workspace, user=user, role=role))
        team.members.set(people)
        calendar = BusinessCalendar.objects.create(
            workspace=workspace, name="Office", time_zone="Europe/London", hours=WEEKDAYS_9_TO_5
        )
        policy = SlaPolicy.objects.create(
            workspace=workspace,
            name="Standard",
            calendar=calendar,
            first_response_minutes=60,
            resolution_minutes=960,
        )
        for when, do in (
            (EscalationRule.When.WARNING, EscalationRule.Do.NOTIFY_MANAGER),
            (EscalationRule.When.BREACH, EscalationRule.Do.RAISE_PRIORITY),
            (EscalationRule.When.BREACH, EscalationRule.Do.OPEN_TASK),
        ):
            EscalationRule.objects.create(workspace=workspace, policy=policy, when=when, do=do)
    return workspace, policy


def _build(
    workspace: Workspace,
    policy: SlaPolicy,
    n: int,
    crossing: int,
    now: Any,
    rng: random.Random,
) -> None:
    owners = list(Membership.objects.filter(workspace=workspace).values_list("pk", flat=True))
    team = Team.objects.get(workspace=workspace)
    crossing_at = set(rng.sample(range(2 * n), crossing))
    made = 0
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        cases = [
            Case(
                workspace_id=workspace.pk,
                subject=f"Case {start + i}",
                status=Status.WAITING_CUSTOMER if rng.random() < 0.1 else Status.OPEN,
                priority=Priority.NORMAL,
                owner_id=rng.choice(owners),
                team_id=team.pk,
            )
            for i in range(size)
        ]
        with transaction.atomic():
            bulk_insert(cases)
            timers = []
            for case in cases:
                for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
                    if made in crossing_at:  # half just breached, half just past the warning
                        due = (
                            now - timedelta(seconds=30) if made % 2 else now + timedelta(minutes=5)
                        )
                        state = SlaTimer.State.RUNNING
                    else:
                        due = now + timedelta(minutes=rng.uniform(30, 5 * 480))
                        paused = case.status == Status.WAITING_CUSTOMER
                        state = SlaTimer.State.PAUSED if paused else SlaTimer.State.RUNNING
                    made += 1
                    timers.append(
                        SlaTimer(
                            workspace_id=workspace.pk,
                            case_id=case.pk,
                            policy_id=policy.pk,
                            metric=metric,
                            state=state,
                            target_minutes=policy.target(metric) or 60,
                            started_at=now - timedelta(minutes=30),
                            due_at=due,
                            warn_at=due - timedelta(minutes=10),
                            paused_since=now if state == SlaTimer.State.PAUSED else None,
                        )
                    )
            bulk_insert(timers)


def _delete(workspace: Workspace) -> None:
    """Removes the benchmark rows table by table (the ORM would load them all first)."""
    in_cases = f"case_id IN (SELECT id FROM {Case._meta.db_table} WHERE workspace_id = %s)"  # noqa: S608
    empty_tables(
        workspace,
        [
            *(m._meta.db_table for m in (Escalation, SlaTimer, Activity, Task, Notification)),
            (Case.watchers.through._meta.db_table, in_cases),
            Case._meta.db_table,
            # audit events are append-only for the product; a benchmark's own go with it
            AuditEvent._meta.db_table,
        ],
    )
    SlaPolicy.objects.filter(workspace=workspace).delete()
    drop_workspace(workspace)
