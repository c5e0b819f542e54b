"""What the benchmarks share: timing requests through Django's test client and summing them up as
percentiles (`rapport bench inbox|cases|profile`), a throwaway workspace with its people, the
process's peak memory and a progress bar."""

import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.test import Client
from tqdm import tqdm

from rapport.core.models import Membership, Team, User, Workspace
from rapport.core.roles import Role


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def progress_bar(total: int, what: str) -> Any:
    """A progress bar of posts on stderr, where it stays out of the JSON on stdout."""
    return tqdm(total=total, unit=" posts", desc=what, file=sys.stderr, mininterval=1)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of the samples (milliseconds), to one decimal."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
    }


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


def staffed_workspace(
    slug: str, team_names: list[str]
) -> tuple[Workspace, list[Membership], dict[str, int]]:
    """A throwaway workspace with twelve people (two managers, ten agents) and teams of three
    (team name -> id). Call inside the building transaction."""
    workspace = Workspace.objects.create(name=f"Benchmark {slug}", slug=slug)
    members = []
    for i in range(12):
        email = f"agent{i}@{slug}.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(email)
        role = Role.MANAGER if i < 2 else Role.AGENT
        members.append(
            Membership.objects.create(workspace=workspace, user=user, role=role, title="Agent")
        )
    teams = {}
    for i, name in enumerate(team_names):
        team = Team.objects.create(workspace=workspace, name=name)
        team.members.set(members[i * 3 : i * 3 + 3])
        teams[name] = team.pk
    return workspace, members, teams


def drop_workspace(workspace: Workspace) -> None:
    """Deletes the benchmark workspace (its big tables already emptied) and the users it made."""
    users = list(User.objects.filter(memberships__workspace=workspace).values_list("pk", flat=True))
    workspace.delete()
    User.objects.filter(pk__in=users, memberships__isnull=True).delete()
