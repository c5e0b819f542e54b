import codecs
import datetime
from decimal import Decimal

import pytest

from rapport.contacts.models import (
    Consent,
    Contact,
    ImportJob,
    Order,
    OrderLine,
    Organization,
    Product,
)
from rapport.contacts.tests.conftest import FIXTURES
from rapport.core.models import AuditEvent

SF_HEADER = '"Id","FirstName","LastName","Email","Phone","MailingCountry","Birthdate"'


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _snapshot(workspace):
    return sorted(
        Contact.objects.filter(workspace=workspace).values_list(
            "id", "external_id", "name", "email_key", "phone", "birth_date", "organization_id"
        )
    )


def test_a_salesforce_export_imported_twice_gives_the_same_contacts(run_import, manager):
    first = run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    assert first.state == ImportJob.State.DONE, first.message
    assert (first.created_count, first.updated_count) == (6, 0)
    before = _snapshot(manager.workspace)
    second = run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    assert (second.created_count, second.updated_count) == (0, 6)
    assert _snapshot(manager.workspace) == before
    maya = Contact.objects.get(external_id="0035g00000F1aBcAAF")
    assert (maya.first_name, maya.last_name, maya.source) == ("Maya", "Chen", "salesforce")
    assert maya.phone == "+442079460958"
    assert maya.country == "GB"
    assert maya.birth_date == datetime.date(1988, 3, 14)
    assert maya.attributes["job_title"] == "Treasury Analyst"
    # the opt-outs in the file are consent records, appended once however often it is imported
    assert sorted(Consent.objects.values_list("contact__last_name", "channel", "granted")) == [
        ("Okafor", "email", False),
        ("Sørensen", "phone", False),
    ]
    assert AuditEvent.objects.filter(verb="contact.import").count() == 2


def test_a_changed_reimport_updates_in_place(run_import, tmp_path):
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    text = (FIXTURES / "salesforce_Contact.csv").read_text("utf-8")
    changed = _write(tmp_path, "Contact.csv", text.replace('"Leeds"', '"York"'))
    job = run_import(changed, "salesforce-contacts")
    assert job.state == ImportJob.State.DONE
    assert Contact.objects.count() == 6
    assert Contact.objects.get(last_name="Patel").city == "York"


def test_a_dry_run_lists_every_bad_row_with_line_and_column_and_writes_nothing(run_import):
    job = run_import(FIXTURES / "salesforce_Contact_bad.csv", "salesforce-contacts", dry_run=True)
    assert job.state == ImportJob.State.CHECKED
    found = {(e["line"], e["column"]) for e in job.errors}
    assert found == {
        (5, "Email"),
        (5, "Phone"),
        (5, "Birthdate"),
        (6, "Id"),
        (7, "LastName"),
    }
    reasons = {(e["line"], e["column"]): e["reason"] for e in job.errors}
    assert "not a valid email" in reasons[5, "Email"]
    assert "not a real date" in reasons[5, "Birthdate"]
    assert "duplicate external id '0035g00000F1aBdAAF'" in reasons[6, "Id"]
    assert "first on line 3" in reasons[6, "Id"]
    assert job.error_count == 5
    assert not Contact.objects.exists()


def test_a_real_run_with_errors_imports_nothing(run_import):
    job = run_import(FIXTURES / "salesforce_Contact_bad.csv", "salesforce-contacts")
    assert job.state == ImportJob.State.FAILED
    assert "Nothing was imported" in job.message
    assert len(job.errors) == 5
    assert not Contact.objects.exists()


def test_valid_rows_only_imports_those_and_lists_the_skipped(run_import):
    job = run_import(
        FIXTURES / "salesforce_Contact_bad.csv", "salesforce-contacts", valid_rows_only=True
    )
    assert job.state == ImportJob.State.DONE
    assert job.created_count == 3
    assert "3 row(s) with errors were skipped" in job.message
    assert {e["line"] for e in job.errors} == {5, 6, 7}
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == [
        "Chen",
        "Okafor",
        "Sørensen",
    ]


def test_a_semicolon_separated_file_is_read_as_such(run_import, tmp_path):
    path = _write(
        tmp_path,
        "semi.csv",
        "Id;FirstName;LastName;Email\n001;Maya;Chen;maya@example.com\n002;Sam;Okafor;\n",
    )
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.DONE, job.message
    assert "semicolon-separated" in job.message
    assert Contact.objects.count() == 2


def test_a_header_that_reads_as_one_column_names_the_likely_delimiter(run_import, tmp_path):
    path = _write(tmp_path, "colon.csv", "Id:FirstName:LastName\n001:Maya:Chen\n")
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.FAILED
    assert "Missing required column(s)" in job.message
    assert "'Id'" in job.message
    assert not Contact.objects.exists()


def test_missing_required_columns_are_named(run_import, tmp_path):
    path = _write(tmp_path, "c.csv", "FirstName,Email\nMaya,maya@example.com\n")
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.FAILED
    assert "Missing required column(s) for Salesforce Contacts" in job.message
    assert "'Id'" in job.message
    assert "'LastName'" in job.message
    assert "'FirstName', 'Email'" in job.message


def test_a_windows_1252_file_is_read_with_a_note(run_import, tmp_path):
    path = _write(tmp_path, "c.csv", f"{SF_HEADER}\n1,Ingrid,Sørensen,,,,\n", encoding="cp1252")
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.DONE, job.message
    assert "not UTF-8" in job.message
    assert Contact.objects.get().last_name == "Sørensen"


def test_utf16_and_bom_files_are_read(run_import, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + f"{SF_HEADER}\n1,José,Álvarez,,,,\n".encode("utf-16-le"))
    assert run_import(path, "salesforce-contacts").state == ImportJob.State.DONE
    path.write_bytes(codecs.BOM_UTF8 + f"{SF_HEADER}\n1,José,Álvarez,,,,\n".encode())
    assert run_import(path, "salesforce-contacts").state == ImportJob.State.DONE
    assert Contact.objects.get().name == "José Álvarez"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"PK\x03\x04rest of a zip", "Excel (.xlsx)"), (b"Id,Name\x00\x01\x02", "binary data")],
)
def test_binary_files_are_refused_by_name(run_import, tmp_path, content, reason):
    path = tmp_path / "c.csv"
    path.write_bytes(content)
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.FAILED
    assert reason in job.message


def test_mixed_date_formats_follow_the_columns_unambiguous_rows(run_import, tmp_path):
    path = _write(
        tmp_path,
        "c.csv",
        f"{SF_HEADER}\n"
        "1,A,One,,,,1990-03-14\n"
        "2,B,Two,,,,25/12/1980\n"
        "3,C,Three,,,,05/06/1991\n"
        "4,D,Four,,,,3 Mar 1990\n"
        "5,E,Five,,,,\n",
    )
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.DONE, job.errors
    dates = dict(Contact.objects.values_list("last_name", "birth_date"))
    assert dates == {
        "One": datetime.date(1990, 3, 14),
        "Two": datetime.date(1980, 12, 25),
        "Three": datetime.date(1991, 6, 5),  # day first, like row 2
        "Four": datetime.date(1990, 3, 3),
        "Five": None,
    }


def test_an_ambiguous_date_without_a_hint_is_an_error_on_its_line(run_import, tmp_path):
    path = _write(
        tmp_path,
        "c.csv",
        f"{SF_HEADER}\n1,A,One,,,,05/06/1991\n2,B,Two,,,,25/12/1980\n3,C,Three,,,,12/25/1980\n",
    )
    job = run_import(path, "salesforce-contacts", dry_run=True)
    assert [(e["line"], e["column"]) for e in job.errors] == [(2, "Birthdate")]
    assert "ambiguous" in job.errors[0]["reason"]


def test_a_file_over_the_size_limit_is_refused_before_reading(run_import, tmp_path, settings):
    settings.RAPPORT_IMPORT_MAX_MB = 0.001  # about 1 KB
    path = _write(tmp_path, "big.csv", SF_HEADER + "\n" + "1,A,B,,,,\n" * 500)
    job = run_import(path, "salesforce-contacts")
    assert job.state == ImportJob.State.FAILED
    assert "an import takes at most 1.0 KB" in job.message
    assert job.total_rows == 0


def test_a_row_with_a_stray_delimiter_is_an_error(run_import, tmp_path):
    path = _write(tmp_path, "c.csv", f"{SF_HEADER}\n1,A,One,,,,\n2,B,Two,x,,,,,\n")
    job = run_import(path, "salesforce-contacts", dry_run=True)
    assert job.errors[0]["line"] == 3
    assert "has 9 values where the header names 7 columns" in job.errors[0]["reason"]


def test_salesforce_accounts_link_contacts_imported_before_them(run_import):
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    job = run_import(FIXTURES / "salesforce_Account.csv", "salesforce-accounts")
    assert job.state == ImportJob.State.DONE
    northwind = Organization.objects.get(external_id="0015g00000Xa1QzAAJ")
    assert northwind.domain == "northwind.example"
    assert northwind.attributes["employees"] == "240"
    assert Contact.objects.get(last_name="Chen").organization == northwind
    assert Contact.objects.filter(organization__isnull=True).count() == 1  # Ravi has no account


def test_won_opportunities_become_orders_and_cases_are_imported(run_import):
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    run_import(FIXTURES / "salesforce_Account.csv", "salesforce-accounts")
    for _ in range(2):
        opps = run_import(FIXTURES / "salesforce_Opportunity.csv", "salesforce-opportunities")
        cases = run_import(FIXTURES / "salesforce_Case.csv", "salesforce-cases")
    assert opps.state == cases.state == ImportJob.State.DONE
    assert "2 row(s) left out on purpose" in opps.message
    orders = dict(Order.objects.values_list("external_id", "total"))
    assert orders == {
        "0065g00000K9xYzAAJ": Decimal("245000.00"),
        "0065g00000K9xZ0AAJ": Decimal("18000.50"),
    }
    maya = Contact.objects.get(last_name="Chen")
    assert maya.lifetime_value == Decimal("245000.00")
    # the account-only opportunity went to the account's first contact, Leo
    assert Order.objects.get(external_id="0065g00000K9xZ0AAJ").contact.last_name == "Martins"
    assert (cases.created_count, cases.updated_count) == (0, 2)  # the second run updates


def test_an_opportunity_for_an_unknown_contact_is_a_row_error(run_import):
    job = run_import(FIXTURES / "salesforce_Opportunity.csv", "salesforce-opportunities")
    assert job.state == ImportJob.State.FAILED
    assert {e["column"] for e in job.errors} == {"ContactId", "AccountId"}
    assert "import the contacts first" in job.errors[0]["reason"]


def test_hubspot_contacts(run_import):
    job = run_import(FIXTURES / "hubspot_contacts.csv", "hubspot-contacts")
    assert job.state == ImportJob.State.DONE, job.errors
    adam = Contact.objects.get(external_id="53")
    assert adam.source == "hubspot"
    assert adam.email_key == "adam.reyes@example.com"
    assert adam.segment == "Opportunity"
    assert adam.organization is not None
    assert adam.organization.name == "Contoso Capital"
    tom = Contact.objects.get(external_id="52")
    assert tom.phone == "+4915123456789"
    assert tom.country == "DE"
    assert tom.attributes["lead_status"] == "New"
    assert run_import(FIXTURES / "hubspot_contacts.csv", "hubspot-contacts").created_count == 0
    assert Contact.objects.count() == 3


def test_vcards_with_and_without_uid(run_import):
    job = run_import(FIXTURES / "contacts.vcf", "vcard")
    assert job.state == ImportJob.State.DONE, job.errors
    maya = Contact.objects.get(last_name="Chen")
    assert maya.external_id == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert maya.city == "London"
    assert maya.organization is not None
    assert maya.organization.name == "Northwind Traders"
    assert maya.bio == "Met at the branch, asked about ISAs."
    jose = Contact.objects.get(email="jose.alvarez@example.es")
    assert (jose.first_name, jose.last_name, jose.external_id) == ("José", "Álvarez", "")
    assert jose.tags == ["vip", "madrid"]
    assert jose.phone == "+34911234567"
    again = run_import(FIXTURES / "contacts.vcf", "vcard")
    assert (again.created_count, again.updated_count) == (0, 2)
    assert Contact.objects.count() == 2


def test_a_broken_vcard_is_a_row_error_on_its_line(run_import, tmp_path):
    path = _write(
        tmp_path,
        "c.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ok Person\nEMAIL:ok@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\n",
    )
    job = run_import(path, "vcard", dry_run=True)
    assert job.total_rows == 2
    assert job.errors[0]["line"] == 6
    assert "never ends" in job.errors[0]["reason"]


def test_orders_from_an_erp_csv(run_import):
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    for _ in range(2):
        job = run_import(FIXTURES / "orders.csv", "orders")
        assert job.state == ImportJob.State.DONE, job.errors
    assert Order.objects.count() == 3
    assert OrderLine.objects.count() == 4
    assert Product.objects.count() == 3
    so1 = Order.objects.get(external_id="SO-1001")
    assert so1.total == Decimal("144.00")
    assert so1.contact.last_name == "Chen"
    # found by email, through the Gmail rule: sam.okafor+bank@ is sam.okafor@
    assert Order.objects.get(external_id="SO-1002").contact.last_name == "Okafor"
    # a cancelled order does not count towards lifetime value
    assert Order.objects.get(external_id="SO-1003").status == "cancelled"
    assert Contact.objects.get(last_name="Martins").lifetime_value == Decimal("0")
    assert Contact.objects.get(last_name="Chen").lifetime_value == Decimal("144.00")


def test_orders_with_bad_rows(run_import, tmp_path):
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    path = _write(
        tmp_path,
        "o.csv",
        "order id,customer external id,date,product sku,quantity,unit price,currency,status\n"
        "A1,0035g00000F1aBcAAF,2024-01-02,SKU1,1,10.00,GBP,paid\n"
        "A1,0035g00000F1aBcAAF,2024-01-02,SKU1,1,10.00,GBP,paid\n"
        "A1,0035g00000F1aBdAAF,2024-01-02,SKU2,1,10.00,GBP,paid\n"
        "A2,nobody,2024-01-02,SKU1,two,£1,GB,lost\n",
    )
    job = run_import(path, "orders", dry_run=True)
    found = {(e["line"], e["column"]) for e in job.errors}
    assert found == {
        (3, "product sku"),
        (4, "order id"),
        (5, "quantity"),
        (5, "currency"),
        (5, "status"),
        (5, "customer external id"),
    }


def test_a_custom_mapping_matches_by_email(run_import, tmp_path):
    path = _write(
        tmp_path, "people.csv", "Full name,E-mail,Tel\nMaya Chen,maya@example.com,020 7946 0958\n"
    )
    columns = {"name": "Full name", "email": "E-mail", "phone": "Tel"}
    job = run_import(path, "custom", columns=columns, source="event-list")
    assert job.state == ImportJob.State.DONE, job.message
    run_import(path, "custom", columns=columns, source="event-list")
    maya = Contact.objects.get()
    assert (maya.first_name, maya.last_name, maya.source) == ("Maya", "Chen", "event-list")


def test_another_workspace_is_untouched(run_import, globex, make_member, manager):
    other = make_member(globex, "manager")
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts", member=other)
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    assert Contact.objects.filter(workspace=globex).count() == 6
    assert Contact.objects.filter(workspace=manager.workspace).count() == 6


def test_a_csv_given_as_vcard_or_an_empty_file_says_so(run_import, tmp_path):
    path = _write(tmp_path, "c.csv", f"{SF_HEADER}\n1,A,One,,,,\n")
    assert "No vCard" in run_import(path, "vcard").message
    assert (
        "no rows" in run_import(_write(tmp_path, "h.csv", SF_HEADER), "salesforce-contacts").message
    )
    assert "empty" in run_import(_write(tmp_path, "e.csv", ""), "salesforce-contacts").message


def _row_counts(message: str) -> tuple[int, int, int, int]:
    """(read, imported, skipped with errors, left out on purpose) from a finished job's message."""
    import re

    def number(pattern: str) -> int:
        found = re.search(pattern, message)
        return int(found.group(1)) if found else 0

    return (
        number(r"(\d+) row\(s\) read"),
        number(r"(\d+) imported"),
        number(r"(\d+) row\(s\) with errors were skipped"),
        number(r"(\d+) row\(s\) left out on purpose"),
    )


@pytest.mark.django_db
def test_the_summary_accounts_for_every_row_errors_and_repeats_included(run_import):
    """A repeated id is an error on its later row: every row is imported or skipped, once."""
    job = run_import(
        FIXTURES / "salesforce_Contact_bad.csv", "salesforce-contacts", valid_rows_only=True
    )
    read, imported, with_errors, left_out = _row_counts(job.message)
    assert (read, imported, with_errors, left_out) == (6, 3, 3, 0), job.message
    assert imported + with_errors + left_out == read == job.total_rows


@pytest.mark.django_db
def test_the_summary_of_orders_and_opportunities_counts_rows_not_orders(run_import):
    run_import(FIXTURES / "salesforce_Contact.csv", "salesforce-contacts")
    for fixture, mapping in (
        ("orders.csv", "orders"),
        ("salesforce_Opportunity.csv", "salesforce-opportunities"),
    ):
        job = run_import(FIXTURES / fixture, mapping, valid_rows_only=True)
        read, imported, with_errors, left_out = _row_counts(job.message)
        assert read == 4, job.message
        assert imported + with_errors + left_out == read, job.message
