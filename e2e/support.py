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


def sign_in(page: Any, email: str, password: str) -> None:
    """Signs `email` in on a fresh session, leaving whoever was signed in before."""
    from playwright.sync_api import expect

    # Leave the previous page first: its live refreshes could otherwise answer after the cookies
    # are cleared and set a CSRF cookie that no longer matches the sign-in form.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Email").fill(email, timeout=30_000)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
