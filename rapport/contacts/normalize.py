"""Turning what people and CRM exports write into comparable values: emails, phones, dates, names.

Every function raises `ValidationError` with a message naming the problem; importers add the
line and column.

Email key (`email_key`): the address lowercased and stripped; for Gmail (gmail.com and
googlemail.com, which deliver to one mailbox) the dots of the local part are dropped and the
domain is gmail.com; for providers that deliver `name+tag@` to `name@` (Gmail, Outlook/Hotmail/
Live, iCloud, Fastmail, Proton) the `+tag` is dropped. Other domains keep their local part as is:
a company server may well treat `a.b@` and `ab@` as two people.
"""

import datetime
import functools
import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

GMAIL = {"gmail.com", "googlemail.com"}
PLUS_ADDRESSING = GMAIL | {
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "live.co.uk",
    "icloud.com",
    "me.com",
    "fastmail.com",
    "fastmail.fm",
    "proton.me",
    "protonmail.com",
}
DEFAULT_REGION = "GB"


def clean_email(raw: str) -> str:
    """The address as given (trimmed, domain lowercased), or a ValidationError."""
    value = (raw or "").strip()
    if not value:
        return ""
    if len(value) > 254:
        raise ValidationError(f"The email address is {len(value)} characters; at most 254.")
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(f"{value!r} is not a valid email address.") from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def email_key(raw: str) -> str:
    """The email as identity resolution compares it (rules in the module docstring)."""
    value = (raw or "").strip().lower()
    if "@" not in value:
        return value
    local, _, domain = value.rpartition("@")
    if domain in PLUS_ADDRESSING:
        local = local.split("+", 1)[0]
    if domain in GMAIL:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def default_region() -> str:
    """The region a phone number without a country code is read in (RAPPORT_PHONE_REGION)."""
    return str(getattr(settings, "RAPPORT_PHONE_REGION", DEFAULT_REGION) or DEFAULT_REGION)


def phone_e164(raw: str, region: str | None = None) -> str:
    """The number in E.164 (+441632960961), read in `region` when it has no country code.

    A number must have a possible length for its country; numbers in ranges not (yet) allocated,
    like Ofcom's 01632 960xxx kept for fiction, are accepted: the CRM knows better than our
    copy of the numbering plan.
    """
    value = (raw or "").strip()
    if not value:
        return ""
    region = (region or default_region()).upper()
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{value!r} is not a phone number.") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValidationError(
            f"{value!r} has the wrong number of digits for a phone number"
            f" (read as {region} when it has no +country code)."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


MONTHS = {
    name: i
    for i in range(1, 13)
    for name in (
        datetime.date(2000, i, 1).strftime("%b").lower(),
        datetime.date(2000, i, 1).strftime("%B").lower(),
    )
}
MONTHS["sept"] = 9
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][\d:.]+(?:z|[+-]\d\d:?\d\d)?)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")


def _date(raw: str, year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(f"{raw!r} is not a real date.") from None


def _month(raw: str, name: str) -> int:
    month = MONTHS.get(name)
    if month is None:
        raise ValidationError(f"{raw!r}: {name!r} is not a month name.")
    return month


def parse_date(raw: str, *, day_first: bool | None = None) -> datetime.date:
    """A date written as ISO (1990-03-14), 14/03/1990, 03/14/1990, "14 Mar 1990", "Mar 14, 1990".

    A numeric date whose day and month could be swapped (03/04/1990) is ambiguous unless
    `day_first` says how the file writes them; an importer infers it from the file's other rows.
    """
    value = " ".join((raw or "").strip().lower().split())
    if not value:
        raise ValidationError("The date is empty.")
    if m := _ISO.match(value) or _YMD.match(value):
        return _date(raw, int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.match(value):
        first, second, year_text = int(m[1]), int(m[2]), m[3]
        if len(year_text) != 4:
            raise ValidationError(f"{raw!r}: write the year with four digits.")
        year = int(year_text)
        if first > 12 and second > 12:
            raise ValidationError(f"{raw!r} is not a real date.")
        if first > 12 or (day_first is True and second <= 12):
            return _date(raw, year, second, first)
        if second > 12 or day_first is False or first == second:
            return _date(raw, year, first, second)
        raise ValidationError(
            f"{raw!r} is ambiguous: day/month or month/day? Write it as"
            f" {year}-{second:02d}-{first:02d} or {year}-{first:02d}-{second:02d}."
        )
    if m := _DAY_MONTH.match(value):
        return _date(raw, int(m[3]), _month(raw, m[2]), int(m[1]))
    if m := _MONTH_DAY.match(value):
        return _date(raw, int(m[3]), _month(raw, m[1]), int(m[2]))
    raise ValidationError(
        f"{raw!r} is not a date this importer reads (use 1990-03-14, 14/03/1990 or 14 Mar 1990)."
    )


def day_first_hint(values: list[str]) -> bool | None:
    """Whether a column's numeric dates put the day first, judged from its unambiguous ones.

    None when no row tells, or when rows disagree (then ambiguous rows stay errors).
    """
    seen: set[bool] = set()
    for raw in values:
        m = _NUMERIC.match((raw or "").strip())
        if not m:
            continue
        first, second = int(m[1]), int(m[2])
        if first > 12 >= second:
            seen.add(True)
        elif second > 12 >= first:
            seen.add(False)
        if len(seen) == 2:
            return None
    return seen.pop() if len(seen) == 1 else None


HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "obe", "mbe"}
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "bin"}


def split_name(full: str) -> tuple[str, str]:
    """(first, last) of a full name: "Chen, Maya", "Dr Maya Chen", "Anna van der Berg"."""
    value = " ".join((full or "").split())
    if not value:
        return "", ""
    if "," in value:
        last, _, first = value.partition(",")
        return first.strip(), last.strip()
    words = value.split(" ")
    while len(words) > 1 and words[0].lower().rstrip(".") in HONORIFICS:
        words.pop(0)
    while len(words) > 1 and words[-1].lower().rstrip(".") in SUFFIXES:
        words.pop()
    if len(words) == 1:
        return words[0], ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


def join_name(first: str, last: str) -> str:
    return " ".join(part for part in ((first or "").strip(), (last or "").strip()) if part)


def fold(text: str) -> str:
    """Lowercase without accents, for search: "Sørensen" -> "sørensen", "José" -> "jose"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def country_code(raw: str) -> str:
    """An ISO 3166 alpha-2 code from a code or a common country name; "" when unknown."""
    value = (raw or "").strip()
    if not value:
        return ""
    key = fold(value).replace(".", "")
    code = COUNTRIES.get(key) or _country_names().get(key)
    if code is None and len(value) == 2 and value.upper() in phonenumbers.SUPPORTED_REGIONS:
        code = value.upper()
    if code is None:
        raise ValidationError(f"{value!r} is not a country this importer knows; use its ISO code.")
    return code


@functools.cache
def _country_names() -> dict[str, str]:
    """Every region's English name (from phonenumbers' data) -> its code, folded."""
    try:
        from phonenumbers.geocoder import _region_display_name
    except ImportError:  # pragma: no cover - a phonenumbers without its geocoder data
        return {}
    names = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        name = _region_display_name(region, "en")
        if name:
            names[fold(name).replace(".", "")] = region
    return names


COUNTRIES = {
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "ireland": "IE",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "canada": "CA",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "spain": "ES",
    "italy": "IT",
    "portugal": "PT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "india": "IN",
    "china": "CN",
    "japan": "JP",
    "australia": "AU",
    "new zealand": "NZ",
    "brazil": "BR",
    "mexico": "MX",
    "nigeria": "NG",
    "south africa": "ZA",
    "singapore": "SG",
}
