"""`make run` end to end: migrate, load the demo, `rapport serve`, and its worker answers a task.

Everything runs as subprocesses on a fresh embedded install (SQLite and the database queue in a
temporary RAPPORT_VAR_DIR), whatever database the rest of the suite uses, and talks to the server
over loopback only. Every wait is bounded; the server's process group is always stopped.
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from rapport.demo import workspace as demo

pytestmark = pytest.mark.queue

ROOT = Path(settings.BASE_DIR)
#: Settings the embedded install must not inherit from the environment this suite runs in.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "RAPPORT_TASKS_BACKEND", "RAPPORT_PRODUCTION")
START_TIMEOUT = 60
TASK_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["RAPPORT_VAR_DIR"] = str(tmp_path / "var")
    env["PYTHONUNBUFFERED"] = "1"  # so serve's log shows what it printed, in order
    return env


def rapport(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, f"rapport {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


@pytest.fixture
def server(
    embedded_env: dict[str, str], tmp_path: Path, demo_token: str
) -> Iterator[tuple[str, Path]]:
    """`rapport serve` on the demo install, on a free loopback port; its URL and its log file."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rapport", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=embedded_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn and the worker stop with it
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"rapport serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except urllib.error.HTTPError as e:
                pytest.fail(f"/login/ answered {e.code}:\n{log.read_text()}")
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail(f"rapport serve did not answer in {START_TIMEOUT}s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base, log
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Asks the whole process group to stop, then kills whatever of it is left."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def call(method: str, url: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, method=method, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def demo_token(embedded_env: dict[str, str]) -> str:
    """Migrates and loads the demo twice (it must be idempotent), then a manager's API token."""
    rapport(embedded_env, "migrate", "--no-input")
    printed = rapport(embedded_env, "demo")
    assert f"password for all: {demo.DEMO_PASSWORD}" in printed
    assert "maya@acme.example" in printed
    rapport(embedded_env, "demo", "--quiet-logins")
    token = rapport(
        embedded_env, "token", "create", "--email", "maya@acme.example", "--workspace", "acme"
    ).strip()
    assert token.startswith("rpt_")
    return token


def test_serve_runs_the_web_server_and_a_worker_that_answers_tasks(demo_token, server):
    base, log = server

    status, run = call("POST", f"{base}/api/v1/tasks/worker-check", demo_token)
    assert status == 202, run

    deadline = time.monotonic() + TASK_TIMEOUT
    while not run["finished"]:
        assert time.monotonic() < deadline, f"no worker ran the task:\n{log.read_text()}"
        time.sleep(0.5)
        status, run = call("GET", f"{base}/api/v1/tasks/{run['id']}", demo_token)
        assert status == 200, run

    assert run["status"] == "SUCCESSFUL", run
    started = re.search(r"Task worker started \(pid (\d+)", log.read_text())
    assert started, log.read_text()
    assert run["result"]["pid"] == int(started.group(1)), "the task ran outside serve's worker"
