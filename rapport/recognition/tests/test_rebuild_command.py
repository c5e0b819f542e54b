"""`rapport recognition rebuild [--workspace SLUG] [--check]`."""

import contextlib
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.recognition import ledger
from rapport.recognition.models import Contribution


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recognition", *args, stdout=out)
    return out.getvalue()


def test_rebuild_replays_the_journal_into_an_empty_ledger_with_a_line_per_workspace(
    crew, acme, globex
):
    kept = ledger.as_rows(acme)
    Contribution.objects.filter(workspace=acme).delete()
    said = run("rebuild")
    assert ledger.as_rows(acme) == kept
    acme_line, globex_line = said.splitlines()
    assert re.fullmatch(
        rf"acme: replaying [\d,]+ events… {len(kept):,} contributions \(\d+\.\d s\)", acme_line
    )
    assert globex_line.startswith("globex: replaying 0 events… 0 contributions")


def test_check_says_the_ledger_matches_and_changes_nothing(crew, acme):
    kept = ledger.as_rows(acme)
    said = run("rebuild", "--workspace", "acme", "--check")
    assert f"the same {len(kept):,} contributions" in said
    assert ledger.as_rows(acme) == kept


def test_check_fails_when_the_ledger_differs_from_the_journal_and_leaves_it_as_it_was(crew, acme):
    Contribution.objects.filter(member=crew["ravi"]).delete()
    damaged = ledger.as_rows(acme)
    with pytest.raises(CommandError, match="differs from the one kept in: acme"):
        run("rebuild", "--workspace", "acme", "--check")
    assert ledger.as_rows(acme) == damaged


def test_an_unknown_workspace_is_named(db):
    with pytest.raises(CommandError, match="There is no workspace 'nope'"):
        run("rebuild", "--workspace", "nope")


def run_help(*args: str) -> str:
    """What `rapport recognition ARGS --help` prints."""
    out = io.StringIO()
    with pytest.raises(SystemExit), contextlib.redirect_stdout(out):
        call_command("recognition", *args, "--help")
    return out.getvalue()


def test_help_says_what_rebuild_and_check_do():
    from rapport.recognition.management.commands.recognition import Command

    parser = Command().create_parser("rapport", "recognition")
    text = parser.format_help()
    assert "replays its journal" in text.replace("\n", " ")
    rebuild = run_help("rebuild")
    assert "--check" in rebuild
    assert "--workspace SLUG" in rebuild
    assert "rolled back" in rebuild
