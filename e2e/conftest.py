"""Browser fixtures: Debian's Chromium driven by Playwright over a pipe, against `live_server`.

Never downloads a browser: `apt-get install chromium` provides /usr/bin/chromium.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path(os.environ.get("RAPPORT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Runs before the page's own scripts (and outside its policy): tells the console of each
#: violation, which the fixture collects.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def browser_page(transactional_db, live_server, monkeypatch) -> Iterator[object]:
    """A fresh Chromium page; `page.base_url` is the live server's address."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install Debian's package "
            "(`apt-get install -y chromium`) or set RAPPORT_CHROMIUM. Browser tests never "
            "download a browser."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls a test makes
    # between browser steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 860}
        )
        context.set_default_timeout(10_000)
        # Every page runs under Rapport's Content-Security-Policy: a violation fails the test.
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text or "CSP violation" in message.text
                else None
            ),
        )
        page.csp_violations = violations  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright's event loop runs get their own connection
            # (asgiref sees a running loop); close it, or PostgreSQL cannot drop the test database.
            connections.close_all()
        if violations:
            pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))
