"""The demo's imports: Acme Bank's business banking CRM (Salesforce) brought in, and a later
export checked with a few bad rows waiting for "import the valid rows". Loaded before the demo's
customers, as the CRM imports page's history.

The files are written as Salesforce's Data Export writes them; the finished imports are real
runs of the importer, the checked one keeps its file so the page's button works.
"""

import csv
import io
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from rapport.contacts.imports.engine import run_job
from rapport.contacts.imports.jobs import file_name, new_job
from rapport.contacts.models import ImportJob
from rapport.core.models import Membership, Workspace

SOURCE = "salesforce"
ACCOUNTS = [
    ["Id", "Name", "Type", "Industry", "Website", "BillingCity", "BillingCountry",
     "NumberOfEmployees", "OwnerId"],
    ["001Dm00000Acme01AAA", "Greenfield Veterinary Practice", "Customer - Direct", "Healthcare",
     "https://www.greenfieldvets.example", "Leeds", "United Kingdom", "18", "005Dm00000Ow01AAA"],
    ["001Dm00000Acme02AAA", "Moorland Outdoor Gear Ltd", "Customer - Direct", "Retail",
     "moorlandgear.example", "Sheffield", "United Kingdom", "42", "005Dm00000Ow01AAA"],
    ["001Dm00000Acme03AAA", "Calder & Hume Architects", "Prospect", "Professional Services",
     "http://calderhume.example/about", "Edinburgh", "United Kingdom", "9", "005Dm00000Ow02AAA"],
]  # fmt: skip
CONTACT_HEADER = [
    "Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation", "Name", "MailingCity",
    "MailingCountry", "Phone", "MobilePhone", "Email", "Title", "Department", "LeadSource",
    "Birthdate", "HasOptedOutOfEmail", "DoNotCall", "CreatedDate",
]  # fmt: skip
CONTACTS = [
    ["003Dm00000Cust01AAA", "false", "001Dm00000Acme01AAA", "Whitaker", "Eleanor", "Dr.",
     "Eleanor Whitaker", "Leeds", "United Kingdom", "0113 496 0123", "",
     "e.whitaker@greenfieldvets.example", "Practice Owner", "", "Branch", "1979-04-22", "false",
     "false", "2021-03-02T10:00:00.000Z"],
    ["003Dm00000Cust02AAA", "false", "001Dm00000Acme01AAA", "Osei", "Kwame", "Mr.", "Kwame Osei",
     "Leeds", "United Kingdom", "", "07700 900771", "kwame.osei@greenfieldvets.example",
     "Practice Manager", "Finance", "Branch", "1986-11-09", "true", "false",
     "2021-03-02T10:05:00.000Z"],
    ["003Dm00000Cust03AAA", "false", "001Dm00000Acme02AAA", "Fairbairn", "Callum", "Mr.",
     "Callum Fairbairn", "Sheffield", "United Kingdom", "0114 496 0456", "",
     "callum@moorlandgear.example", "Managing Director", "", "Web", "1975-08-30", "false",
     "false", "2019-06-11T09:00:00.000Z"],
    ["003Dm00000Cust04AAA", "false", "001Dm00000Acme02AAA", "Nowak", "Agnieszka", "Ms.",
     "Agnieszka Nowak", "Sheffield", "United Kingdom", "", "07700 900772",
     "a.nowak@moorlandgear.example", "Finance Lead", "Finance", "Web", "", "false", "true",
     "2022-01-17T14:30:00.000Z"],
    ["003Dm00000Cust05AAA", "false", "001Dm00000Acme03AAA", "Hume", "Isla", "Ms.", "Isla Hume",
     "Edinburgh", "United Kingdom", "0131 496 0789", "", "isla@calderhume.example", "Partner",
     "", "Referral", "1983-02-14", "false", "false", "2024-02-01T11:00:00.000Z"],
]  # fmt: skip
LATER_ROWS = [
    ["003Dm00000Cust06AAA", "false", "001Dm00000Acme03AAA", "Calder", "Rory", "Mr.",
     "Rory Calder", "Edinburgh", "United Kingdom", "0131 496 0790", "", "rory@calderhume.example",
     "Partner", "", "Referral", "12/07/1980", "false", "false", "2024-05-20T09:00:00.000Z"],
    ["003Dm00000Cust07AAA", "false", "001Dm00000Acme02AAA", "Sato", "Yuki", "Ms.", "Yuki Sato",
     "Sheffield", "United Kingdom", "12345", "", "yuki.sato@moorlandgear", "Buyer", "", "Web",
     "31/02/1990", "false", "false", "2024-05-21T09:00:00.000Z"],
    ["003Dm00000Cust06AAA", "false", "001Dm00000Acme03AAA", "Calder", "Rory", "Mr.",
     "Rory Calder", "Edinburgh", "United Kingdom", "0131 496 0790", "", "rory@calderhume.example",
     "Partner", "", "Referral", "1980-07-12", "false", "false", "2024-05-20T09:00:00.000Z"],
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _run(
    workspace: Workspace, owner: Membership, filename: str, mapping: str, data: bytes, **kw: bool
) -> ImportJob:
    job = new_job(
        owner,
        workspace.pk,
        filename=filename,
        mapping=mapping,
        dry_run=kw.get("dry_run", False),
        valid_rows_only=False,
        source=SOURCE,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        run_job(job, path)
    if job.dry_run:  # kept, so "Import the valid rows" works from the demo's page
        default_storage.save(file_name(job), ContentFile(data))
    return job


def load(workspace: Workspace, owner: Membership) -> None:
    """Idempotent: skipped when the demo's Salesforce imports are there."""
    if ImportJob.objects.filter(workspace=workspace, filename="Account.csv").exists():
        return
    _run(workspace, owner, "Account.csv", "salesforce-accounts", _csv(ACCOUNTS))
    _run(workspace, owner, "Contact.csv", "salesforce-contacts", _csv([CONTACT_HEADER, *CONTACTS]))
    later = _csv([CONTACT_HEADER, *LATER_ROWS])
    _run(workspace, owner, "Contact (May).csv", "salesforce-contacts", later, dry_run=True)
