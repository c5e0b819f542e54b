"""`rapport recognition rebuild [--workspace SLUG] [--check]`: the contribution ledger replayed
from the journal of domain events."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rapport.core.events import LISTENERS
from rapport.core.models import JournalEntry, Workspace
from rapport.recognition import ledger, wiring


def _journalled(workspace: Workspace) -> int:
    """How many journal entries the ledger's listeners hear in the workspace."""
    paths = {f"{f.__module__}.{f.__qualname__}" for f in wiring.LEDGER}
    names = [name for name, heard in LISTENERS.items() if any(lst.path in paths for lst in heard)]
    return JournalEntry.objects.filter(workspace=workspace, name__in=names).count()


class Command(BaseCommand):
    help = (
        "The contribution ledger. `rapport recognition rebuild` empties each workspace's ledger "
        "and replays its journal of domain events into it (what a fixed derivation rule needs "
        "to reach the past); `--check` does the same inside a transaction it rolls back, and "
        "says whether the replayed ledger equals the one kept (exit status 1 if not)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{rebuild}")
        rebuild = sub.add_parser(
            "rebuild",
            help="Replay the journal into an empty ledger (or check that it gives the same).",
            description=(
                "Empty the contribution ledger and replay the journal of domain events into it, "
                "one workspace at a time, each in one transaction (scores read meanwhile see the "
                "old ledger until it commits). With --check, nothing is changed: the ledger is "
                "rebuilt in a transaction that is rolled back, compared row by row with the one "
                "kept, and the command exits with status 1 when they differ."
            ),
        )
        rebuild.add_argument(
            "--workspace", metavar="SLUG", help="Only this workspace (default: every one)."
        )
        rebuild.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: say whether a replay gives the ledger that is kept.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("slug")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"There is no workspace {options['workspace']!r}.")
        differing = []
        for workspace in workspaces:
            events = _journalled(workspace)
            self.stdout.write(f"{workspace.slug}: replaying {events:,} events… ", ending="")
            self.stdout.flush()
            started = time.monotonic()
            if options["check"]:
                same, detail = self._check(workspace)
                seconds = time.monotonic() - started
                self.stdout.write(f"{detail} ({seconds:.1f} s)")
                if not same:
                    differing.append(workspace.slug)
                continue
            count = ledger.rebuild(workspace)
            seconds = time.monotonic() - started
            self.stdout.write(f"{count:,} contributions ({seconds:.1f} s)")
        if differing:
            raise CommandError(
                f"The replayed ledger differs from the one kept in: {', '.join(differing)}. "
                "Run `rapport recognition rebuild` to replace it."
            )

    def _check(self, workspace: Workspace) -> tuple[bool, str]:
        with transaction.atomic():
            kept = ledger.as_rows(workspace)
            ledger.rebuild(workspace)
            replayed = ledger.as_rows(workspace)
            transaction.set_rollback(True)
        if kept == replayed:
            return True, f"the same {len(kept):,} contributions"
        missing = len(set(kept) - set(replayed))
        extra = len(set(replayed) - set(kept))
        return False, (
            f"DIFFERENT: {len(kept):,} kept, {len(replayed):,} replayed "
            f"({missing:,} kept but not replayed, {extra:,} replayed but not kept)"
        )
