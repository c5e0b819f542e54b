"""Generates N posts in the networks' payload formats, parses them with the connectors, and times
receive() (store, triage while storing, commit) batch by batch into a new workspace
bench-<timestamp> in the configured database (DATABASE_URL), deleted afterwards. The queued
listeners of each batch's post.triaged (one task each per batch: the inbox, the timeline) are
then run and timed on their own (inbox_posts_per_s for the inbox). Generating and parsing the
payloads is not counted."""

import gc
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import connection, reset_queries
from django.utils import timezone

from rapport.bench.timing import peak_rss_mb, progress_bar
from rapport.bench.traffic import Parsers, Traffic, generate_queries
from rapport.connectors.base import Batch
from rapport.contacts.models import Identity
from rapport.core import events
from rapport.core import tasks as core_tasks
from rapport.core.models import Workspace
from rapport.inbox.models import ConversationPost
from rapport.listening.ingest import Received, receive
from rapport.listening.models import ListeningQuery, Post, PostMatch, QuarantinedPayload
from rapport.triage.classifier import get_classifier

#: The inbox's listener of `post.triaged`: grouping and routing, timed on its own.
INBOX = "rapport.inbox.wiring.place_triaged_posts"

HELP = "Receive, triage and store N generated posts into a throwaway workspace."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--posts", type=int, default=100_000, help="How many posts (N).")
    parser.add_argument("--queries", type=int, default=200, help="How many queries (Q).")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same posts.")
    parser.add_argument("--batch-size", type=int, default=5000, help="Posts per received batch.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the benchmark workspace and its posts."
    )


def run(
    log: Callable[[str], Any],
    *,
    posts: int,
    queries: int,
    seed: int,
    batch_size: int,
    keep: bool,
    **_: Any,
) -> dict[str, Any]:
    settings.DEBUG = False  # the query log would grow with every statement
    slug = f"bench-{timezone.now():%Y%m%d%H%M%S}"
    workspace = Workspace.objects.create(name=f"Benchmark {slug}", slug=slug)
    ListeningQuery.objects.bulk_create(
        ListeningQuery(workspace=workspace, name=name, query=query, label=label)
        for name, query, label in generate_queries(queries, seed)
    )
    traffic, parsers = Traffic(seed), Parsers()
    total, seconds, cpu_seconds, parse_seconds = Received(), 0.0, 0.0, 0.0
    started = time.perf_counter()
    model = get_classifier()  # loaded once per process, as a worker does; not counted
    load_seconds = time.perf_counter() - started
    progress = progress_bar(posts, "ingest")
    pages = traffic.pages(posts)
    # The queued listeners' tasks (the inbox's and the timeline's, one each per batch) are kept
    # here and run after the ingest timing, timed on their own, rather than queued for a worker
    # that would find them deleted.
    handed: list[tuple[str, dict[str, Any]]] = []
    queued = mock.patch.object(
        core_tasks,
        "hear_event",
        SimpleNamespace(enqueue=lambda listener, event: handed.append((listener, event))),
    )
    # As a database queue takes them: with the write (not as pending rows for another queue).
    with_the_write = mock.patch.object(events, "_database_queue", return_value=True)
    listener_seconds: dict[str, float] = {}
    try:
        queued.start()
        with_the_write.start()
        left = posts
        while left > 0:
            payloads = []
            count = 0
            for network, payload, size in pages:
                payloads.append((network, payload))
                count += size
                if count >= min(batch_size, left):
                    break
            started = time.perf_counter()
            batch = Batch()
            for network, payload in payloads:
                parsed = parsers.parse(network, payload)
                batch.posts += parsed.posts
                batch.rejects += parsed.rejects
            parse_seconds += time.perf_counter() - started
            del payloads
            started, cpu_started = time.perf_counter(), time.process_time()
            with events.inline(False):
                total.merge(receive(workspace, batch))
            seconds += time.perf_counter() - started
            cpu_seconds += time.process_time() - cpu_started
            reset_queries()
            left -= count
            progress.update(count)
        progress.close()
        peak_rss = peak_rss_mb()  # before counting and cleaning up, which are not measured
        mock.patch.stopall()
        heard = progress_bar(sum(len(event["ids"]) for _, event in handed), "queued listeners")
        for listener, event in handed:
            started = time.perf_counter()
            events.run_queued(listener, event)
            listener_seconds[listener] = (
                listener_seconds.get(listener, 0.0) + time.perf_counter() - started
            )
            reset_queries()
            heard.update(len(event["ids"]))
        heard.close()
        placed = ConversationPost.objects.filter(conversation__workspace=workspace).count()
        inbox_peak_rss = peak_rss_mb()
        stored = _counts(workspace)
    finally:
        mock.patch.stopall()
        if not keep:
            _delete(workspace, log)
    gc.collect()
    if parsers.fallback:
        log(
            "Not parsed by a connector (none importable yet), read by rapport.bench.traffic "
            "instead: " + ", ".join(sorted(parsers.fallback))
        )
    log(
        f"loading the triage model ({model.name}) took {load_seconds:.1f}s and parsing "
        f"payloads {parse_seconds:.1f}s (neither counted); received "
        f"{len(total.created)} new posts, {total.duplicates} duplicates, {total.quarantined} "
        f"quarantined; stored {stored['stored']}"
    )
    inbox_tasks = [event for listener, event in handed if listener == INBOX]
    handed_posts = stored["stored"] - stored["copies"]  # copies stay out of the inbox
    inbox_seconds = listener_seconds.get(INBOX, 0.0)
    inbox_posts_per_s = round(handed_posts / inbox_seconds) if inbox_seconds else 0
    log(
        f"inbox intake (after the ingest, not in its time): {len(inbox_tasks)} task(s), "
        f"{handed_posts} posts, {placed} placed in conversations in {inbox_seconds:.1f}s = "
        f"{inbox_posts_per_s} posts/s; peak RSS then {inbox_peak_rss} MB"
    )
    for listener, spent in listener_seconds.items():
        if listener != INBOX:
            log(f"queued listener {listener} (not in the ingest's time): {spent:.2f}s")
    return {
        "posts": posts,
        "queries": queries,
        "seconds": round(seconds, 3),
        "posts_per_s": round(posts / seconds),
        "peak_rss_mb": peak_rss,
        "database": connection.vendor,
        "cpu_seconds": round(cpu_seconds, 3),
        "inbox_seconds": round(inbox_seconds, 3),
        "inbox_posts_per_s": inbox_posts_per_s,
        **stored,
    }


def _counts(workspace: Workspace) -> dict[str, int]:
    return {
        "stored": Post.objects.filter(workspace=workspace).count(),
        "copies": Post.objects.filter(workspace=workspace, duplicate_of__isnull=False).count(),
        "matched": Post.objects.filter(workspace=workspace, matches__isnull=False)
        .distinct()
        .count(),
        "matches": PostMatch.objects.filter(post__workspace=workspace).count(),
        "identities": Identity.objects.filter(workspace=workspace).count(),
    }


def _delete(workspace: Workspace, log: Callable[[str], Any]) -> None:
    started = time.perf_counter()
    PostMatch.objects.filter(post__workspace=workspace).delete()
    posts = Post.objects.filter(workspace=workspace)
    posts.exclude(duplicate_of=None).update(duplicate_of=None)
    ids = list(posts.values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):  # the ORM's delete loads what it deletes
        Post.objects.filter(pk__in=ids[start : start + 2000]).delete()
    QuarantinedPayload.objects.filter(workspace=workspace).delete()
    Identity.objects.filter(workspace=workspace).delete()
    workspace.delete()
    log(f"deleted the benchmark workspace in {time.perf_counter() - started:.1f}s")
