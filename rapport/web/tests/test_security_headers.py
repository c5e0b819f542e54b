"""Security headers: the same strict Content-Security-Policy in every mode (no inline script,
style or eval), and HSTS in production over HTTPS only (behind a load balancer too)."""

import pytest
from django.test import Client

from rapport.core.tests.test_commands import run_rapport

#: Prints the headers of one HTTPS request through the whole middleware stack.
PROBE = (
    "from django.test import Client; "
    "r = Client().get('/api/v1/openapi.json', HTTP_HOST='localhost', "
    "HTTP_X_FORWARDED_PROTO='https', **({} if {proxy} else {'wsgi.url_scheme': 'https'})); "
    "print('HSTS=' + r.headers.get('Strict-Transport-Security', '')); "
    "print('CSP=' + r.headers.get('Content-Security-Policy', ''))"
)


def _headers(tmp_path, env: dict[str, str], proxy: bool = False) -> dict[str, str]:
    result = run_rapport(
        "shell", "-c", PROBE.replace("{proxy}", str(proxy)),
        RAPPORT_VAR_DIR=str(tmp_path), DATABASE_URL=None, **env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


@pytest.mark.django_db
def test_every_page_carries_the_strict_policy(owner_client):
    for path in ("/login/", "/w/acme/inbox/", "/w/acme/contacts/"):
        response = owner_client.get(path)
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy
        assert "Strict-Transport-Security" not in response.headers  # not in development


@pytest.mark.django_db
def test_no_page_template_has_inline_script_or_style(owner_client):
    html = owner_client.get("/w/acme/inbox/").content.decode()
    assert "<script>" not in html
    assert "<script src=" in html
    assert 'name="htmx-config"' in html
    assert '"allowEval": false' in html
    assert "style=" not in html
    assert "hx-on" not in html


def test_production_over_https_sends_hsts(tmp_path):
    production = {"RAPPORT_PRODUCTION": "true", "SECRET_KEY": "s" * 40}
    headers = _headers(tmp_path, production)
    assert headers["HSTS"] == "max-age=31536000"
    assert "script-src 'self'" in headers["CSP"]
    # Behind a load balancer that terminates HTTPS, X-Forwarded-Proto says so, when trusted.
    behind_proxy = production | {"RAPPORT_PROXY_COUNT": "1"}
    assert _headers(tmp_path, behind_proxy, proxy=True)["HSTS"] == "max-age=31536000"
    assert _headers(tmp_path, production, proxy=True)["HSTS"] == ""  # a client's own header
    subdomains = production | {"RAPPORT_HSTS_INCLUDE_SUBDOMAINS": "true"}
    assert _headers(tmp_path, subdomains)["HSTS"] == "max-age=31536000; includeSubDomains"


def test_development_sends_no_hsts(tmp_path):
    assert _headers(tmp_path, {"RAPPORT_PRODUCTION": "false"})["HSTS"] == ""


def test_login_page_runs_under_the_policy_too(client: Client, db):
    assert "script-src 'self'" in client.get("/login/").headers["Content-Security-Policy"]
