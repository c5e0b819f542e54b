"""The load test's workspace: Acme Bank with 200 people who sign in (managers, agents and
employees, each with a password and an API token), a few months of conversations and cases, and
the record-only engagement policy of the demo. Written with the other benches' bulk builders;
what the simulated people need (accounts, ids to open) is returned as the plan Locust reads."""

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from rapport.bench import cases as case_bench
from rapport.bench import inbox as inbox_bench
from rapport.bench.traffic import generate_queries
from rapport.bench.workspace import building, in_rounds
from rapport.cases.models import Case, Status, Task
from rapport.contacts.models import Identity
from rapport.core.actions import create_api_token
from rapport.core.bulk import bulk_insert
from rapport.core.models import Membership, Team, User, Workspace
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.inbox.models import Conversation, Tag
from rapport.listening.models import ListeningQuery

SLUG = "load"
TEAMS = ["Social Care", "Sales", "R&D", "Credit"]
PASSWORD = "load-test-password-1"
#: Of every 10 people: 1 manager (decides approvals), 6 agents (the inbox and cases), 3
#: employees (capture and answer posts, comment, finish their tasks).
ROLES = [Role.MANAGER] + [Role.AGENT] * 6 + [Role.EMPLOYEE] * 3
TASKS_PER_EMPLOYEE = 40
SAMPLE = 3_000  # ids of each kind handed to Locust to open
#: Record-only: replies are recorded as sent and never posted anywhere; employees' replies wait
#: for a manager, so managers have approvals to decide. The policy's checks still run on each.
POLICY = {
    "disclosure": "I work at Acme Bank.",  # what the simulated employees' replies say
    "forbidden_phrases": ["guaranteed", "we admit liability"],
    "sensitive_topics": ["lawsuit", "data breach"],
    "designated_role": "agent",
    "approval_roles": ["employee"],
    "approver_role": "manager",
    "approval_hours": 48,
    "record_only": True,
}
CANNED = {"Sorry, send us a message": "Sorry {{ contact.first_name }}, please send us a DM."}


@dataclass
class Plan:
    """What the simulated people need: their accounts and ids of things to open."""

    slug: str
    people: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    conversations: list[int] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def build(*, people: int, conversations: int, cases: int, seed: int = 1) -> Plan:
    """A new workspace `load` (the database is the load test's own)."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    started = time.perf_counter()
    progress = building(conversations + cases, "rows")
    with transaction.atomic():
        workspace = Workspace.objects.create(name="Acme Bank (load test)", slug=SLUG)
        admin_user = User.objects.create(email=f"admin@{SLUG}.example")
        admin = Membership.objects.create(workspace=workspace, user=admin_user, role=Role.OWNER)
        members = _people(workspace, people)
        teams = _teams(workspace, members)
        queries = [
            ListeningQuery.objects.create(workspace=workspace, name=n, query=q, label=lbl)
            for n, q, lbl in generate_queries(60, seed)
        ]
        tags = [Tag.objects.create(workspace=workspace, name=n) for n in ("vip", "cards", "app")]
        engagement.update_policy(admin, designated_teams=[], **POLICY)
        for name, text in CANNED.items():
            engagement.create_canned(admin, name=name, text=text)
    workers = [m for m in members if m.role in (Role.AGENT, Role.MANAGER)]
    identity_ids = _identities(workspace, rng, max(100, conversations // 3))
    now = timezone.now()
    for offset, size in in_rounds(conversations, inbox_bench.CHUNK, progress.update):
        with transaction.atomic():
            inbox_bench._chunk(
                workspace, rng, size, offset, now, workers, teams, queries, tags, identity_ids
            )
    kind, customers, policy = case_bench.case_setup(workspace, max(100, cases // 10))
    for _, size in in_rounds(cases, case_bench.CHUNK, progress.update):
        with transaction.atomic():
            case_bench._chunk(workspace, rng, size, now, workers, teams, kind, customers, policy)
    employees = [m for m in members if m.role == Role.EMPLOYEE]
    _employee_tasks(workspace, rng, employees)
    progress.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    plan = Plan(slug=SLUG, members=[m.pk for m in workers])
    tasks: dict[int, list[int]] = {}
    for task_id, assignee_id in Task.objects.filter(
        workspace=workspace, status=Task.State.OPEN, assignee__role=Role.EMPLOYEE
    ).values_list("pk", "assignee_id"):
        tasks.setdefault(assignee_id, []).append(task_id)
    for m in members:
        _, raw = create_api_token(m, name="load test")
        plan.people.setdefault(m.role, []).append(
            {
                "email": m.user.email,
                "password": PASSWORD,
                "token": raw,
                "member_id": m.pk,
                "tasks": tasks.get(m.pk, []),
            }
        )
    open_conversations = Conversation.objects.filter(workspace=workspace).exclude(
        status__in=["resolved", "closed"]
    )
    plan.conversations = _sample(rng, open_conversations.values_list("pk", flat=True))
    plan.posts = _sample(rng, open_conversations.values_list("first_post_id", flat=True))
    working = Case.objects.filter(workspace=workspace).exclude(
        status__in=[Status.RESOLVED, Status.CLOSED]
    )
    plan.cases = _sample(rng, working.values_list("pk", flat=True))
    plan.counts = {
        "people": len(members),
        "conversations": conversations,
        "posts": conversations * inbox_bench.POSTS_PER_CONVERSATION,
        "cases": cases,
        "tasks": Task.objects.filter(workspace=workspace).count(),
        "build_seconds": round(time.perf_counter() - started),
    }
    return plan


def _people(workspace: Workspace, count: int) -> list[Membership]:
    """`count` people, the roles in ROLES' proportions, sharing one password (hashed once: a
    million PBKDF2 rounds per account would take minutes)."""
    hashed = make_password(PASSWORD)
    roles = [ROLES[i % len(ROLES)] for i in range(count)]
    users = [
        User(email=f"{role}{i}@{SLUG}.example", full_name=f"{role.title()} {i}", password=hashed)
        for i, role in enumerate(roles)
    ]
    User.objects.bulk_create(users)
    by_email = {u.email: u for u in User.objects.filter(email__in=[u.email for u in users])}
    rows = [
        Membership(
            workspace=workspace, user=by_email[f"{role}{i}@{SLUG}.example"], role=role, title=role
        )
        for i, role in enumerate(roles)
    ]
    Membership.objects.bulk_create(rows)
    return list(
        Membership.objects.filter(workspace=workspace)
        .exclude(role=Role.OWNER)
        .select_related("user")
        .order_by("pk")
    )


def _teams(workspace: Workspace, members: list[Membership]) -> dict[str, int]:
    teams = {}
    for i, name in enumerate(TEAMS):
        team = Team.objects.create(workspace=workspace, name=name)
        team.members.set(members[i :: len(TEAMS)])
        teams[name] = team.pk
    return teams


def _identities(workspace: Workspace, rng: random.Random, count: int) -> list[int]:
    ids: list[int] = []
    networks = inbox_bench.NETWORKS
    for start, size in in_rounds(count, 5_000):
        rows = [
            Identity(
                workspace_id=workspace.pk,
                network=networks[i % len(networks)],
                external_id=f"author-{i}",
                handle=f"user{i}",
                display_name=f"User {i}",
                reach=int(rng.lognormvariate(5.5, 1.6)),
            )
            for i in range(start, start + size)
        ]
        with transaction.atomic():
            bulk_insert(rows)
        ids += [r.pk for r in rows]
    return ids


def _employee_tasks(workspace: Workspace, rng: random.Random, employees: list[Membership]) -> None:
    """Back-office employees work tasks on cases: each has some open ones on working cases."""
    working = list(
        Case.objects.filter(workspace=workspace, status=Status.OPEN).values_list("pk", flat=True)
    )
    today = timezone.now().date()
    rows = [
        Task(
            workspace_id=workspace.pk,
            case_id=rng.choice(working),
            title=rng.choice(case_bench.TASK_TITLES),
            assignee_id=m.pk,
            due_date=today + timedelta(days=rng.randint(-3, 14)),
            status=Task.State.OPEN,
            checklist=[],
        )
        for m in employees
        for _ in range(TASKS_PER_EMPLOYEE)
    ]
    with transaction.atomic():
        bulk_insert(rows)


def _sample(rng: random.Random, ids: Any) -> list[int]:
    values = [i for i in ids if i]
    return rng.sample(values, min(SAMPLE, len(values)))
