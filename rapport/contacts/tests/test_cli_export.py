"""`rapport contacts import/export/mappings` and the export formats: a round trip through CSV
and vCard gives back the same people."""

import csv
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from rapport.contacts import actions
from rapport.contacts.models import Contact, ImportJob
from rapport.contacts.tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

PEOPLE: list[dict[str, Any]] = [
    {"name": "Maya Chen", "email": "maya@example.com", "phone": "+441632960961",
     "birth_date": "1988-03-14", "city": "London", "country": "GB", "tier": "gold",
     "tags": ["vip", "mortgage"]},
    {"name": "José Álvarez", "email": "jose@example.es", "city": "Madrid", "country": "ES"},
    {"name": "Ingrid Sørensen, PhD", "first_name": "Ingrid", "last_name": "Sørensen",
     "bio": "Line one\nline two; with, commas"},
]  # fmt: skip
FIELDS = ["name", "first_name", "last_name", "email", "phone", "birth_date", "city", "country"]


def _people(workspace):
    return sorted(
        tuple(str(v) for v in row)
        for row in Contact.objects.filter(workspace=workspace).values_list(*FIELDS)
    )


@pytest.fixture
def filled(owner):
    for person in PEOPLE:
        actions.create_contact(owner, **person)
    return owner


def test_mappings_lists_the_presets():
    out = io.StringIO()
    call_command("contacts", "mappings", stdout=out)
    text = out.getvalue()
    for name in ("salesforce-contacts", "hubspot-contacts", "vcard", "orders", "custom"):
        assert name in text


def test_import_prints_errors_with_line_and_column_and_fails(acme):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="5 error"):
        call_command(
            "contacts", "import", str(FIXTURES / "salesforce_Contact_bad.csv"),
            "--mapping", "salesforce-contacts", "--dry-run", "--workspace", "acme",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert "line 6, column Id: duplicate external id" in err.getvalue()
    assert not Contact.objects.exists()
    call_command(
        "contacts", "import", str(FIXTURES / "salesforce_Contact_bad.csv"),
        "--mapping", "salesforce-contacts", "--valid-rows-only", "--source", "sfdc",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert Contact.objects.filter(source="sfdc").count() == 3
    assert ImportJob.objects.filter(state="done").count() == 1


def test_import_refuses_unknown_workspace_and_missing_file(acme, tmp_path):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("contacts", "import", str(FIXTURES / "contacts.vcf"), "--mapping", "vcard",
                     "--workspace", "nope")  # fmt: skip
    with pytest.raises(CommandError, match="No file"):
        call_command("contacts", "import", str(tmp_path / "x.csv"), "--mapping", "vcard")


def test_csv_export_imports_back_into_another_workspace(filled, globex, tmp_path):
    path = tmp_path / "contacts.csv"
    call_command("contacts", "export", "--workspace", "acme", "-o", str(path),
                 stderr=io.StringIO())  # fmt: skip
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 3
    assert {r["Tags"] for r in rows} >= {"vip,mortgage"}
    for _ in range(2):
        call_command("contacts", "import", str(path), "--mapping", "rapport",
                     "--workspace", "globex", stdout=io.StringIO())  # fmt: skip
    assert _people(globex) == _people(filled.workspace)
    maya = Contact.objects.get(workspace=globex, email="maya@example.com")
    assert (maya.tier, maya.tags) == ("gold", ["vip", "mortgage"])


def test_vcard_export_imports_back(filled, globex, tmp_path):
    path = tmp_path / "contacts.vcf"
    call_command("contacts", "export", "--format", "vcard", "--workspace", "acme",
                 "-o", str(path), stderr=io.StringIO())  # fmt: skip
    text = path.read_bytes().decode("utf-8")
    assert text.count("BEGIN:VCARD") == 3
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    call_command("contacts", "import", str(path), "--mapping", "vcard", "--workspace", "globex",
                 stdout=io.StringIO())  # fmt: skip
    assert _people(globex) == _people(filled.workspace)
    ingrid = Contact.objects.get(workspace=globex, last_name="Sørensen")
    assert ingrid.bio == "Line one\nline two; with, commas"


def test_export_to_stdout_respects_the_search(filled):
    out = io.StringIO()
    call_command("contacts", "export", "--workspace", "acme", "--q", "maya", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert "Maya Chen" in lines[1]


def test_a_formula_in_a_name_is_defused_in_the_csv(owner):
    actions.create_contact(owner, name='=HYPERLINK("http://evil")', email="x@example.com")
    out = io.StringIO()
    call_command("contacts", "export", "--workspace", "acme", stdout=out)
    assert "'=HYPERLINK" in out.getvalue()


@pytest.mark.parametrize("sub", ["import", "export", "mappings"])
def test_each_subcommand_has_help(sub, capsys):
    with pytest.raises(SystemExit):
        call_command("contacts", sub, "--help")
    assert "usage:" in capsys.readouterr().out
