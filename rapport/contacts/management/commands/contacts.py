"""`rapport contacts`: import and export contacts from the command line.

    rapport contacts import FILE --mapping NAME [--dry-run] [--valid-rows-only]
                            [--workspace SLUG] [--source NAME] [--column FIELD=COLUMN ...]
    rapport contacts export --format csv|vcard [--workspace SLUG] [-o FILE] [--q SEARCH]
    rapport contacts mappings                                the preset mappings

An import runs here, inline, with a progress bar; the job is kept, so the web page lists it.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from rapport.contacts import export
from rapport.contacts.imports.engine import Progress, run_job
from rapport.contacts.imports.jobs import new_job
from rapport.contacts.imports.mappings import CONTACT_IMPORT_FIELDS, PRESETS
from rapport.contacts.models import Contact, ImportJob
from rapport.contacts.selectors import filter_contacts
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role


def _workspace(slug: str | None) -> Workspace:
    if slug:
        found = Workspace.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No workspace {slug!r}.")
        return found
    workspaces = list(Workspace.objects.order_by("id")[:2])
    if len(workspaces) != 1:
        raise CommandError(
            "Say which workspace with --workspace SLUG"
            + (" (there are several)." if workspaces else " (there is none yet).")
        )
    return workspaces[0]


class Command(BaseCommand):
    help = (
        "Contacts: import a CRM/ERP export, export contacts to CSV or vCard, list the import "
        "mappings. `rapport contacts <subcommand> --help` for each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import",
            help="Import a CSV or vCard file with a mapping.",
            description=(
                "Import contacts, accounts, orders or cases from a file. Every row is checked "
                "first; with errors nothing is written (each error is printed with its line and "
                "column) unless --valid-rows-only. Re-importing a file updates the rows it "
                "imported before (by source and external id), never duplicates them."
            ),
        )
        imp.add_argument("file", type=Path, help="The .csv or .vcf file.")
        imp.add_argument(
            "--mapping",
            required=True,
            choices=sorted(PRESETS),
            help="How the file's columns map to fields (see `rapport contacts mappings`).",
        )
        imp.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        imp.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="Import the rows without errors and list the others (default: all or nothing).",
        )
        imp.add_argument(
            "--workspace", help="The workspace's slug (needed when there are several)."
        )
        imp.add_argument(
            "--source",
            help="The source system rows are keyed by (default: the mapping's, e.g. salesforce).",
        )
        imp.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=(
                "For --mapping custom: which column holds a field, e.g. --column email='E-mail'. "
                f"Fields: {', '.join(CONTACT_IMPORT_FIELDS)}."
            ),
        )
        exp = sub.add_parser(
            "export",
            help="Export contacts to CSV or vCard.",
            description="Export the workspace's contacts (merged ones left out), streamed.",
        )
        exp.add_argument("--format", choices=["csv", "vcard"], default="csv")
        exp.add_argument(
            "--workspace", help="The workspace's slug (needed when there are several)."
        )
        exp.add_argument("-o", "--output", type=Path, help="The file to write (default: stdout).")
        exp.add_argument("--q", default="", help="Only contacts this search finds.")
        sub.add_parser(
            "mappings",
            help="List the preset import mappings.",
            description="The preset mappings `rapport contacts import --mapping` accepts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "mappings":
            self.mappings()
        elif command == "import":
            self.import_file(options)
        elif command == "export":
            self.export(options)

    def mappings(self) -> None:
        for mapping in PRESETS.values():
            self.stdout.write(f"{mapping.name:26} {mapping.label}")
            if mapping.help:
                self.stdout.write(f"{'':26} {mapping.help}")

    def import_file(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        workspace = _workspace(options.get("workspace"))
        columns = {}
        for pair in options["column"]:
            field, sep, column = pair.partition("=")
            if not sep:
                raise CommandError(f"--column {pair!r}: write it as FIELD=COLUMN.")
            columns[field.strip()] = column.strip()
        try:
            job = new_job(
                None,
                workspace.pk,
                filename=path.name,
                mapping=options["mapping"],
                dry_run=options["dry_run"],
                valid_rows_only=options["valid_rows_only"],
                columns=columns,
                source=options.get("source") or "",
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        bar = tqdm(total=0, unit="row", file=sys.stderr, disable=None)

        def progress(p: Progress) -> None:
            bar.set_description(p.phase)
            bar.total = p.total
            bar.n = p.done
            bar.refresh()

        try:
            run_job(job, path, on_progress=progress)
        finally:
            bar.close()
        job.refresh_from_db()
        for error in job.errors:
            self.stderr.write(f"line {error['line']}, column {error['column']}: {error['reason']}")
        self.stdout.write(job.message)
        if job.state == ImportJob.State.FAILED or (job.dry_run and job.error_count):
            raise CommandError(
                f"{job.error_count} error(s)." if job.error_count else "The import failed."
            )

    def export(self, options: dict[str, Any]) -> None:
        workspace = _workspace(options.get("workspace"))
        qs = Contact.objects.filter(workspace=workspace, merged_into__isnull=True)
        if options["q"]:
            owner = Membership.objects.filter(workspace=workspace, role=Role.OWNER).first()
            if owner is None:
                raise CommandError("The workspace has no owner to search as.")
            try:
                qs = filter_contacts(owner, q=options["q"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        lines = (
            export.csv_lines(qs)
            if options["format"] == "csv"
            else export.vcard_lines(qs, workspace.slug)
        )
        if options.get("output"):
            with options["output"].open("w", encoding="utf-8", newline="") as handle:
                count = export.write(lines, handle)
            what = count - 1 if options["format"] == "csv" else count
            self.stderr.write(f"Exported {what} contact(s) to {options['output']}.")
        else:
            for line in lines:
                self.stdout.write(line, ending="")
