import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Loaded once, in gunicorn's master, before it forks the web workers (`preload_app`):
        # each shares what warm-up loads (the triage models, a gigabyte) instead of loading it
        # on its first request that triages, seconds that request would wait.
        from django.db import connections

        from rapport.core import warmup
        from rapport.wsgi import application

        warmup.load_all()
        connections.close_all()  # no connection crosses the fork
        return application


class Command(BaseCommand):
    help = (
        "Serve Rapport: the web server (gunicorn, static files included) and, unless --no-worker, "
        "a task worker beside it (which also runs the scheduler: periodic tasks and source "
        "polls). This is what `make run` starts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes.")
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per web worker process (default: 4)."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=(
                "Do not start a task worker (run `rapport worker` elsewhere; it runs the "
                "scheduler too)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        helpers: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"] and settings.TASKS_BACKEND != "immediate":
            worker = subprocess.Popen([sys.executable, "-m", "rapport", "worker"])
            helpers.append(worker)
            self.stdout.write(
                f"Task worker started (pid {worker.pid}, {settings.TASKS_BACKEND} queue)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Rapport on http://{options['host']}:{options['port']}/")
        )
        try:
            _Gunicorn(
                {
                    "bind": f"{options['host']}:{options['port']}",
                    "workers": options["workers"],
                    "threads": options["threads"],
                    "accesslog": "-",
                    "timeout": 60,
                    "preload_app": True,
                }
            ).run()
        finally:
            for helper in helpers:
                if helper.poll() is None:
                    helper.send_signal(signal.SIGTERM)
            for helper in helpers:
                try:
                    helper.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    helper.kill()
