"""Build a throwaway workspace of N cases with their tasks, comments, watchers, activity and SLA
timers, then time the case list (several filters and pages) and case pages through Django's test
Client, and one SLA sweep over all open cases.

The workspace (bench-cases-<time>) is written with bulk inserts, in chunks, and deleted
afterwards table by table. Figures are measured, never asserted: this is a benchmark, not a test.
"""

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from rapport.bench.timing import RequestTimer, in_ms, percentiles, report, time_pages, time_urls
from rapport.bench.workspace import (
    building,
    drop_workspace,
    empty_tables,
    in_rounds,
    staffed_workspace,
    throwaway,
)
from rapport.cases.models import Activity, Case, CaseType, Comment, Status, Task
from rapport.contacts.models import Contact
from rapport.core.bulk import bulk_insert
from rapport.core.models import Membership, Workspace
from rapport.sla import models as sla
from rapport.sla.sweep import sweep

HELP = "Time the case list and case pages at N cases (5 tasks and comments each), and an SLA sweep."

CHUNK = 5_000  # cases written per round
TASKS_AND_COMMENTS = 5  # per case on average: 200,000 cases -> 1,000,000 tasks and comments
TEAMS = ["Social Care", "Credit", "R&D", "Sales"]
STATUSES = [Status.NEW] * 10 + [Status.OPEN] * 25 + [Status.WAITING_CUSTOMER] * 8
STATUSES += [Status.WAITING_APPROVAL] * 5 + [Status.WAITING_THIRD_PARTY] * 4
STATUSES += [Status.RESOLVED] * 18 + [Status.CLOSED] * 30
SUBJECTS = [
    "Mortgage payment taken twice in {month}",
    "Card blocked in {place}",
    "App logs me out since the {version} update",
    "Fee refund for a failed transfer to {place}",
    "Remortgage offer question ({month})",
    "Wrong name on the {month} statement",
    "Branch in {place} closed without notice",
]
FILL = {
    "month": ["January", "March", "May", "July", "September", "November"],
    "place": ["Lisbon", "Leeds", "Berlin", "the airport", "Amazon", "Tesco"],
    "version": ["4.1", "4.2", "4.3"],
}
TASK_TITLES = [
    "Check the ledger",
    "Call the customer back",
    "Approve the credit",
    "Issue the refund",
    "Reproduce on Android",
]
COMMENTS = [
    "Confirmed in the ledger, ref MX-2291.",
    "Customer called again, waiting for the statement.",
    "@sam can you take this one?",
    "We found the problem and are fixing it.",
    "Escalated to the back office.",
]
OPEN = [s for s in Status.values if s not in (Status.RESOLVED, Status.CLOSED)]


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--cases", type=int, default=20_000, help="How many cases (N).")
    parser.add_argument("--repeat", type=int, default=20, help="Requests per list URL.")
    parser.add_argument("--pages", type=int, default=200, help="Case pages opened.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same cases.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark workspace.")


@dataclass
class Built:
    workspace: Workspace
    viewer: Membership
    cases: int
    tasks: int
    comments: int
    timers: int
    seconds: float
    teams: dict[str, int]
    owner_id: int
    customer_id: int
    now: datetime  # the moment the SLA timers were laid out against


def build(cases: int, *, seed: int = 1, progress: Callable[[int], None] | None = None) -> Built:
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    started = time.perf_counter()
    slug = f"bench-cases-{timezone.now():%Y%m%d%H%M%S}"
    with transaction.atomic():
        workspace, members, teams = staffed_workspace(slug, TEAMS)
    kind, customers, policy = case_setup(workspace, max(100, cases // 10))
    now = timezone.now()
    totals = {"tasks": 0, "comments": 0, "timers": 0}
    for _, size in in_rounds(cases, CHUNK, progress):
        with transaction.atomic():
            counts = _chunk(workspace, rng, size, now, members, teams, kind, customers, policy)
        for k, v in counts.items():
            totals[k] += v
    with connection.cursor() as cursor:
        # fresh statistics (and on PostgreSQL a visibility map, for index-only counts), as a
        # live database's autovacuum keeps them
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Built(
        workspace=workspace,
        viewer=members[3],
        cases=cases,
        tasks=totals["tasks"],
        comments=totals["comments"],
        timers=totals["timers"],
        seconds=time.perf_counter() - started,
        teams=teams,
        owner_id=members[4].pk,
        customer_id=customers[0],
        now=now,
    )


def _chunk(
    workspace: Workspace,
    rng: random.Random,
    size: int,
    now: datetime,
    members: list[Membership],
    teams: dict[str, int],
    kind: CaseType,
    customers: list[int],
    policy: Any,
) -> dict[str, int]:
    rows = []
    for _ in range(size):
        updated = now - timedelta(seconds=rng.uniform(0, 180 * 86_400))
        created = updated - timedelta(hours=rng.uniform(1, 240))
        status = rng.choice(STATUSES)
        owned = status != Status.NEW
        template = rng.choice(SUBJECTS)
        rows.append(
            Case(
                workspace_id=workspace.pk,
                subject=template.format(**{k: rng.choice(v) for k, v in FILL.items()}),
                description="The customer wrote to us on social media about this.",
                customer_id=rng.choice(customers) if rng.random() < 0.8 else None,
                case_type_id=kind.pk if template.startswith("Mortgage") else None,
                custom_fields={"amount": rng.randint(5, 2000)}
                if template.startswith("Mortgage")
                else {},
                priority=rng.choice([0, 1, 1, 1, 2, 2, 3]),
                status=status,
                owner_id=rng.choice(members).pk if owned else None,
                team_id=teams[rng.choice(TEAMS)] if rng.random() < 0.9 else None,
                tags=[],
                created_at=created,
                updated_at=updated,
                resolved_at=updated if status in (Status.RESOLVED, Status.CLOSED) else None,
                closed_at=updated if status == Status.CLOSED else None,
            )
        )
    bulk_insert(rows)
    # bulk_insert stamps auto_now fields with one time; the list is ordered by updated_at
    Case.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=1_000)
    tasks, comments, activity, watchers, timers = [], [], [], [], []
    through = Case.watchers.through
    for case in rows:
        n = rng.randint(0, TASKS_AND_COMMENTS * 2)
        n_tasks = rng.randint(0, n)
        for k in range(n_tasks):
            done = case.status in (Status.RESOLVED, Status.CLOSED) or rng.random() < 0.5
            tasks.append(
                Task(
                    workspace_id=workspace.pk,
                    case_id=case.pk,
                    title=rng.choice(TASK_TITLES),
                    assignee_id=rng.choice(members).pk,
                    due_date=(case.updated_at + timedelta(days=k + 1)).date(),
                    status=Task.State.DONE if done else Task.State.OPEN,
                    checklist=[],
                    done_at=case.updated_at if done else None,
                )
            )
        for k in range(n - n_tasks):
            author = rng.choice(members)
            comments.append(
                Comment(
                    workspace_id=workspace.pk,
                    case_id=case.pk,
                    author_id=author.pk,
                    body=rng.choice(COMMENTS),
                    public=k % 3 == 2,
                )
            )
        watchers.append(through(case_id=case.pk, membership_id=case.owner_id or members[0].pk))
        for text in ("opened the case", "added a task", "commented"):
            activity.append(
                Activity(
                    workspace_id=workspace.pk,
                    case_id=case.pk,
                    actor_id=case.owner_id,
                    verb="case.create",
                    text=text,
                    team_id=case.team_id,
                    customer_id=case.customer_id,
                    created_at=case.updated_at,
                )
            )
        if case.status in OPEN:
            # Due times spread over the next 50 hours, warnings 20% of the target before: as a
            # live workspace a minute after the previous sweep, about 1 in 3,000 timers crosses
            # its breach and as many their warning now; earlier warnings are already marked.
            due = now + timedelta(minutes=rng.uniform(-1, 3_000))
            warn = due - timedelta(minutes=policy.resolution_minutes * 0.2)
            timers.append(
                sla.SlaTimer(
                    workspace_id=workspace.pk,
                    case_id=case.pk,
                    policy_id=policy.pk,
                    metric="resolution",
                    state="paused" if case.status == Status.WAITING_CUSTOMER else "running",
                    target_minutes=policy.resolution_minutes,
                    started_at=case.created_at,
                    due_at=due,
                    warn_at=warn,
                    warned_at=warn if warn < now - timedelta(minutes=1) else None,
                )
            )
    for batch in (tasks, comments, activity, watchers, timers):
        bulk_insert(batch)
    return {"tasks": len(tasks), "comments": len(comments), "timers": len(timers)}


def list_urls(built: Built) -> dict[str, str]:
    base = f"/w/{built.workspace.slug}/cases/"
    care, credit = built.teams["Social Care"], built.teams["Credit"]
    return {
        "all (default)": base,
        "active": base + "?status=active",
        "open + team": base + f"?status=open&team={care}",
        "team": base + f"?team={credit}",
        "owner me": base + "?owner=me",
        "owner + active": base + f"?owner={built.owner_id}&status=active",
        "unowned": base + "?owner=none",
        "page 40": base + "?page=40",
        "active page 200": base + "?status=active&page=200",
        "case number": base + "?q=%2312345",
        "htmx fragment": base + "?status=waiting_customer",
    }


def measure(
    built: Built, *, repeat: int = 20, pages: int = 200, seed: int = 2
) -> Iterator[tuple[str, dict[str, float]]]:
    """(name, percentiles in ms) per list URL, all list requests, then case pages."""
    timer = RequestTimer()
    client = Client()
    client.force_login(built.viewer.user)
    rng = random.Random(seed)  # noqa: S311 - which cases to open

    def timed(url: str) -> float:
        return timer(client, url)

    yield from time_urls(
        timer,
        client,
        list_urls(built),
        repeat=repeat,
        together="case list, all filters",
        htmx=("htmx fragment",),
    )
    cases = Case.objects.filter(workspace=built.workspace)
    base = f"/w/{built.workspace.slug}/cases/"
    yield "case page", time_pages(timer, client, cases, base, pages, rng)
    activity = f"/w/{built.workspace.slug}/activity/"
    timed(activity)
    yield (
        "activity (team)",
        percentiles([timed(activity + f"?team={built.teams['Credit']}") for _ in range(repeat)]),
    )


def time_sweep(now: datetime) -> dict[str, Any]:
    """One SLA sweep over every open case's timers, a minute after the last one (`now`: when the
    timers were laid out, so the minutes spent building do not make more of them due)."""
    began = time.perf_counter()
    # inline: the escalation work is timed too, instead of being queued for a worker
    counts = sweep(now=now, inline=True)
    return {"seconds": round(time.perf_counter() - began, 3), **counts}


def delete(workspace: Workspace) -> None:
    """Removes the benchmark workspace, table by table (the ORM would load a million rows)."""
    in_cases = "case_id IN (SELECT id FROM cases_case WHERE workspace_id = %s)"
    in_comments = "comment_id IN (SELECT id FROM cases_comment WHERE workspace_id = %s)"
    timers = "timer_id IN (SELECT id FROM sla_slatimer WHERE workspace_id = %s)"
    tables = [
        (sla.Escalation._meta.db_table, timers),
        (sla.SlaTimer._meta.db_table, "workspace_id = %s"),
        (Activity._meta.db_table, "workspace_id = %s"),
        (Comment.mentions.through._meta.db_table, in_comments),
        (Comment.team_mentions.through._meta.db_table, in_comments),
        (Comment._meta.db_table, "workspace_id = %s"),
        (Task._meta.db_table, "workspace_id = %s"),
        (Case.watchers.through._meta.db_table, in_cases),
        (Case._meta.db_table, "workspace_id = %s"),
        (Contact._meta.db_table, "workspace_id = %s"),
    ]
    empty_tables(workspace, tables)
    # policies protect their calendar, which protects the workspace
    sla.SlaPolicy.objects.filter(workspace=workspace).delete()
    sla.BusinessCalendar.objects.filter(workspace=workspace).delete()
    drop_workspace(workspace)


def run(
    say: Callable[[str], Any],
    *,
    cases: int,
    repeat: int,
    pages: int,
    seed: int,
    keep: bool,
    **_: Any,
) -> dict[str, Any]:
    """Builds, measures, prints each figure with `say`, cleans up; returns the JSON figures."""
    if cases < 1:
        raise ValueError("--cases must be at least 1")
    with building(cases, "case") as bar:
        built = build(cases, seed=seed, progress=bar.update)
    say(
        f"built {built.cases:,} cases, {built.tasks:,} tasks, {built.comments:,} comments, "
        f"{built.timers:,} SLA timers in {built.seconds:.0f}s ({connection.vendor})"
    )
    with throwaway(built.workspace, delete, keep=keep):
        figures = report(say, measure(built, repeat=repeat, pages=pages))
        swept = time_sweep(built.now)
        say(f"SLA sweep over {built.timers:,} timers: {swept['seconds']:.3f} s ({swept})")
    return {
        "cases": built.cases,
        "tasks_and_comments": built.tasks + built.comments,
        **in_ms("case_list", figures["case list, all filters"]),
        **in_ms("case_page", figures["case page"]),
        **in_ms("activity", figures["activity (team)"], ("p95",)),
        "sla_timers": built.timers,
        "sla_sweep_s": swept["seconds"],
        "database": connection.vendor,
    }


def case_setup(workspace: Workspace, customers: int) -> tuple[CaseType, list[int], Any]:
    """A case type, an always-open SLA policy and `customers` contacts: what generated cases
    refer to (this bench's and the load test's)."""
    with transaction.atomic():
        kind = CaseType.objects.create(
            workspace=workspace,
            name="Payment dispute",
            schema={"type": "object", "properties": {"amount": {"type": "number"}}},
        )
        calendar = sla.BusinessCalendar.objects.create(
            workspace=workspace,
            name="Always open",
            time_zone="UTC",
            hours={str(d): [["00:00", "24:00"]] for d in range(7)},
        )
        policy = sla.SlaPolicy.objects.create(
            workspace=workspace, name="Standard", calendar=calendar, resolution_minutes=2880
        )
    ids: list[int] = []
    for start, size in in_rounds(customers, 5_000):
        rows = [
            Contact(workspace_id=workspace.pk, name=f"Customer {i}")
            for i in range(start, start + size)
        ]
        with transaction.atomic():
            bulk_insert(rows)
        ids += [r.pk for r in rows]
    return kind, ids, policy
