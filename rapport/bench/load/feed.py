"""The load test's listening: `python -m rapport.bench.load.feed --rate 100 --seconds 600` hands
the workspace `load` a batch of generated posts every second through `listening.receive` (as a
streaming consumer does: parsed by the networks' connectors, stored and triaged in one
transaction, the inbox's intake queued for the workers), then prints its figures as JSON."""

import argparse
import json
import os
import signal
import sys
import time
from types import FrameType
from typing import Any


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=100, help="Posts per second.")
    parser.add_argument("--seconds", type=int, default=600, help="How long to feed.")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same posts.")
    parser.add_argument("--slug", default="load", help="The workspace fed.")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.db import reset_queries

    from rapport.bench.traffic import Parsers, Traffic
    from rapport.connectors.base import Batch
    from rapport.core.models import Workspace
    from rapport.listening.ingest import receive
    from rapport.triage.classifier import get_classifier

    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workspace = Workspace.objects.get(slug=args.slug)
    traffic, parsers = Traffic(args.seed), Parsers()
    get_classifier()  # loaded before the clock starts, as a consumer does at start-up
    figures: dict[str, Any] = {"posts": 0, "created": 0, "batches": 0, "late_batches": 0}
    spent: list[float] = []
    started = time.monotonic()
    tick = started
    while not stopping and time.monotonic() - started < args.seconds:
        batch = Batch()
        for network, payload, _ in traffic.pages(args.rate, page_size=max(1, args.rate // 5)):
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


if __name__ == "__main__":
    main()
