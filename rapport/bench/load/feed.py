"""The load test's listening: `rapport load_feed --rate 100 --seconds 600` hands
the workspace `load` a batch of generated posts every second through `listening.receive` (as a
streaming consumer does: parsed by the networks' connectors, stored and triaged in one
transaction, the inbox's intake queued for the workers), then prints its figures as JSON."""

import json
import signal
import sys
import time
from types import FrameType
from typing import Any

from django.db import reset_queries

from rapport.bench.traffic import Parsers, Traffic
from rapport.connectors.base import Batch
from rapport.core.models import Workspace
from rapport.listening.ingest import receive
from rapport.triage.classifier import get_classifier


def feed(*, rate: int, seconds: int, seed: int, slug: str) -> None:
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workspace = Workspace.objects.get(slug=slug)
    traffic, parsers = Traffic(seed), Parsers()
    get_classifier()  # loaded before the clock starts, as a consumer does at start-up
    figures: dict[str, Any] = {"posts": 0, "created": 0, "batches": 0, "late_batches": 0}
    spent: list[float] = []
    started = time.monotonic()
    tick = started
    while not stopping and time.monotonic() - started < seconds:
        batch = Batch()
        for network, payload, _ in traffic.pages(rate, page_size=max(1, rate // 5)):
            parsed = parsers.parse(network, payload)
            batch.posts += parsed.posts
            batch.rejects += parsed.rejects
        began = time.monotonic()
        received = receive(workspace, batch)
        spent.append(time.monotonic() - began)
        reset_queries()
        figures["posts"] += len(batch.posts)
        figures["created"] += len(received.created)
        figures["batches"] += 1
        tick += 1.0
        pause = tick - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            figures["late_batches"] += 1
        if figures["batches"] % 60 == 0:
            print(f"feed: {figures['posts']} posts in {figures['batches']} s", file=sys.stderr)
    elapsed = time.monotonic() - started
    spent.sort()
    figures["seconds"] = round(elapsed, 1)
    figures["posts_per_s"] = round(figures["posts"] / elapsed, 1) if elapsed else 0
    if spent:
        figures["receive_p50_ms"] = round(spent[len(spent) // 2] * 1000)
        figures["receive_p99_ms"] = round(spent[min(len(spent) - 1, len(spent) * 99 // 100)] * 1000)
    print(json.dumps(figures), flush=True)
