"""What one case-API scenario costs the server: over the public REST API, with an API token,
create a contact, open a case for them, comment on it, read the case and list the cases.

How it measures:

- The server is the real one: `rapport serve --no-worker` (gunicorn on loopback, its usual
  workers and threads, debug off, access log on) started as a child process on the configured
  database (SQLite by default, PostgreSQL with DATABASE_URL), in a throwaway workspace with
  twelve people, four teams and an SLA policy, reached through a manager's API token.
- Server CPU: the user + system CPU time of the gunicorn processes (the arbiter and every worker,
  read from /proc through psutil) after the measured scenarios minus before, divided by the
  scenarios. The warmup scenarios (every worker's first requests import and build lazily) are
  not counted. The client's own CPU is not in it; other load on the machine slows the wall
  clock (scenarios/s) far more than it moves CPU time.
- Scenarios/s: from the client, `--clients` threads each running scenarios back to back over
  a kept-alive connection, wall clock of the measured scenarios.
- Queries per scenario: a separate pass in this process, the same five requests through
  Django's test client (same URLs, middleware, token and database), each query counted with
  `connection.execute_wrapper`; run after the served scenarios (so over as many cases), after
  one warmup scenario, the mean of `--query-scenarios`. BEGIN is counted, COMMIT is not (it is
  no statement: the driver commits).

The workspace (bench-api-<time>) and everything the scenarios wrote are deleted afterwards
unless `--keep`. Figures are measured, never asserted: this is a benchmark, not a test.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
import requests
from django.conf import settings
from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from rapport.bench.workspace import drop_workspace, staffed_workspace, throwaway
from rapport.core.actions import create_api_token
from rapport.core.models import Workspace
from rapport.sla.models import BusinessCalendar, SlaPolicy, SlaTimer

HELP = "Server CPU, queries and throughput of a case-API scenario (contact, case, comment, reads)."

STEPS = ["create contact", "create case", "comment", "get case", "list cases"]
API = "/api/v1"


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--scenarios", type=int, default=200, help="Measured scenarios (5 requests each)."
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="Scenarios run first and not counted."
    )
    parser.add_argument(
        "--clients", type=int, default=2, help="Client threads running scenarios at once."
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="Server worker processes (`rapport serve`)."
    )
    parser.add_argument(
        "--query-scenarios",
        type=int,
        default=5,
        help="Scenarios run in this process to count queries.",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark workspace.")


def run(log: Callable[[str], Any], **options: Any) -> dict[str, Any]:
    scenarios, warmup, clients = options["scenarios"], options["warmup"], options["clients"]
    if scenarios < 1 or warmup < 0 or clients < 1 or options["workers"] < 1:
        raise ValueError("--scenarios, --clients and --workers must be at least 1, --warmup 0+.")
    if options["query_scenarios"] < 1:
        raise ValueError("--query-scenarios must be at least 1.")
    settings.DEBUG = False
    workspace, token = _setup()
    with throwaway(workspace, _delete, keep=options["keep"]):
        served = _serve_and_measure(token, scenarios, warmup, clients, options["workers"], log)
        # after the served ones: the same workspace, as many cases as the server saw
        queries, per_step = _count_queries(token, options["query_scenarios"])
        log(
            f"Queries per scenario: {queries:.1f} ("
            + ", ".join(f"{step} {n:.1f}" for step, n in per_step.items())
            + ")"
        )
    figures = {
        "database": connection.vendor,
        "scenarios": scenarios,
        "clients": clients,
        "workers": options["workers"],
        "scenarios_per_s": served["scenarios_per_s"],
        "cpu_ms_per_scenario": served["cpu_ms_per_scenario"],
        "queries_per_scenario": round(queries, 1),
    }
    log(
        f"{scenarios} scenarios on {connection.vendor}: {served['scenarios_per_s']} scenarios/s "
        f"with {clients} client(s), {served['cpu_ms_per_scenario']} ms server CPU per scenario, "
        f"{queries:.1f} queries per scenario"
    )
    return figures


def _setup() -> tuple[Workspace, str]:
    slug = f"bench-api-{timezone.now():%Y%m%d%H%M%S}"
    with transaction.atomic():
        workspace, members, _ = staffed_workspace(slug, ["Social Care", "Credit", "R&D", "Sales"])
        calendar = BusinessCalendar.objects.create(
            workspace=workspace,
            name="Always open",
            time_zone="UTC",
            hours={str(d): [["00:00", "24:00"]] for d in range(7)},
        )
        SlaPolicy.objects.create(
            workspace=workspace,
            name="Standard",
            calendar=calendar,
            first_response_minutes=60,
            resolution_minutes=2880,
        )
    _, token = create_api_token(members[0], name="bench api")
    return workspace, token


def _delete(workspace: Workspace) -> None:
    """The workspace and what the scenarios wrote (a few thousand rows: the ORM's cascade will
    do), once the timers, policies and calendars that protect it are gone."""
    for model in (SlaTimer, SlaPolicy, BusinessCalendar):
        model.objects.filter(workspace=workspace).delete()
    drop_workspace(workspace)


def _bodies(n: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """The scenario's requests as (method, path, JSON body); `{case}` and `{contact}` are the
    ids the earlier requests answered."""
    return [
        ("POST", "/contacts", {"name": f"Customer {n}", "email": f"customer{n}@example.com"}),
        (
            "POST",
            "/cases",
            {
                "subject": f"Card payment refused ({n})",
                "description": "The card was refused at the till twice today.",
                "customer_id": "{contact}",
            },
        ),
        ("POST", "/cases/{case}/comments", {"body": "Called the customer; checking the ledger."}),
        ("GET", "/cases/{case}", None),
        ("GET", "/cases", None),
    ]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        for key, pk in ids.items():
            if value == "{" + key + "}":
                return pk
            value = value.replace("{" + key + "}", str(pk))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _scenario(send: Callable[[str, str, Any], tuple[int, Any]], n: int, step: Any = None) -> None:
    """Runs one scenario through `send(method, path, body) -> (status, json)`; a status that is
    not the one expected stops the benchmark: a fast error is no figure."""
    ids: dict[str, int] = {}
    for i, (method, path, body) in enumerate(_bodies(n)):
        status, answer = send(method, _fill(API + path, ids), _fill(body, ids))
        if status not in (200, 201):
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
        if i == 0:
            ids["contact"] = answer["id"]
        elif i == 1:
            ids["case"] = answer["id"]
        if step is not None:
            step(STEPS[i])


def _count_queries(token: str, scenarios: int) -> tuple[float, dict[str, float]]:
    """Queries per scenario (and per step), through Django's test client in this process."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def send(method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, body, content_type="application/json")
        return response.status_code, response.json()

    count = [0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    _scenario(send, -1)  # warmup: lazy imports and caches of the first request
    per_step = dict.fromkeys(STEPS, 0)
    last = [0]

    def step(name: str) -> None:
        per_step[name] += count[0] - last[0]
        last[0] = count[0]

    with connection.execute_wrapper(counting):
        for n in range(scenarios):
            _scenario(send, -2 - n, step)
    return count[0] / scenarios, {k: v / scenarios for k, v in per_step.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(server: psutil.Process) -> float:
    total = 0.0
    for process in [server, *server.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _serve_and_measure(
    token: str, scenarios: int, warmup: int, clients: int, workers: int, log: Callable[[str], Any]
) -> dict[str, float]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RAPPORT_DEBUG": "false"}
    command = [sys.executable, "-m", "rapport", "serve", "--no-worker", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(  # noqa: S603 - our own command
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            _wait_until_up(server, base, token, errors)
            log(f"Server up on {base} (pid {server.pid}, {workers} worker(s)); warming up")
            process = psutil.Process(server.pid)
            _drive(base, token, warmup, clients, offset=0)
            before = _cpu_seconds(process)
            began = time.perf_counter()
            _drive(base, token, scenarios, clients, offset=warmup)
            seconds = time.perf_counter() - began
            cpu = _cpu_seconds(process) - before
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    return {
        "scenarios_per_s": round(scenarios / seconds, 1),
        "cpu_ms_per_scenario": round(1000 * cpu / scenarios, 1),
    }


def _wait_until_up(server: subprocess.Popen[bytes], base: str, token: str, errors: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"`rapport serve` stopped ({server.returncode}):\n{tail}")
        try:
            answer = requests.get(
                f"{base}{API}/cases", headers={"Authorization": f"Bearer {token}"}, timeout=5
            )
            if answer.status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError("`rapport serve` did not answer within 60 s")


def _drive(base: str, token: str, scenarios: int, clients: int, *, offset: int) -> None:
    """Runs `scenarios` scenarios over `clients` threads, each with its kept-alive session."""
    failures: list[BaseException] = []
    lock = threading.Lock()
    todo = iter(range(offset, offset + scenarios))

    def client() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"

        def send(method: str, path: str, body: Any) -> tuple[int, Any]:
            answer = session.request(method, base + path, json=body, timeout=60)
            return answer.status_code, answer.json()

        while not failures:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            try:
                _scenario(send, n)
            except BaseException as exc:  # reported below, in the benchmark's thread
                failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
