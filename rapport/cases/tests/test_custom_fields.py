"""Custom fields per case type: the schema is checked when saved, fields when a case is."""

import pytest
from django.core.exceptions import ValidationError

from rapport.cases import actions, custom_fields
from rapport.cases.models import Case, CaseType

SCHEMA = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "title": "Amount (€)", "minimum": 0},
        "account_number": {"type": "string", "title": "Account number", "pattern": "^[0-9]{8}$"},
        "channel": {"enum": ["phone", "branch", "social"]},
        "urgent": {"type": "boolean"},
    },
    "required": ["amount"],
    "additionalProperties": False,
}


@pytest.fixture
def dispute(owner) -> CaseType:
    return actions.create_case_type(owner, name="Payment dispute", schema=SCHEMA)


def test_a_case_saves_fields_that_fit_the_schema(owner, dispute):
    case = actions.create_case(
        owner,
        subject="Charged twice",
        case_type=dispute,
        custom_fields={"amount": 620, "account_number": "12345678"},
    )
    actions.update_case(owner, case, custom_fields={"amount": 620.5, "channel": "social"})
    assert Case.objects.get(pk=case.pk).custom_fields == {"amount": 620.5, "channel": "social"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, r"Amount \(€\) \(amount\) is required"),
        ({"amount": "lots"}, r"Amount \(€\) \(amount\): 'lots' is not of type 'number'"),
        ({"amount": -5}, r"amount\): -5 is less than the minimum of 0"),
        ({"amount": 1, "account_number": "12"}, r"Account number \(account_number\): '12' does"),
        ({"amount": 1, "colour": "red"}, "'colour' was unexpected"),
        ({"amount": 1, "channel": "fax"}, r"channel: 'fax' is not one of"),
    ],
)
def test_a_field_that_breaks_the_schema_is_named_and_nothing_is_saved(
    owner, dispute, fields, message
):
    case = actions.create_case(
        owner, subject="Charged twice", case_type=dispute, custom_fields={"amount": 1}
    )
    with pytest.raises(ValidationError, match=message) as err:
        actions.update_case(owner, case, custom_fields=fields, priority="high")
    assert "case type Payment dispute" in " ".join(err.value.messages)
    case.refresh_from_db()
    assert (case.custom_fields, case.priority) == ({"amount": 1}, 1)
    with pytest.raises(ValidationError, match=message):
        actions.create_case(owner, subject="Another", case_type=dispute, custom_fields=fields)
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ([1, 2], "must be a JSON object"),
        ({"type": "bag"}, "Not a valid JSON schema at type"),
        ({"properties": {"amount": {"minimum": "zero"}}}, "Not a valid JSON schema"),
        ({"type": "string", "properties": {"a": {}}}, "must have type object"),
    ],
)
def test_an_invalid_schema_is_refused_with_the_reason(owner, schema, message):
    with pytest.raises(ValidationError, match=message):
        actions.create_case_type(owner, name="Broken", schema=schema)
    kind = actions.create_case_type(owner, name="Fine", schema=SCHEMA)
    with pytest.raises(ValidationError, match=message):
        actions.update_case_type(owner, kind, schema=schema)
    kind.refresh_from_db()
    assert kind.schema == SCHEMA


def test_the_case_page_form_is_drawn_from_the_schema_and_read_back():
    fields = {f.name: f for f in custom_fields.form_fields(SCHEMA, {"amount": 620})}
    assert (fields["amount"].kind, fields["amount"].label, fields["amount"].value) == (
        "number",
        "Amount (€)",
        620,
    )
    assert fields["channel"].choices == ("phone", "branch", "social")
    assert fields["urgent"].kind == "checkbox"
    data = {"cf_amount": "620.50", "cf_account_number": " 12345678 ", "cf_channel": ""}
    assert custom_fields.from_form(SCHEMA, data) == {
        "amount": 620.5,
        "account_number": "12345678",
        "urgent": False,
    }
    assert custom_fields.from_form(SCHEMA, {"cf_amount": "nan"})["amount"] == "nan"
