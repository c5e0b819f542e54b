"""What the benchmarks share to measure: timing requests through Django's test client and summing
them up as percentiles (`rapport bench inbox|cases|profile`), the process's peak memory and a
progress bar. Their throwaway workspace is `workspace.py`'s."""

import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Collection, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, QuerySet
from django.test import Client
from tqdm import tqdm


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def progress_bar(total: int, what: str) -> Any:
    """A progress bar of posts on stderr, where it stays out of the JSON on stdout."""
    return tqdm(total=total, unit=" posts", desc=what, file=sys.stderr, mininterval=1)


def percentiles(samples: list[float], digits: int = 1) -> dict[str, float]:
    """p50, p95, p99 and max of the samples (milliseconds), to one decimal or `digits`."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], digits)

    return {
        "p50": round(statistics.median(ordered), digits),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], digits),
    }


def seconds_in_ms(samples: list[float], which: tuple[str, ...]) -> dict[str, float]:
    """Percentiles of samples in seconds as `{"p50_ms": …}`, to 1/100 ms (for quick work)."""
    figure = percentiles([s * 1000 for s in samples], digits=2)
    return {f"{p}_ms": figure[p] for p in which}


class RequestTimer:
    """Times GET requests in milliseconds, keeping the process's CPU time of each in `cpu`.

    A request that does not answer 200 stops the benchmark: a fast error page is no figure.
    """

    def __init__(self) -> None:
        settings.DEBUG = False  # the query log would grow with every request
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.cpu: list[float] = []

    def __call__(self, client: Client, url: str, *, htmx: bool = False) -> float:
        started, busy = time.perf_counter(), time.process_time()
        response = client.get(url, headers={"HX-Request": "true"} if htmx else None)
        elapsed = (time.perf_counter() - started) * 1000
        self.cpu.append((time.process_time() - busy) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return elapsed


def report(
    say: Callable[[str], Any], measured: Iterator[tuple[str, dict[str, float]]], width: int = 24
) -> dict[str, dict[str, float]]:
    """Prints each (name, percentiles) as it comes and returns them all by name."""
    figures: dict[str, dict[str, float]] = {}
    for name, p in measured:
        figures[name] = p
        say(
            f"{name:<{width}} p50 {p['p50']:>7.1f} ms  p95 {p['p95']:>7.1f} ms  "
            f"p99 {p['p99']:>7.1f} ms"
        )
    return figures


def time_urls(
    timer: RequestTimer,
    client: Client,
    urls: dict[str, str],
    *,
    repeat: int,
    together: str,
    htmx: Collection[str] = (),
) -> Iterator[tuple[str, dict[str, float]]]:
    """(name, percentiles) of each URL (as an htmx request where its name is in `htmx`), warmed
    once and then timed `repeat` times; last, all of those requests as one figure, `together`."""
    everything: list[float] = []
    for name, url in urls.items():
        timer(client, url, htmx=name in htmx)  # warm
        samples = [timer(client, url, htmx=name in htmx) for _ in range(repeat)]
        everything += samples
        yield name, percentiles(samples)
    yield together, percentiles(everything)


def time_pages(
    timer: RequestTimer,
    client: Client,
    rows: QuerySet[Any],
    base: str,
    count: int,
    rng: random.Random,
) -> dict[str, float]:
    """The percentiles of `count` pages `base<id>/` of rows picked at random between the lowest
    and the highest id (the first one warmed)."""
    bounds = rows.aggregate(low=Min("pk"), high=Max("pk"))
    ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(count)]
    timer(client, base + f"{ids[0]}/")
    return percentiles([timer(client, base + f"{pk}/") for pk in ids])


def in_ms(
    name: str, figure: dict[str, float], which: tuple[str, ...] = ("p50", "p95", "p99")
) -> dict[str, float]:
    """A figure's percentiles as the JSON's keys: `name_p50_ms`, …"""
    return {f"{name}_{p}_ms": figure[p] for p in which}
