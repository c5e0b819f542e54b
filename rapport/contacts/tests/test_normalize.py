import datetime

import pytest
from django.core.exceptions import ValidationError

from rapport.contacts.normalize import (
    country_code,
    day_first_hint,
    email_key,
    parse_date,
    phone_e164,
    split_name,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  Maya.Chen@Example.COM ", "maya.chen@example.com"),
        ("maya.chen+bank@gmail.com", "mayachen@gmail.com"),
        ("M.aya.Chen@googlemail.com", "mayachen@gmail.com"),
        ("sam+news@outlook.com", "sam@outlook.com"),
        ("sam+news@acme-bank.co.uk", "sam+news@acme-bank.co.uk"),
        ("first.last@company.com", "first.last@company.com"),
    ],
)
def test_email_key_folds_what_one_mailbox_receives(raw, key):
    assert email_key(raw) == key


def test_phone_numbers_become_e164_in_the_default_region_or_their_own():
    assert phone_e164("01632 960961") == "+441632960961"
    assert phone_e164("+1 (415) 555-0132") == "+14155550132"
    assert phone_e164("(415) 555-0132", "US") == "+14155550132"
    assert phone_e164("") == ""


@pytest.mark.parametrize("raw", ["12", "not a phone", "+44 1632 9"])
def test_a_bad_phone_number_is_refused_with_its_text(raw):
    with pytest.raises(ValidationError) as exc:
        phone_e164(raw)
    assert repr(raw) in exc.value.messages[0]


@pytest.mark.parametrize(
    "raw",
    [
        "1990-03-14",
        "14/03/1990",
        "03/14/1990",
        "14 Mar 1990",
        "Mar 14, 1990",
        "14-March-1990",
        "1990-03-14T00:00:00Z",
        "14.03.1990",
        "March 14th 1990",
    ],
)
def test_dates_in_many_formats(raw):
    assert parse_date(raw) == datetime.date(1990, 3, 14)


def test_an_ambiguous_date_needs_a_hint_and_says_how_to_write_it():
    with pytest.raises(ValidationError, match="ambiguous"):
        parse_date("03/04/1990")
    assert parse_date("03/04/1990", day_first=True) == datetime.date(1990, 4, 3)
    assert parse_date("03/04/1990", day_first=False) == datetime.date(1990, 3, 4)
    assert parse_date("04/04/1990") == datetime.date(1990, 4, 4)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31/02/1990", "not a real date"),
        ("3/4/90", "four digits"),
        ("yesterday", "not a date"),
        ("3 Smarch 1990", "not a month"),
        ("", "empty"),
    ],
)
def test_invalid_dates_say_why(raw, reason):
    with pytest.raises(ValidationError, match=reason):
        parse_date(raw)


def test_day_first_hint_comes_from_unambiguous_rows():
    assert day_first_hint(["03/04/1990", "25/12/1980"]) is True
    assert day_first_hint(["03/04/1990", "12/25/1980"]) is False
    assert day_first_hint(["03/04/1990"]) is None
    assert day_first_hint(["25/12/1980", "12/25/1980"]) is None


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Maya Chen", "Maya", "Chen"),
        ("Chen, Maya", "Maya", "Chen"),
        ("Dr. Maya Chen", "Maya", "Chen"),
        ("Anna van der Berg", "Anna", "van der Berg"),
        ("Cher", "Cher", ""),
        ("Mary Ann Smith Jr.", "Mary Ann", "Smith"),
    ],
)
def test_split_name(full, first, last):
    assert split_name(full) == (first, last)


def test_country_codes_from_names():
    assert country_code("United Kingdom") == "GB"
    assert country_code("gb") == "GB"
    with pytest.raises(ValidationError):
        country_code("Narnia")


def test_every_country_name_phonenumbers_knows():
    assert country_code("Kenya") == "KE"
    assert country_code("cote d'ivoire") == "CI"
    assert country_code("Deutschland") == "DE"
