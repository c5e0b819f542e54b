"""`rapport contacts import/export/mappings` and the export formats: a round trip through CSV
and vCard gives back the same people."""

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from rapport.contacts import actions, export
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


def test_no_cell_of_the_csv_runs_as_a_formula(owner):
    """Stored values an older version let in (or a raw write) are defused in every column."""
    formula = "=cmd|' /C calc'!A0"
    text_fields = ("name", "first_name", "last_name", "email", "phone", "city", "country",
                   "language", "segment", "tier", "source", "external_id")  # fmt: skip
    limits = {f.name: f.max_length for f in Contact._meta.concrete_fields}
    values = {name: formula[: limits[name]] for name in text_fields}
    contact = Contact.objects.create(workspace=owner.workspace, **values, tags=[formula, "@vip"])
    out = io.StringIO()
    call_command("contacts", "export", "--workspace", "acme", stdout=out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["Rapport ID"] == str(contact.pk)
    for column, cell in row.items():
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (column, cell)
    assert row["Tags"] == "'" + formula + ",@vip"
    assert row["Language"] == "'" + values["language"]
    assert row["Country"] == "'=c"


def test_phones_and_negative_values_are_exported_as_typed(owner):
    contact = actions.create_contact(owner, name="Maya Chen", phone="+441632960961")
    Contact.objects.filter(pk=contact.pk).update(lifetime_value=-12.5)
    out = io.StringIO()
    call_command("contacts", "export", "--workspace", "acme", stdout=out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["Phone"], row["Lifetime value"]) == ("+441632960961", "-12.50")


def test_a_defused_csv_imports_back_as_it_was(owner, globex, tmp_path):
    actions.create_contact(owner, name="=Maya Chen", first_name="@Maya", last_name="-Chen",
                           city="'Tis", tags=["+vip"])  # fmt: skip
    path = tmp_path / "contacts.csv"
    call_command("contacts", "export", "--workspace", "acme", "-o", str(path),
                 stderr=io.StringIO())  # fmt: skip
    call_command("contacts", "import", str(path), "--mapping", "rapport",
                 "--workspace", "globex", stdout=io.StringIO())  # fmt: skip
    copy = Contact.objects.get(workspace=globex)
    assert (copy.name, copy.first_name, copy.last_name, copy.city, copy.tags) == (
        "=Maya Chen", "@Maya", "-Chen", "'Tis", ["+vip"])  # fmt: skip


def test_the_vcard_leaves_out_a_stored_javascript_website(owner):
    bad = Contact.objects.create(workspace=owner.workspace, name="Eve", website="javascript:x()")
    good = actions.create_contact(owner, name="Maya", website="https://maya.example")
    assert "URL:" not in export.vcard(bad, "acme")
    assert "URL:https://maya.example" in export.vcard(good, "acme")


def test_a_javascript_website_is_refused_naming_the_field(owner):
    for bad in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        with pytest.raises(ValidationError) as error:
            actions.create_contact(owner, name="Eve", website=bad)
        assert list(error.value.message_dict) == ["website"]
    maya = actions.create_contact(owner, name="Maya", website="maya.example")
    assert maya.website == "https://maya.example"
    with pytest.raises(ValidationError, match="not javascript:"):
        actions.update_contact(owner, maya, website="javascript:alert(1)")


def test_an_import_row_with_a_javascript_website_is_an_error_on_its_line(owner, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("Record ID,Email,First Name,Last Name,Website URL\r\n"
                    "1,eve@example.com,Eve,Doe,javascript:alert(1)\r\n"
                    "2,maya@example.com,Maya,Chen,maya.example\r\n")  # fmt: skip
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("contacts", "import", str(path), "--mapping", "hubspot-contacts",
                     "--workspace", "acme", "--dry-run",
                     stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert "line 2, column Website URL: The website must be an http:// or https:// address" in (
        err.getvalue()
    )


@pytest.mark.parametrize("sub", ["import", "export", "mappings"])
def test_each_subcommand_has_help(sub, capsys):
    with pytest.raises(SystemExit):
        call_command("contacts", sub, "--help")
    assert "usage:" in capsys.readouterr().out
