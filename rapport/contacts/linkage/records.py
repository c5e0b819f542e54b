"""The fields identity resolution compares, pulled out of whatever holds them (a Contact, a row
of a CRM export, a FEBRL record) and normalised once, so blocking and scoring stay cheap."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s]")
_DIGITS = re.compile(r"\D")


def clean(value: object) -> str:
    """Lower case, accents and punctuation dropped, spaces squeezed; "" for missing values."""
    if value is None:
        return ""
    text = str(value)
    if text.lower() in {"nan", "none", "null"}:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text.lower())).strip()


def digits(value: object) -> str:
    return _DIGITS.sub("", clean(value))


def date_key(value: object) -> str:
    """A date as YYYYMMDD ("" when it is not one): `date` objects and 8-digit strings."""
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    text = digits(value)
    return text if len(text) == 8 else ""


@dataclass(frozen=True, slots=True)
class Record:
    """One person as identity resolution sees them. Every field is normalised; "" is unknown."""

    key: Any
    first_name: str = ""
    last_name: str = ""
    birth_date: str = ""  # YYYYMMDD
    street_number: str = ""
    street: str = ""
    address_line: str = ""
    city: str = ""
    postcode: str = ""
    region: str = ""
    national_id: str = ""  # a national id or account number that only one person holds
    email_key: str = ""
    phone: str = ""  # E.164
    handles: frozenset[str] = field(default_factory=frozenset)  # "network:handle"
    links: frozenset[str] = field(default_factory=frozenset)  # bio links, host + path


def link_key(url: str) -> str:
    """A bio link as compared: no scheme, no www., no trailing slash, lower case."""
    text = url.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.removeprefix("www.")
    return text.rstrip("/")


def make_record(
    key: Any,
    *,
    first_name: object = "",
    last_name: object = "",
    birth_date: object = "",
    street_number: object = "",
    street: object = "",
    address_line: object = "",
    city: object = "",
    postcode: object = "",
    region: object = "",
    national_id: object = "",
    email_key: object = "",
    phone: object = "",
    handles: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
    links: tuple[str, ...] | list[str] = (),
) -> Record:
    """A Record from raw values, each normalised the way the comparators expect."""
    return Record(
        key=key,
        first_name=clean(first_name),
        last_name=clean(last_name),
        birth_date=date_key(birth_date),
        street_number=clean(street_number),
        street=clean(street),
        address_line=clean(address_line),
        city=clean(city),
        postcode=clean(postcode).replace(" ", ""),
        region=clean(region),
        national_id=clean(national_id).replace(" ", ""),
        email_key=str(email_key or "").strip().lower(),
        phone=str(phone or "").strip(),
        handles=frozenset(
            f"{network.lower()}:{handle.strip().lstrip('@').lower()}"
            for network, handle in handles
            if handle and handle.strip().lstrip("@")
        ),
        links=frozenset(k for k in (link_key(u) for u in links if u) if k),
    )
