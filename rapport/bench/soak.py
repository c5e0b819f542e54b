"""Ingests N generated posts through real `rapport worker` processes while killing one with
SIGKILL every --kill-every seconds (and starting another), waits until the queue is drained, then
counts what arrived: every post stored, triaged and routed exactly once, or the difference.

The ingest is work on the queue, as a poll is: one `receive_chunk` task per --chunk posts
(generated from the seed, so a retried chunk is the same posts), storing and triaging them in one
transaction; each stored batch's `post.triaged` then queues the inbox's and the timeline's
listeners. Workers use the configured queue (the database, or Redis with REDIS_URL) and database,
with a lease of --lease seconds. The figures:

- stored: distinct (network, external id) of the workspace's posts; lost = N - stored,
  duplicated = rows - distinct.
- triaged: stored posts with a triage time (triage runs in the storing transaction).
- routed: a post is routed once it is placed in exactly one conversation (`ConversationPost`) and
  that conversation was acted on by the soak's routing rule (tag it "soak") exactly once
  (`RuleApplication`); copies of another post (reposts) are placed with their original, so they
  are not expected. lost = routable posts not placed + conversations the rule never acted on;
  duplicated = placements beyond one per post + rule applications beyond one per conversation.
- timeline: posts by the known customers (contacts made for the busiest authors beforehand) on
  their timelines: lost = such posts without an entry, duplicated = entries beyond one per post.
"""

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from rapport.bench.traffic import Parsers, Traffic, generate_queries
from rapport.bench.workspace import drop_workspace, empty_tables
from rapport.connectors.base import Batch
from rapport.contacts.models import Contact, Identity
from rapport.core import actions as core_actions
from rapport.core.models import Membership, User, Workspace
from rapport.inbox import rule_actions
from rapport.inbox.models import (
    Activity,
    Conversation,
    ConversationPost,
    ConversationQuery,
    ConversationTag,
    RoutingRule,
    RuleApplication,
)
from rapport.listening.ingest import receive
from rapport.listening.models import ListeningQuery, Post, PostMatch
from rapport.profile.models import TimelineEntry
from rapport.triage.classifier import get_classifier

HELP = "Ingest N posts through real workers while killing one every few seconds; count losses."

#: Authors who become known customers (the generator's busiest accounts).
CUSTOMERS = 100


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--posts", type=int, default=100_000, help="How many posts (N).")
    parser.add_argument(
        "--kill-every", type=float, default=60, help="Seconds between two kills (SIGKILL)."
    )
    parser.add_argument("--workers", type=int, default=2, help="Worker processes at a time.")
    parser.add_argument("--chunk", type=int, default=1000, help="Posts per ingest task.")
    parser.add_argument("--queries", type=int, default=50, help="Listening queries.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same posts.")
    parser.add_argument(
        "--lease",
        type=int,
        default=20,
        help="RAPPORT_WORKER_LEASE_SECONDS for the workers (database queue): how long a dead "
        "worker's task waits before another takes it.",
    )
    parser.add_argument(
        "--timeout", type=float, default=6 * 3600, help="Give up after this many seconds."
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the benchmark workspace and its posts."
    )


def chunk_batch(seed: int, chunk: int, size: int) -> Batch:
    """The posts of one chunk: the same every time (a retried task stores the same posts), with
    external ids no other chunk uses."""
    traffic = Traffic(seed * 1_000_003 + chunk)
    traffic.counter = chunk * size * 2  # each post's id comes from the counter
    parsers, batch = Parsers(), Batch()
    for network, payload, _ in traffic.pages(size):
        parsed = parsers.parse(network, payload)
        batch.posts += parsed.posts
        batch.rejects += parsed.rejects
    return batch


@task()
def receive_chunk(workspace_id: int, seed: int, chunk: int, size: int) -> int:
    """Stores one chunk of the soak's posts (idempotent: stored posts are not stored again)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    batch = chunk_batch(seed, chunk, size)
    get_classifier()  # a fresh worker loads the model here, not holding SQLite's write lock
    return len(receive(workspace, batch).created)


class Workers:
    """The worker processes: started, killed with SIGKILL, replaced."""

    def __init__(self, count: int, lease: int, logs: Path) -> None:
        self.count, self.logs = count, logs
        self.env = {**os.environ, "RAPPORT_WORKER_LEASE_SECONDS": str(lease)}
        self.running: list[subprocess.Popen[bytes]] = []
        self.started = self.killed = 0
        self.rng = random.Random(0)  # noqa: S311

    def start(self) -> None:
        while len(self.running) < self.count:
            with open(self.logs / f"worker-{self.started}.log", "wb") as log:
                self.running.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "rapport", "worker"],
                        cwd=settings.BASE_DIR,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            self.started += 1

    def kill_one(self) -> None:
        victim = self.running.pop(self.rng.randrange(len(self.running)))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.killed += 1
        self.start()

    def stop(self) -> None:
        for proc in self.running:
            proc.send_signal(signal.SIGTERM)
        for proc in self.running:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.running = []

    def restart_exited(self) -> int:
        """A worker that exited on its own (a crash) is replaced; returns how many did."""
        exited = [p for p in self.running if p.poll() is not None]
        self.running = [p for p in self.running if p.poll() is None]
        self.start()
        return len(exited)


def pending_tasks() -> int:
    """Tasks waiting or running (or left by a dead worker) on the configured queue."""
    if settings.TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
    import django_rq
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue("default")
    # Without RQ's clean-up (`cleanup=False`): that is the workers' job, with their retries.
    started = StartedJobRegistry(queue=queue).get_job_count(cleanup=False)
    scheduled = ScheduledJobRegistry(queue=queue).get_job_count(cleanup=False)
    return int(queue.count) + int(started) + int(scheduled)


def _setup(slug: str, queries: int, seed: int) -> tuple[Workspace, Membership]:
    owner = User.objects.create_user(f"owner@{slug}.example")
    workspace = core_actions.create_workspace(name=f"Soak {slug}", slug=slug, owner=owner)
    member = Membership.objects.get(workspace=workspace, user=owner)
    ListeningQuery.objects.bulk_create(
        ListeningQuery(workspace=workspace, name=name, query=query, label=label)
        for name, query, label in generate_queries(queries, seed)
    )
    rule_actions.create_rule(
        member, name="Soak", conditions=[], actions=[{"type": "add_tag", "tag": "soak"}]
    )
    # The busiest authors (two posts or more in a sample) are known customers, so their posts
    # go on timelines.
    seen: Counter[tuple[str, str, str]] = Counter(
        (p.network, p.author.external_id, p.author.handle)
        for p in chunk_batch(seed, 0, 2000).posts
        if p.author is not None
    )
    busiest = [author for author, n in seen.most_common(CUSTOMERS) if n > 1]
    for network, external_id, handle in busiest:
        contact = Contact.objects.create(workspace=workspace, name=f"Customer {handle}")
        Identity.objects.create(
            workspace=workspace,
            network=network,
            external_id=external_id,
            handle=handle,
            contact=contact,
        )
    return workspace, member


def count(workspace: Workspace, expected: int) -> dict[str, Any]:
    posts = Post.objects.filter(workspace=workspace)
    rows = posts.count()
    distinct = posts.values("network", "external_id").distinct().count()
    triaged = posts.filter(triaged_at__isnull=False).count()
    routable = posts.filter(duplicate_of__isnull=True, deleted_at__isnull=True)
    placements = ConversationPost.objects.filter(post__workspace=workspace)
    placed = placements.values("post_id").distinct().count()
    not_placed = routable.filter(conversation_link__isnull=True).count()
    rule = RoutingRule.objects.get(workspace=workspace, name="Soak")
    applied = RuleApplication.objects.filter(rule=rule)
    conversations = Conversation.objects.filter(workspace=workspace, merged_into__isnull=True)
    not_acted = conversations.exclude(pk__in=applied.values("conversation_id")).count()
    applied_twice = sum(
        n - 1
        for n in applied.values("conversation_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("n", flat=True)
    )
    by_customers = routable.filter(identity__contact__isnull=False)
    entries = TimelineEntry.objects.filter(workspace=workspace, kind="post")
    on_timeline = entries.values("contact_id", "ref").distinct().count()
    return {
        "expected": expected,
        "stored": distinct,
        "stored_lost": expected - distinct,
        "stored_duplicated": rows - distinct,
        "triaged": triaged,
        "triaged_lost": distinct - triaged,
        "routable": routable.count(),
        "routed": placed,
        "conversations": conversations.count(),
        "routed_lost": not_placed + not_acted,
        "routed_duplicated": placements.count() - placed + applied_twice,
        "customer_posts": by_customers.count(),
        "timeline_entries": entries.count(),
        "timeline_lost": max(by_customers.count() - on_timeline, 0),
        "timeline_duplicated": entries.count() - on_timeline,
    }


def _delete(workspace: Workspace, log: Callable[[str], Any]) -> None:
    """Empties the big tables with SQL (the ORM would load a million rows), then drops it."""
    started = time.perf_counter()
    conversations, posts = Conversation._meta.db_table, Post._meta.db_table
    of_conversations = (
        f"conversation_id IN (SELECT id FROM {conversations} WHERE workspace_id = %s)"  # noqa: S608
    )
    empty_tables(
        workspace,
        [
            TimelineEntry._meta.db_table,
            Activity._meta.db_table,
            (RuleApplication._meta.db_table, of_conversations),
            (ConversationTag._meta.db_table, of_conversations),
            (ConversationQuery._meta.db_table, of_conversations),
            (ConversationPost._meta.db_table, of_conversations),
            conversations,
            (
                PostMatch._meta.db_table,
                f"post_id IN (SELECT id FROM {posts} WHERE workspace_id = %s)",  # noqa: S608
            ),
            posts,
        ],
    )
    drop_workspace(workspace)
    log(f"deleted the soak workspace in {time.perf_counter() - started:.1f}s")


def run(
    log: Callable[[str], Any],
    *,
    posts: int,
    kill_every: float,
    workers: int,
    chunk: int,
    queries: int,
    seed: int,
    lease: int,
    timeout: float,
    keep: bool,
    **_: Any,
) -> dict[str, Any]:
    if settings.TASKS_BACKEND not in ("database", "redis"):
        raise SystemExit("The soak needs a real queue: RAPPORT_TASKS_BACKEND=database or redis.")
    if posts < 1 or workers < 1 or chunk < 1 or kill_every <= 0:
        raise SystemExit("--posts, --workers, --chunk and --kill-every must be above 0.")
    settings.DEBUG = False
    slug = f"soak-{timezone.now():%Y%m%d%H%M%S}"
    workspace, _owner = _setup(slug, queries, seed)
    chunks = [(i, min(chunk, posts - i * chunk)) for i in range((posts + chunk - 1) // chunk)]
    for i, size in chunks:
        receive_chunk.enqueue(workspace.pk, seed, i, size)
    log(f"queued {len(chunks)} ingest task(s) of up to {chunk} posts into {slug}")
    logs = Path(tempfile.mkdtemp(prefix="rapport-soak-"))
    pool = Workers(workers, lease, logs)
    started = time.monotonic()
    last_kill = started
    crashed = 0
    figures: dict[str, Any] = {}

    def stopped(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # SIGTERM: leave through `finally`, workers stopped

    signal.signal(signal.SIGTERM, stopped)
    try:
        pool.start()
        quiet_since = None
        next_report = started
        while True:
            now = time.monotonic()
            if now - started > timeout:
                log(f"gave up after {timeout:.0f}s with tasks still pending")
                break
            if now - last_kill >= kill_every:
                pool.kill_one()
                last_kill = now
            crashed += pool.restart_exited()
            left = pending_tasks()
            if now >= next_report:
                stored = Post.objects.filter(workspace=workspace).count()
                log(
                    f"{now - started:7.0f}s: {stored} posts stored, {left} task(s) pending, "
                    f"{pool.killed} worker(s) killed"
                )
                next_report = now + 30
            # Drained: nothing pending on two looks a few seconds apart (a task may be between
            # its commit and the enqueue of the next).
            if left == 0:
                if quiet_since is None:
                    quiet_since = now
                elif now - quiet_since >= 5:
                    break
            else:
                quiet_since = None
            time.sleep(1)
        seconds = time.monotonic() - started
        pool.stop()
        figures = dict(count(workspace, posts))
        figures |= {
            "lost": figures["stored_lost"]
            + figures["triaged_lost"]
            + figures["routed_lost"]
            + figures["timeline_lost"],
            "duplicated": figures["stored_duplicated"]
            + figures["routed_duplicated"]
            + figures["timeline_duplicated"],
            "seconds": round(seconds, 1),
            "posts_per_s": round(figures["stored"] / seconds) if seconds else 0,
            "workers": workers,
            "kill_every": kill_every,
            "killed": pool.killed,
            "crashed": crashed,
            "pending": pending_tasks(),
            "queue": settings.TASKS_BACKEND,
            "database": connection.vendor,
            "logs": str(logs),
        }
    finally:
        pool.stop()
        if not keep:
            _delete(workspace, log)
    log(
        f"{figures.get('stored', 0)} of {posts} posts stored, {figures.get('triaged', 0)} "
        f"triaged, {figures.get('routed', 0)} of {figures.get('routable', 0)} routable routed; "
        f"lost {figures.get('lost')}, duplicated {figures.get('duplicated')}; "
        f"{pool.killed} worker(s) killed; worker logs in {logs}"
    )
    return figures
