"""What a worker loads before it takes work: registered by the domains that own it.

RQ's worker forks a child for each job: what the parent loaded before, every child has (shared,
copy-on-write); what it did not, every child loads again. The triage models take seconds to
load, so without this each ingest job on Redis paid that (the soak ran at a third of the
database queue's speed). Triage registers its loader in its `wiring.py`. The database queue's
worker does not fork: it loads what a task first needs, once.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

LOADERS: list[Callable[[], Any]] = []


def register(loader: Callable[[], Any]) -> Callable[[], Any]:
    if loader not in LOADERS:
        LOADERS.append(loader)
    return loader


def load_all() -> float:
    """Runs every registered loader once; the seconds it took."""
    started = time.perf_counter()
    for loader in LOADERS:
        loader()
    return time.perf_counter() - started
