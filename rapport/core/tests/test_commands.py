"""The `rapport` command line: help everywhere, tokens, loud settings."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.test import Client

from rapport.core.models import Membership, User

RAPPORT_COMMANDS = sorted(
    name for name, app in get_commands().items() if app.startswith("rapport.")
)


def run_rapport(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Runs `rapport` in a subprocess; an env value of None removes that variable."""
    environ = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        check=False,
    )


def test_rapport_help_lists_every_command():
    result = run_rapport("--help")
    assert result.returncode == 0, result.stderr
    assert "Type 'rapport help <subcommand>'" in result.stdout
    for name in RAPPORT_COMMANDS:
        assert name in result.stdout
    assert {"demo", "serve", "worker", "token", "openapi"} <= set(RAPPORT_COMMANDS)


@pytest.mark.parametrize("name", RAPPORT_COMMANDS)
def test_every_command_explains_itself(name):
    command = load_command_class(get_commands()[name], name)
    text = command.create_parser("rapport", name).format_help()
    assert len(command.help) > 20
    assert command.help.split()[0] in text


def test_token_create_prints_a_token_that_opens_the_api(acme, make_member):
    member = make_member(acme, "agent", email="sam@acme.example")
    out = io.StringIO()
    call_command(
        "token", "create", "--email", "sam@acme.example", "--workspace", "acme", stdout=out
    )
    raw = out.getvalue().strip()
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "sam@acme.example"
    assert response.json()["workspace"]["slug"] == "acme"
    assert response.json()["role"] == member.role


def test_token_create_names_a_wrong_member_or_workspace(acme, make_member):
    make_member(acme, "agent", email="sam@acme.example")
    with pytest.raises(CommandError, match="not a member of a workspace called 'globex'"):
        call_command("token", "create", "--email", "sam@acme.example", "--workspace", "globex")


def test_token_list_and_revoke(acme, make_member):
    make_member(acme, "agent", email="sam@acme.example")
    out = io.StringIO()
    call_command(
        "token", "create", "--email", "sam@acme.example", "--workspace", "acme", stdout=out
    )
    raw = out.getvalue().strip()
    call_command("token", "revoke", "--email", "sam@acme.example", "--workspace", "acme", raw[:10])
    listing = io.StringIO()
    call_command(
        "token", "list", "--email", "sam@acme.example", "--workspace", "acme", stdout=listing
    )
    assert "revoked" in listing.getvalue()
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAPPORT_TASKS_BACKEND": "celery"}, "RAPPORT_TASKS_BACKEND"),
        ({"RAPPORT_DEBUG": "perhaps"}, "RAPPORT_DEBUG"),
        ({"SQLITE_BUSY_TIMEOUT": "soon", "DATABASE_URL": None}, "SQLITE_BUSY_TIMEOUT"),
        ({"RAPPORT_PRODUCTION": "true", "SECRET_KEY": None}, "SECRET_KEY is required"),
        ({"SECRET_KEY": "short"}, "at least 32 characters"),
        ({"DATABASE_URL": "mysql://root@127.0.0.1/rapport"}, "DATABASE_URL must point at"),
        ({"RAPPORT_TASKS_BACKEND": "redis", "REDIS_URL": None}, "needs REDIS_URL"),
        ({"RAPPORT_CACHE": "memcached"}, "RAPPORT_CACHE"),
        (
            {"RAPPORT_CACHE": "redis", "REDIS_URL": None, "RAPPORT_TASKS_BACKEND": None},
            "RAPPORT_CACHE=redis needs REDIS_URL",
        ),
    ],
)
def test_bad_settings_fail_loudly_naming_the_variable(env, message, tmp_path):
    result = run_rapport("check", RAPPORT_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_default_generates_and_keeps_a_secret_key(tmp_path):
    env = {"RAPPORT_VAR_DIR": str(tmp_path), "SECRET_KEY": None, "DATABASE_URL": None}
    assert run_rapport("check", **env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_rapport("check", **env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_workspace_create_makes_an_owner_who_can_sign_in(db):
    out = io.StringIO()
    call_command(
        "workspace",
        "create",
        "--name",
        "Initech",
        "--slug",
        "initech",
        "--owner-email",
        "Bill@Initech.example",
        stdout=out,
    )
    password = out.getvalue().split("password: ")[1].strip()
    owner = Membership.objects.get(workspace__slug="initech")
    assert owner.role == "owner"
    assert owner.user.email == "bill@initech.example"
    assert owner.user.check_password(password)
    listing = io.StringIO()
    call_command("workspace", "list", stdout=listing)
    assert "initech" in listing.getvalue()


@pytest.mark.parametrize(
    ("slug", "message"), [("Not A Slug", "lowercase letters"), ("taken", "is taken")]
)
def test_workspace_create_names_a_bad_slug(slug, message, make_workspace):
    make_workspace("taken")
    with pytest.raises(CommandError, match=message):
        call_command(
            "workspace", "create", "--name", "X", "--slug", slug, "--owner-email", "x@x.example"
        )
    assert not User.objects.filter(email="x@x.example").exists()


def test_web_processes_share_a_cache_by_default(tmp_path):
    """Several gunicorn workers must see who has a conversation open: never a per-process cache."""
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {
        "RAPPORT_VAR_DIR": str(tmp_path),
        "REDIS_URL": None,
        "RAPPORT_CACHE": None,
        "RAPPORT_TASKS_BACKEND": None,
    }
    result = run_rapport("shell", "-c", script, **env)
    assert result.stdout.strip().endswith("django.core.cache.backends.filebased.FileBasedCache")
    env["REDIS_URL"] = "redis://127.0.0.1:6379/5"
    result = run_rapport("shell", "-c", script, **env)
    assert result.stdout.strip().endswith("django.core.cache.backends.redis.RedisCache")
