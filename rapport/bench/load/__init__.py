"""Signs in N simulated agents, managers and employees (Locust, headless, on loopback) against
`rapport serve` on PostgreSQL and Redis with two `rapport worker` processes, while the listening
receives R posts/s, for M minutes; then prints throughput, p50/p95/p99 and errors per page and API
call, and in total. The last line is JSON.

Self-contained: the PostgreSQL database of --database-url is dropped and created anew (give it one
of its own; the default is rapport_load), the Redis database of --redis-url is emptied, the
workspace is built (`rapport.bench.load.workspace`), and every process it starts (web server,
workers, the post feed, Locust) is stopped at the end, on failure and on Ctrl-C. Logs and the
Locust CSV files are kept in --out. Figures are measured, never asserted: a benchmark, not a test.
"""

import contextlib
import csv
import importlib.util
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import CommandError, CommandParser

HELP = (
    "Load test: N people (Locust) on the web pages and the API with PostgreSQL, Redis, two "
    "workers and R posts/s of listening, for M minutes; p50/p95/p99 and errors per page."
)
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
P99_LIMIT_MS = 500
SETTLE = 30  # as in the locustfile


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--users", type=int, default=200, help="Simulated people (N).")
    parser.add_argument("--minutes", type=float, default=10, help="How long the load runs (M).")
    parser.add_argument(
        "--ingest-rate", type=int, default=100, help="Posts per second heard meanwhile (R)."
    )
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=0.5,
        help=(
            "People signing in per second at the start (default: 0.5, so 200 in 400 s: each "
            "sign-in is a deliberately slow password hash, about half a second of one core)."
        ),
    )
    parser.add_argument("--conversations", type=int, default=20_000, help="In the workspace.")
    parser.add_argument("--cases", type=int, default=5_000, help="In the workspace.")
    parser.add_argument(
        "--web-workers", type=int, default=3, help="gunicorn worker processes (default: 3)."
    )
    parser.add_argument(
        "--web-threads", type=int, default=4, help="Threads per gunicorn worker (default: 4)."
    )
    parser.add_argument("--workers", type=int, default=2, help="`rapport worker` processes.")
    parser.add_argument("--port", type=int, default=8765, help="Loopback port of the server.")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/rapport_load",
        help="PostgreSQL database of the test: DROPPED and created anew.",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/6", help="Redis database: emptied."
    )
    parser.add_argument("--out", default="", help="Folder for logs and CSVs (default: a new one).")
    parser.add_argument("--seed", type=int, default=1, help="The same seed, the same workspace.")


def run(log: Callable[[str], Any], **options: Any) -> dict[str, Any]:
    try:
        return _run(log, **options)
    except KeyboardInterrupt:
        raise CommandError("Interrupted; every process the load test started is stopped.") from None


def _run(log: Callable[[str], Any], **options: Any) -> dict[str, Any]:
    # Found, not imported: importing Locust patches this process for gevent.
    if importlib.util.find_spec("locust") is None:
        raise CommandError("Locust is not installed: pip install -e '.[dev]'")
    out = Path(options["out"] or tempfile.mkdtemp(prefix="rapport-load-"))
    out.mkdir(parents=True, exist_ok=True)
    env = _environment(options, out)
    log(f"load test: logs and CSVs in {out}")
    _fresh_database(options["database_url"])
    _empty_redis(options["redis_url"])
    with _processes(out) as start:
        started = time.monotonic()
        _step(
            log, "migrating", [sys.executable, "-m", "rapport", "migrate", "--no-input"], env, out
        )
        plan = out / "plan.json"
        _step(
            log,
            "building the workspace",
            [
                sys.executable,
                *("-m", "rapport.bench.load.prepare", "--plan", str(plan)),
                *("--people", str(options["users"]), "--seed", str(options["seed"])),
                *("--conversations", str(options["conversations"])),
                *("--cases", str(options["cases"])),
            ],
            env,
            out,
        )
        workspace = json.loads(plan.read_text())["counts"]
        log(f"workspace ready in {time.monotonic() - started:.0f}s: {workspace}")
        start(
            "web",
            [
                sys.executable,
                *("-m", "rapport", "serve", "--no-worker", "--port", str(options["port"])),
                *("--workers", str(options["web_workers"])),
                *("--threads", str(options["web_threads"])),
            ],
            env,
        )
        for n in range(options["workers"]):
            start(f"worker{n + 1}", [sys.executable, "-m", "rapport", "worker"], env)
        host = f"http://127.0.0.1:{options['port']}"
        _wait_for(host + "/login/", 90)
        seconds = round(options["minutes"] * 60)
        # Locust runs the sign-in rush, then SETTLE s, then the measured minutes.
        rush = math.ceil(options["users"] / options["spawn_rate"]) + SETTLE
        feed = start(
            "feed",
            [
                sys.executable,
                *("-m", "rapport", "load_feed", "--rate", str(options["ingest_rate"])),
                *("--seconds", str(rush + seconds + 600), "--seed", str(options["seed"])),
            ],
            env,
        )
        log(
            f"load: {options['users']} people for {options['minutes']:g} min, "
            f"{options['ingest_rate']} posts/s heard"
        )
        locust = start(
            "locust",
            [
                sys.executable,
                *("-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host),
                *("--users", str(options["users"]), "--spawn-rate", str(options["spawn_rate"])),
                *("--run-time", f"{rush + seconds}s", "--stop-timeout", "10"),
                *("--only-summary", "--csv", str(out / "locust"), "--loglevel", "WARNING"),
            ],
            {**env, "LOAD_PLAN": str(plan), "LOAD_RAMP": str(out / "sign-in.json")},
        )
        locust.wait(timeout=rush + seconds + 300)
        feed.send_signal(signal.SIGTERM)
        feed.wait(timeout=60)
        fed = _last_json(out / "feed.out")
        backlog, drained = _drain(options["redis_url"], 120)
    pages = _read_stats(out / "locust_stats.csv")
    failures = _read_failures(out / "locust_failures.csv")
    signing_in = json.loads((out / "sign-in.json").read_text())
    sign_in = _sign_in(log, signing_in, options)
    figures = _report(log, pages, failures, fed, backlog, drained, options, workspace)
    figures["sign_in"] = sign_in
    figures["out"] = str(out)
    return figures


def _environment(options: dict[str, Any], out: Path) -> dict[str, str]:
    url = options["database_url"]
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise CommandError(f"--database-url must be a PostgreSQL URL, not {url!r}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RAPPORT_TASKS_BACKEND": "redis",
        "REDIS_URL": options["redis_url"],
        "RAPPORT_CACHE": "redis",
        "RAPPORT_VAR_DIR": str(out / "var"),
        "RAPPORT_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[3]))
    return env


def _fresh_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise CommandError(f"--database-url must name a database of its own, not {name!r}")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _empty_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@contextlib.contextmanager
def _processes(out: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Starts processes each in a session of its own (so its children stop with it), logging to
    out/<name>.out; stops them all on leaving, whatever happened. SIGTERM stops the run as
    Ctrl-C does."""
    started: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def start(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        output = open(out / f"{name}.out", "wb")  # noqa: SIM115 - closed on leaving
        process = subprocess.Popen(  # noqa: S603 - our own commands
            argv, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append((process, output))
        return process

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        yield start
    finally:
        for process, _ in reversed(started):
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process, output in reversed(started):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)
                process.wait()
            output.close()
        signal.signal(signal.SIGTERM, previous)


def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def _step(
    log: Callable[[str], Any], what: str, argv: list[str], env: dict[str, str], out: Path
) -> None:
    log(what + "…")
    name = argv[2].rsplit(".", 1)[-1] if argv[2] != "rapport" else argv[3]
    with open(out / f"{name}.out", "wb") as output:
        done = subprocess.run(argv, env=env, stdout=output, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    if done.returncode:
        raise CommandError(f"{what} failed: see {out / f'{name}.out'}")


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=5) as response,  # noqa: S310 - loopback
        ):
            if response.status == 200:
                return
        time.sleep(1)
    raise CommandError(f"the server did not answer {url} within {seconds:.0f}s")


def _drain(redis_url: str, seconds: float) -> tuple[int, float]:
    """(tasks still queued when the load stopped, seconds the workers took to finish them)."""
    import redis

    queue = redis.Redis.from_url(redis_url)
    backlog = int(queue.llen("rq:queue:default"))
    started = time.monotonic()
    while queue.llen("rq:queue:default") and time.monotonic() - started < seconds:
        time.sleep(1)
    return backlog, round(time.monotonic() - started, 1)


def _last_json(path: Path) -> dict[str, Any]:
    for line in reversed(path.read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    return {}


def _read_stats(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise CommandError(f"Locust wrote no statistics ({path}); see locust.out beside it")
    with open(path, newline="") as f:
        return [
            {
                "name": row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_s": round(float(row["Requests/s"]), 2),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": _ms(row["Max Response Time"]),
            }
            for row in csv.DictReader(f)
        ]


def _ms(value: str) -> int:
    return round(float(value)) if value not in ("", "N/A") else 0


def _read_failures(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [
            {"name": row["Name"], "error": row["Error"][:300], "count": int(row["Occurrences"])}
            for row in csv.DictReader(f)
        ]


def _sign_in(
    log: Callable[[str], Any], rush: list[dict[str, Any]], options: dict[str, Any]
) -> dict[str, Any]:
    """The sign-in rush, reported on its own: everyone signing in within a minute or two is
    a morning's worth of logins, and each costs a deliberately slow password hash."""
    log(
        f"sign-in rush ({options['users']} people at {options['spawn_rate']:g}/s, "
        "before the minutes measured below):"
    )
    log(f"  {'':<38} {'requests':>8} {'errors':>6} {'':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    figures = {}
    for p in rush:
        log(
            f"  {p['method'] + ' ' + p['name']:<38} {p['requests']:>8} {p['failures']:>6} "
            f"{'':>6} {p['p50_ms']:>6} {p['p95_ms']:>6} {p['p99_ms']:>6}"
        )
        figures[p["name"]] = [p["requests"], p["failures"], p["p50_ms"], p["p99_ms"]]
    return figures


def _report(
    log: Callable[[str], Any],
    pages: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    fed: dict[str, Any],
    backlog: int,
    drained: float,
    options: dict[str, Any],
    workspace: dict[str, Any],
) -> dict[str, Any]:
    total = next((p for p in pages if p["name"] == "Aggregated"), None)
    each = sorted((p for p in pages if p["name"] != "Aggregated"), key=lambda p: -p["p99_ms"])
    log(f"the {options['minutes']:g} minutes measured, everyone signed in:")
    log(f"{'page or API call':<40} {'requests':>8} {'errors':>6} {'/s':>6} "
        f"{'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}")  # fmt: skip
    for p in [*each, *([total] if total else [])]:
        log(
            f"{p['method'] + ' ' + p['name']:<40} {p['requests']:>8} {p['failures']:>6} "
            f"{p['per_s']:>6} {p['p50_ms']:>6} {p['p95_ms']:>6} {p['p99_ms']:>6} {p['max_ms']:>6}"
        )
    for failure in failures:
        log(f"error x{failure['count']} on {failure['name']}: {failure['error']}")
    slowest = each[0] if each else None
    log(
        f"listening: {fed.get('posts', 0)} posts fed at {fed.get('posts_per_s', 0)}/s "
        f"({fed.get('late_batches', 0)} late batches, receive p99 {fed.get('receive_p99_ms')} ms);"
        f" tasks queued when the load stopped: {backlog}, drained in {drained}s"
    )
    errors = total["failures"] if total else 0
    passed = slowest is not None and slowest["p99_ms"] < P99_LIMIT_MS and errors == 0
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    log(
        f"{'PASS' if passed else 'FAIL'}: p99 under {P99_LIMIT_MS} ms on every page and call "
        f"(slowest: {slowest['name'] if slowest else '-'} {slowest['p99_ms'] if slowest else '-'}"
        f" ms), {errors} errors; machine: {socket.gethostname()}, {os.cpu_count()} CPUs, "
        f"{memory:.0f} GiB, load average now {load}"
    )
    return {
        "users": options["users"],
        "minutes": options["minutes"],
        "ingest_rate": options["ingest_rate"],
        "web": f"{options['web_workers']}x{options['web_threads']}",
        "workers": options["workers"],
        "workspace": workspace,
        "requests": total["requests"] if total else 0,
        "requests_per_s": total["per_s"] if total else 0,
        "errors": errors,
        "p50_ms": total["p50_ms"] if total else 0,
        "p95_ms": total["p95_ms"] if total else 0,
        "p99_ms": total["p99_ms"] if total else 0,
        "slowest_p99": {slowest["name"]: slowest["p99_ms"]} if slowest else {},
        "pages": {p["name"]: [p["requests"], p["p50_ms"], p["p95_ms"], p["p99_ms"]] for p in each},
        "fed": fed,
        "backlog_at_stop": backlog,
        "drain_seconds": drained,
        "passed": passed,
        "machine": {"cpus": os.cpu_count(), "memory_gib": round(memory), "load_average": load},
    }
