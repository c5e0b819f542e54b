"""Helpers of the browser flows: screenshots on request, a real task worker for a moment."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

#: Set RAPPORT_SCREENSHOTS to a folder to keep screenshots of the pages a flow visits.
SCREENSHOTS = os.environ.get("RAPPORT_SCREENSHOTS", "")


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def session_database_url() -> str:
    """A DATABASE_URL for the database this test session runs on, for a worker process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker_burst() -> str:
    """`rapport worker --burst` on the database queue of the test database; what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "worker", "--burst"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": session_database_url(),
            "RAPPORT_TASKS_BACKEND": "database",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"the worker failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr
