"""The contacts list (search, filters, pages, export of what is shown) and the import pages
(upload, dry-run report, custom columns, confirm, the size limit), escaping and tenancy."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rapport.contacts import actions
from rapport.contacts.models import Contact, ImportJob
from rapport.contacts.tests.conftest import FIXTURES
from rapport.core.roles import Role

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=["acme", *args])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_list_searches_filters_pages_and_escapes(owner, owner_client):
    for i in range(27):
        actions.create_contact(owner, name=f"Person {i:02d}", tier="gold" if i < 3 else "")
    actions.create_contact(owner, name="<b>Maya</b> Chen", email="maya@example.com")
    html = owner_client.get(_url("contacts")).content.decode()
    assert "28 contacts" in html
    assert "Page 1 of 2" in html
    assert "&lt;b&gt;Maya&lt;/b&gt; Chen" in html
    assert "<b>Maya</b>" not in html
    found = owner_client.get(_url("contacts"), {"q": "maya@"}).content.decode()
    assert "1 contact found" in found
    assert "Person 01" not in found
    gold = owner_client.get(_url("contacts"), {"tier": "gold"}).content.decode()
    assert "3 contacts" in gold
    fragment = owner_client.get(_url("contacts"), {"q": "zzz"}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text
    assert "No contact matches" in text
    bad = owner_client.get(_url("contacts"), {"tier": "diamond"}).content.decode()
    assert "Unknown tier" in bad


def test_list_links_to_the_profile(owner, owner_client):
    contact = actions.create_contact(owner, name="Maya Chen")
    html = owner_client.get(_url("contacts")).content.decode()
    assert f'href="{_url("contact", contact.pk)}"' in html


def test_export_respects_the_search(owner, owner_client):
    actions.create_contact(owner, name="Maya Chen", email="maya@example.com", phone="+441632960961")
    actions.create_contact(owner, name="Sam Okafor")
    response = owner_client.get(_url("contacts_export"), {"q": "maya", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Rapport ID", "Name", "First name"]
    assert [r[1] for r in rows[1:]] == ["Maya Chen"]
    vcf = owner_client.get(_url("contacts_export"), {"format": "vcard"})
    text = b"".join(vcf.streaming_content).decode()
    assert text.count("BEGIN:VCARD") == 2
    assert "TEL;TYPE=VOICE:+441632960961" in text


def test_upload_dry_run_report_then_import_valid_rows(
    owner, owner_client, immediate, django_capture_on_commit_callbacks
):
    page = owner_client.get(_url("contacts_import")).content.decode()
    assert "Salesforce Contacts (Contact.csv)" in page
    upload = SimpleUploadedFile(
        "Contact.csv", (FIXTURES / "salesforce_Contact_bad.csv").read_bytes(), "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            _url("contacts_import"), {"file": upload, "mapping": "salesforce-contacts"}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("contacts_import_job", job.pk)
    assert job.state == ImportJob.State.CHECKED
    report = owner_client.get(_url("contacts_import_job", job.pk)).content.decode()
    assert "&#x27;olivia.hart@&#x27; is not a valid email address." in report
    assert '<td class="num">5</td><td>Email</td>' in report
    assert "Import the valid rows, skip the 3 rows with errors" in report
    assert not Contact.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(_url("contacts_import_confirm", job.pk), {"valid_rows_only": "1"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Contact.objects.count() == 3
    done = owner_client.get(_url("contacts_import_job", job.pk)).content.decode()
    assert "these rows were skipped" in done
    errors = owner_client.get(_url("contacts_import_errors", job.pk))
    assert b"".join(errors.streaming_content).decode().count("\n") == 6


def test_progress_fragment_polls_while_running(owner, owner_client):
    job = ImportJob.objects.create(
        workspace=owner.workspace, filename="x.csv", mapping="vcard", state="running",
        total_rows=200, processed_rows=50, dry_run=False,
    )  # fmt: skip
    html = owner_client.get(
        _url("contacts_import_job", job.pk), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html
    assert "50 of 200 rows imported" in html


def test_custom_file_asks_for_its_columns(
    owner, owner_client, immediate, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile(
        "people.csv", b"Full name;E-mail\nMaya Chen;maya@example.com\n", "text/csv"
    )
    owner_client.post(_url("contacts_import"), {"file": upload, "mapping": "custom"})
    job = ImportJob.objects.get()
    page = owner_client.get(_url("contacts_import_job", job.pk)).content.decode()
    assert "Which column holds what?" in page
    assert '<option value="E-mail">E-mail</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            _url("contacts_import_columns", job.pk),
            {"col-name": "Full name", "col-email": "E-mail"},
        )
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED, job.message
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(_url("contacts_import_confirm", job.pk))
    assert Contact.objects.get().email == "maya@example.com"


def test_an_upload_over_the_limit_is_refused_before_reading(owner_client, settings):
    settings.RAPPORT_IMPORT_MAX_MB = 1
    response = owner_client.post(
        _url("contacts_import"),
        {"mapping": "vcard"},
        CONTENT_LENGTH=str(1024**3),  # a 1 GB upload announced
    )
    assert response.status_code == 413
    assert "an import takes at most 1.0 MB" in response.content.decode()
    big = SimpleUploadedFile("big.vcf", b"x" * (1024 * 1024 + 10), "text/vcard")
    response = owner_client.post(_url("contacts_import"), {"file": big, "mapping": "vcard"})
    assert response.status_code == 413
    assert not ImportJob.objects.exists()


def test_only_managers_import(acme, make_member, signed_in):
    client = signed_in(make_member(acme, Role.AGENT))
    upload = SimpleUploadedFile("c.vcf", b"BEGIN:VCARD\nEND:VCARD\n", "text/vcard")
    response = client.post(_url("contacts_import"), {"file": upload, "mapping": "vcard"})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_another_workspaces_import_is_missing(owner, globex, make_member, signed_in):
    job = ImportJob.objects.create(workspace=owner.workspace, filename="x.csv", mapping="vcard")
    other = signed_in(make_member(globex, Role.ADMIN))
    assert other.get(f"/w/globex/contacts/import/{job.pk}/").status_code == 404
    actions.create_contact(owner, name="Maya Chen")
    assert "Maya" not in other.get("/w/globex/contacts/").content.decode()


def test_the_row_errors_csv_runs_no_formula_from_the_file(owner, owner_client):
    """A column name or a value quoted back from the uploaded file is shown as text."""
    job = ImportJob.objects.create(
        workspace=owner.workspace, filename="x.csv", mapping="custom", state="checked",
        errors=[{"line": 2, "column": "=HYPERLINK(\"http://evil\")",
                 "reason": "@SUM(1) is not a valid email address."}],
    )  # fmt: skip
    response = owner_client.get(_url("contacts_import_errors", job.pk))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["line", "column", "reason"],
        ["2", '\'=HYPERLINK("http://evil")', "'@SUM(1) is not a valid email address."],
    ]


def test_the_contacts_csv_download_runs_no_formula(owner, owner_client):
    Contact.objects.create(workspace=owner.workspace, name="=1+1", source="@src", tags=["-x"])
    response = owner_client.get(_url("contacts_export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert (rows[0]["Name"], rows[0]["Source"], rows[0]["Tags"]) == ("'=1+1", "'@src", "'-x")
