"""Times features() + Matcher.match() for N texts against Q queries."""

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandParser

from rapport.bench.timing import peak_rss_mb
from rapport.bench.traffic import Traffic, generate_queries
from rapport.listening.matcher import Matcher, features

HELP = "Time the query matcher alone on N generated posts."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--posts", type=int, default=100_000, help="How many posts (N).")
    parser.add_argument("--queries", type=int, default=1000, help="How many queries (Q).")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same posts.")


def run(
    log: Callable[[str], Any], *, posts: int, queries: int, seed: int, **_: Any
) -> dict[str, Any]:
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
    log(
        f"compiled {queries} queries in {compiled:.3f}s; {matched} of {posts} posts "
        f"matched at least one query, {hits / max(1, posts):.2f} queries per post"
    )
    return {
        "posts": posts,
        "queries": queries,
        "seconds": round(seconds, 3),
        "posts_per_s": round(posts / seconds),
        "peak_rss_mb": peak_rss_mb(),
    }
