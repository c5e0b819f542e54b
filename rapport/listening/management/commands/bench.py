"""`rapport bench ingest|match`: how fast posts go through Rapport. A benchmark, not a test."""

import gc
import json
import resource
import sys
import time
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, reset_queries
from django.utils import timezone

from rapport.connectors.base import Batch
from rapport.core.models import Workspace
from rapport.listening.bench import Parsers, Traffic, generate_queries

#: Benchmarks other domains own: name -> module with `add_arguments(parser)` and
#: `run(log, **options) -> dict` (the figures; printed as the last line, JSON).
PLUGINS: dict[str, str] = {
    "cases": "rapport.cases.bench",
    "sla": "rapport.sla.bench",
    "linkage": "rapport.contacts.bench_linkage",
    "profile": "rapport.contacts.bench_profile",
    "import": "rapport.contacts.bench_import",
    "playbooks": "rapport.playbooks.bench",
}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _progress(total: int, what: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit=" posts", desc=what, file=sys.stderr, mininterval=1)


class Command(BaseCommand):
    help = (
        "Measure ingestion (`bench ingest`: receive, the whole triage pipeline, commit) or the "
        "query matcher alone (`bench match`) on generated posts. The last line printed is JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="what",
            required=True,
            metavar="{" + ",".join(["ingest", "match", "inbox", *PLUGINS]) + "}",
        )
        ingest = sub.add_parser(
            "ingest",
            help="Receive, triage and store N generated posts into a throwaway workspace.",
            description=(
                "Generates N posts in the networks' payload formats, parses them with the "
                "connectors, and times receive(triage='inline', inbox='queue') batch by batch into "
                "a new workspace bench-<timestamp> in the configured database (DATABASE_URL), "
                "deleted afterwards. Each batch's hand-over to the inbox (one task) is then run "
                "and timed on its own (inbox_posts_per_s). Generating and parsing the payloads "
                "is not counted."
            ),
        )
        match = sub.add_parser(
            "match",
            help="Time the query matcher alone on N generated posts.",
            description="Times features() + Matcher.match() for N texts against Q queries.",
        )
        for p, queries in ((ingest, 200), (match, 1000)):
            p.add_argument("--posts", type=int, default=100_000, help="How many posts (N).")
            p.add_argument("--queries", type=int, default=queries, help="How many queries (Q).")
            p.add_argument("--seed", type=int, default=1, help="The same seed, the same posts.")
        ingest.add_argument(
            "--batch-size", type=int, default=5000, help="Posts per received batch."
        )
        ingest.add_argument(
            "--keep", action="store_true", help="Keep the benchmark workspace and its posts."
        )
        inbox = sub.add_parser(
            "inbox",
            help="Time the inbox list and a conversation at N conversations of 10 posts each.",
            description=(
                "Builds a throwaway workspace bench-inbox-<time> with N conversations and 10 posts "
                "each (bulk inserts), then times the inbox page under several filters and random "
                "conversations through Django's test client. Prints p50/p95/p99 in ms; the last "
                "line is JSON. Building is not counted."
            ),
        )
        inbox.add_argument("--conversations", type=int, default=100_000, help="How many (N).")
        inbox.add_argument("--repeat", type=int, default=20, help="Requests per inbox filter.")
        inbox.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
        inbox.add_argument(
            "--keep", action="store_true", help="Keep the benchmark workspace afterwards."
        )
        for name, module in PLUGINS.items():
            plugin = import_module(module)
            plugin.add_arguments(sub.add_parser(name, help=plugin.HELP, description=plugin.__doc__))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] in PLUGINS:
            figures = import_module(PLUGINS[options["what"]]).run(self.stderr.write, **options)
        elif options["what"] == "inbox":
            from rapport.inbox.bench import run

            figures = run(self.stderr.write, **options)
        else:
            figures = (
                self.ingest(**options) if options["what"] == "ingest" else self.match(**options)
            )
        self.stdout.write(json.dumps(figures))

    def match(self, *, posts: int, queries: int, seed: int, **_: Any) -> dict[str, Any]:
        from rapport.listening.matcher import Matcher, features

        rows = generate_queries(queries, seed)
        texts = Traffic(seed).texts(posts)
        started = time.perf_counter()
        matcher = Matcher((i, q) for i, (_, q, _) in enumerate(rows))
        compiled = time.perf_counter() - started
        matched = hits = 0
        started = time.perf_counter()
        for text, language, author, network in texts:
            found = matcher.match(features(text, language=language, author=author, network=network))
            matched += bool(found)
            hits += len(found)
        seconds = time.perf_counter() - started
        self.stderr.write(
            f"compiled {queries} queries in {compiled:.3f}s; {matched} of {posts} posts "
            f"matched at least one query, {hits / max(1, posts):.2f} queries per post"
        )
        return {
            "posts": posts,
            "queries": queries,
            "seconds": round(seconds, 3),
            "posts_per_s": round(posts / seconds),
            "peak_rss_mb": _peak_rss_mb(),
        }

    def ingest(
        self, *, posts: int, queries: int, seed: int, batch_size: int, keep: bool, **_: Any
    ) -> dict[str, Any]:
        from unittest import mock

        from rapport.inbox import tasks as inbox_tasks
        from rapport.inbox.intake import intake_stored
        from rapport.listening.ingest import Received, receive
        from rapport.listening.models import ListeningQuery
        from rapport.triage.classifier import get_classifier

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
        progress = _progress(posts, "ingest")
        pages = traffic.pages(posts)
        # The inbox tasks the batches hand over are kept here and run after the ingest timing,
        # timed on their own, rather than queued for a worker that would find them deleted.
        handed: list[list[int]] = []
        queued = mock.patch.object(
            inbox_tasks,
            "intake_posts",
            SimpleNamespace(enqueue=lambda _workspace_id, ids: handed.append(ids)),
        )
        inbox_seconds, placed = 0.0, 0
        try:
            queued.start()
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
                total.merge(receive(workspace, batch))
                seconds += time.perf_counter() - started
                cpu_seconds += time.process_time() - cpu_started
                reset_queries()
                left -= count
                progress.update(count)
            progress.close()
            peak_rss_mb = _peak_rss_mb()  # before counting and cleaning up, which are not measured
            mock.patch.stopall()
            inbox = _progress(sum(map(len, handed)), "inbox")
            for ids in handed:
                started = time.perf_counter()
                placed += len(intake_stored(workspace.pk, ids).placed)
                inbox_seconds += time.perf_counter() - started
                reset_queries()
                inbox.update(len(ids))
            inbox.close()
            inbox_peak_rss_mb = _peak_rss_mb()
            stored = self._counts(workspace)
        finally:
            mock.patch.stopall()
            if not keep:
                self._delete(workspace)
        gc.collect()
        if parsers.fallback:
            self.stderr.write(
                "Not parsed by a connector (none importable yet), read by rapport.listening.bench "
                "instead: " + ", ".join(sorted(parsers.fallback))
            )
        self.stderr.write(
            f"loading the triage model ({model.name}) took {load_seconds:.1f}s and parsing "
            f"payloads {parse_seconds:.1f}s (neither counted); received "
            f"{len(total.created)} new posts, {total.duplicates} duplicates, {total.quarantined} "
            f"quarantined; stored {stored['stored']}"
        )
        handed_posts = sum(map(len, handed))
        inbox_posts_per_s = round(handed_posts / inbox_seconds) if inbox_seconds else 0
        self.stderr.write(
            f"inbox intake (after the ingest, not in its time): {len(handed)} task(s), "
            f"{handed_posts} posts, {placed} placed in conversations in {inbox_seconds:.1f}s = "
            f"{inbox_posts_per_s} posts/s; peak RSS then {inbox_peak_rss_mb} MB"
        )
        return {
            "posts": posts,
            "queries": queries,
            "seconds": round(seconds, 3),
            "posts_per_s": round(posts / seconds),
            "peak_rss_mb": peak_rss_mb,
            "database": connection.vendor,
            "cpu_seconds": round(cpu_seconds, 3),
            "inbox_seconds": round(inbox_seconds, 3),
            "inbox_posts_per_s": inbox_posts_per_s,
            **stored,
        }

    def _counts(self, workspace: Workspace) -> dict[str, int]:
        from rapport.contacts.models import Identity
        from rapport.listening.models import Post, PostMatch

        return {
            "stored": Post.objects.filter(workspace=workspace).count(),
            "copies": Post.objects.filter(workspace=workspace, duplicate_of__isnull=False).count(),
            "matched": Post.objects.filter(workspace=workspace, matches__isnull=False)
            .distinct()
            .count(),
            "matches": PostMatch.objects.filter(post__workspace=workspace).count(),
            "identities": Identity.objects.filter(workspace=workspace).count(),
        }

    def _delete(self, workspace: Workspace) -> None:
        from rapport.contacts.models import Identity
        from rapport.listening.models import Post, PostMatch, QuarantinedPayload

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
        self.stderr.write(
            f"deleted the benchmark workspace in {time.perf_counter() - started:.1f}s"
        )
