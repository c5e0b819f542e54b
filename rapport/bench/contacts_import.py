"""Times `rapport contacts import` of N generated contacts, in Salesforce's Contact.csv format.

Writes a Contact.csv of N contacts (names, emails, phones, birthdates, countries, accounts)
to a temporary file, imports it into a new workspace bench-import-<timestamp> of the
configured database (DATABASE_URL), then imports a second edition of it that changes every
contact's title (so every row is a real update), and deletes the workspace unless --keep.
Generating the files is not counted. Wall and CPU seconds are both printed: on a busy machine
the wall time measures the queue for a core as much as the import.
"""

import csv
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection
from django.utils import timezone

from rapport.contacts.imports.engine import run_job
from rapport.contacts.imports.jobs import new_job
from rapport.contacts.models import Contact
from rapport.core.models import Workspace

HELP = "Import N generated Salesforce contacts twice (create, then update) and time both."
FIRST = ["Maya", "Sam", "Priya", "Ingrid", "Tom", "Ravi", "Nora", "Leo", "Adam", "Olivia", "José"]
LAST = ["Chen", "Okafor", "Nair", "Sorensen", "Becker", "Patel", "Blake", "Martins", "Reyes"]
COUNTRIES = [("United Kingdom", "07700 9{:05d}"), ("United States", "(212) 5{:06d}")]
HEADER = [
    "Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation", "Name", "MailingCity",
    "MailingCountry", "Phone", "MobilePhone", "Email", "Title", "Birthdate", "HasOptedOutOfEmail",
    "DoNotCall", "CreatedDate",
]  # fmt: skip


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--contacts", type=int, default=100_000, help="How many (100000).")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark workspace.")


def generate(path: Path, n: int, seed: int = 7, edition: int = 1) -> None:
    rnd = random.Random(seed)  # noqa: S311 - seeded test data, not secrets
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(n):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            country, phone = COUNTRIES[i % 2]
            writer.writerow(
                [
                    f"0035g{i:013d}",
                    "false",
                    f"0015g{i % 500:013d}",
                    last,
                    first,
                    "",
                    f"{first} {last}",
                    "London" if i % 2 == 0 else "New York",
                    country,
                    phone.format(i),  # every number differs: no cache helps
                    "",
                    f"{first}.{last}.{i}@example.com".lower().replace("é", "e"),
                    f"Customer, edition {edition}",
                    f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "true" if i % 10 == 0 else "false",
                    "false",
                    "2023-01-01T00:00:00.000Z",
                ]
            )


def run(log: Callable[[str], Any], *, contacts: int, keep: bool = False, **_: Any) -> dict:
    workspace = Workspace.objects.create(
        name="Import benchmark", slug=f"bench-import-{timezone.now():%Y%m%d%H%M%S}"
    )
    figures: dict[str, Any] = {"contacts": contacts}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "Contact.csv"
            for edition, label in enumerate(("first_import", "reimport"), start=1):
                generate(path, contacts, edition=edition)  # the re-import changes every row
                figures["file_mb"] = round(path.stat().st_size / 1024 / 1024, 1)
                job = new_job(
                    None,
                    workspace.pk,
                    filename=path.name,
                    mapping="salesforce-contacts",
                    dry_run=False,
                    valid_rows_only=False,
                )
                start, cpu = time.perf_counter(), time.process_time()
                run_job(job, path)
                seconds = time.perf_counter() - start
                figures[f"{label}_cpu_s"] = round(time.process_time() - cpu, 2)
                job.refresh_from_db()
                if job.state != "done":
                    raise RuntimeError(f"{label}: {job.message} {job.errors[:3]}")
                log(f"{label}: {job.message} in {seconds:.1f} s")
                figures[f"{label}_s"] = round(seconds, 2)
                figures[f"{label}_rows_per_s"] = round(contacts / seconds)
                figures[f"{label}_created"] = job.created_count
                figures[f"{label}_updated"] = job.updated_count
        figures["contacts_in_workspace"] = Contact.objects.filter(workspace=workspace).count()
        figures["database"] = connection.vendor
        # the machine's load: on a shared machine wall time (the *_s figures) grows with it,
        # CPU time (*_cpu_s, this process only) much less
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
        figures["cpus"] = os.cpu_count()
    finally:
        if not keep:
            Workspace.objects.filter(pk=workspace.pk).delete()
    return figures
