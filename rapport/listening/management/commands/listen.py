"""`rapport listen`: work with listening sources from the command line.

    rapport listen poll --source NAME [--workspace SLUG]   poll one source now, here
    rapport listen poll --due                              poll every due source now, here
    rapport listen schedule [--interval 30] [--once]       enqueue due polls for the workers

`schedule` is the scheduler: run one beside the workers (any number is safe, a source is claimed
before it is enqueued). Other subcommands (`import`) join the same parser.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.listening import sources
from rapport.listening.models import Source
from rapport.listening.tasks import enqueue_due_polls


class Command(BaseCommand):
    help = "Listening sources: poll them now, or schedule their polls for the workers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        poll = sub.add_parser("poll", help="Poll sources now, in this process.")
        which = poll.add_mutually_exclusive_group(required=True)
        which.add_argument("--source", help="The source's name (or id).")
        which.add_argument("--due", action="store_true", help="Every source that is due.")
        poll.add_argument("--workspace", help="The workspace's slug, when names repeat.")
        schedule = sub.add_parser("schedule", help="Enqueue due polls, every --interval seconds.")
        schedule.add_argument("--interval", type=float, default=30.0)
        schedule.add_argument("--once", action="store_true", help="Enqueue once, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "poll":
            self.poll(options)
        elif options["subcommand"] == "schedule":
            self.schedule(options["interval"], options["once"])

    def _find(self, name: str, workspace: str | None) -> Source:
        found = Source.objects.select_related("workspace")
        if workspace:
            found = found.filter(workspace__slug=workspace)
        matches = list(found.filter(name__iexact=name))
        if not matches and name.isdigit():
            matches = list(found.filter(pk=int(name)))
        if not matches:
            raise CommandError(f"No source called {name!r}; see the sources page or the API.")
        if len(matches) > 1:
            slugs = ", ".join(sorted(s.workspace.slug for s in matches))
            raise CommandError(
                f"{len(matches)} sources are called {name!r} ({slugs}): add --workspace."
            )
        return matches[0]

    def poll(self, options: dict[str, Any]) -> None:
        if options["due"]:
            targets = [s for s in sources.due_sources() if sources.claim(s)]
        else:
            targets = [self._find(options["source"], options.get("workspace"))]
        failed = 0
        for source in targets:
            outcome = sources.poll(source)
            if outcome.status == "ok" and outcome.received is not None:
                r = outcome.received
                self.stdout.write(
                    f"{source.name}: {len(r.created)} new, {r.updated} edited, {r.deleted} "
                    f"deleted, {r.duplicates} already stored, {r.quarantined} quarantined"
                )
            elif outcome.status == "skipped":
                self.stdout.write(f"{source.name}: skipped, {outcome.error}")
            else:
                failed += 1
                self.stderr.write(f"{source.name}: failed: {outcome.error}")
        if not targets:
            self.stdout.write("No source is due.")
        if failed:
            raise CommandError(f"{failed} of {len(targets)} source(s) failed; see above.")

    def schedule(self, interval: float, once: bool) -> None:
        while True:
            enqueued = enqueue_due_polls()
            if enqueued or once:
                self.stdout.write(f"Enqueued polls of {len(enqueued)} source(s).")
            if once:
                return
            time.sleep(max(1.0, interval))
