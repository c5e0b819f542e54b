"""Helpers of the browser flows: screenshots on request."""

import os
from pathlib import Path
from typing import Any

#: Set RAPPORT_SCREENSHOTS to a folder to keep screenshots of the pages a flow visits.
SCREENSHOTS = os.environ.get("RAPPORT_SCREENSHOTS", "")


def screenshot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
