"""`rapport listen`: work with listening sources from the command line.

    rapport listen poll --source NAME [--workspace SLUG]   poll one source now, here
    rapport listen poll --due                              poll every due source now, here
    rapport listen schedule [--interval 30] [--once]       enqueue due polls for the workers
    rapport listen import FILE --source NAME               import posts from JSONL or CSV
    rapport listen stream --source NAME                    consume a source's live stream

`schedule` enqueues due polls on its own; every `rapport worker` already does it in its scheduler
(`listening.poll`), so run it only for cron or workers started with `--no-scheduler` (any number
is safe, a source is claimed before it is enqueued).
"""

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rapport.connectors.base import ConnectorError
from rapport.connectors.file.connector import FileConnector
from rapport.core import events
from rapport.listening import sources
from rapport.listening.ingest import Received, receive
from rapport.listening.models import Source
from rapport.listening.tasks import enqueue_due_polls


class Command(BaseCommand):
    help = (
        "Listening sources: poll them now, schedule their polls for the workers, or import "
        "posts from a file. `rapport listen <subcommand> --help` for each."
    )

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
        stream = sub.add_parser(
            "stream",
            help="Consume a source's live stream (run one process per streaming source).",
            description=(
                "Consume a streaming source (Mastodon streaming, Bluesky Jetstream): only posts "
                "that match the workspace's listening queries are stored; the position is kept "
                "so a restart resumes; failures are shown on the source's health and retried. "
                "Stops when the source is paused."
            ),
        )
        stream.add_argument("--source", required=True, help="The source's name (or id).")
        stream.add_argument("--workspace", help="The workspace's slug, when names repeat.")
        stream.add_argument(
            "--max-batches", type=int, help="Stop after this many batches (default: never)."
        )
        imp = sub.add_parser(
            "import",
            help="Import posts from a JSONL or CSV file into a source.",
            description=(
                "Import posts from a JSONL or CSV file (one post per line or row, in the webhook's "
                "item format; see rapport/connectors/file/connector.py). Posts already stored are "
                "skipped, so an interrupted import can simply be run again. Lines that cannot be "
                "read are quarantined with their line number."
            ),
        )
        imp.add_argument("file", type=Path, help="The .jsonl or .csv file.")
        imp.add_argument("--source", required=True, help="The source to import into (name or id).")
        imp.add_argument("--workspace", help="The workspace's slug, when names repeat.")
        imp.add_argument("--format", choices=["jsonl", "csv"], help="Default: from the extension.")
        imp.add_argument("--batch-size", type=int, default=1000, help="Posts per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "poll":
            self.poll(options)
        elif options["subcommand"] == "schedule":
            self.schedule(options["interval"], options["once"])
        elif options["subcommand"] == "import":
            self.import_file(options)
        elif options["subcommand"] == "stream":
            self.stream(options)

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
                    f"deleted, {r.duplicates} already stored, {r.repeated} repeated, "
                    f"{r.quarantined} quarantined"
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

    def import_file(self, options: dict[str, Any]) -> None:
        source = self._find(options["source"], options.get("workspace"))
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            reader = FileConnector().read(
                options["file"], batch_size=options["batch_size"], format=options["format"]
            )
        except ConnectorError as e:
            raise CommandError(str(e)) from None
        total = Received()
        with tqdm(
            total=reader.total,
            unit="B",
            unit_scale=True,
            desc=options["file"].name,
            file=sys.stderr,
            disable=None,
        ) as bar:
            try:
                # An import needs no worker and is done when it says so: what reacts to the
                # posts (the inbox) runs here too.
                with events.inline():
                    for batch in reader:
                        total.merge(receive(source.workspace, batch, source=source))
                        bar.update(reader.position - bar.n)
            except ConnectorError as e:
                raise CommandError(f"{e} (posts before this point are stored)") from None
        rows = "lines" if reader.format == "jsonl" else "rows"
        blank = f" ({reader.blank} blank {rows} skipped)" if reader.blank else ""
        self.stdout.write(
            f"Imported {options['file'].name} into {source.name}: {reader.records} {rows} read"
            f"{blank}: {len(total.created)} new, {total.updated} edited, {total.deleted} "
            f"deleted, {total.duplicates} already stored, {total.repeated} replaced by a later "
            f"{rows[:-1]} with the same id, {total.quarantined} quarantined."
        )

    def stream(self, options: dict[str, Any]) -> None:
        from rapport.listening import streams

        source = self._find(options["source"], options.get("workspace"))
        if not streams.streams(source):
            raise CommandError(
                f"{source.name} is a {source.connector} source, which has no stream."
            )
        self.stdout.write(f"Streaming {source.name}; pause the source to stop.")
        run = streams.consume(source, max_batches=options["max_batches"])
        self.stdout.write(
            f"{source.name}: {run.batches} batches, {run.heard} posts heard, "
            f"{len(run.received.created)} stored, {run.failures} failures."
        )
