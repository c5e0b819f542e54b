"""Web addresses people give Rapport (a contact's website, a status page): http and https only.

A `javascript:` or `data:` address in a link runs script in whoever clicks it, in Rapport or in
the address book a vCard export lands in. `clean_web_url` refuses one on the way in, naming the
field; `safe_url` drops one on the way out (what was stored before the check, or arrived from a
network), so no page or export carries it.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

SCHEMES = ("http", "https")
_valid = URLValidator(schemes=list(SCHEMES))
#: a scheme, as opposed to the port of a bare host ("acme.example:8080")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(?!\d)")


def clean_web_url(value: object, label: str, *, field: str = "", max_length: int = 1000) -> str:
    """`value` trimmed, or "" for none; a ValidationError naming `label` unless http(s).

    `field` keys the error (a form or API error names its field) when given.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""

    def refuse(message: str) -> ValidationError:
        return ValidationError({field: message}) if field else ValidationError(message)

    if len(text) > max_length:
        raise refuse(f"The {label} is {len(text)} characters; at most {max_length}.")
    given, match = text, _SCHEME.match(text)
    if match is None:
        text = "https://" + text  # "acme.example" is what people type for a website
    elif match.group(1).lower() not in SCHEMES:
        raise refuse(f"The {label} must be an http:// or https:// address, not {match.group(1)}:.")
    try:
        _valid(text)
    except ValidationError:
        raise refuse(f"The {label} {given[:80]!r} is not a valid web address.") from None
    return text


def safe_url(url: str | None) -> str:
    """`url` when it is an http(s) address, else "" (a javascript: or data: link is dropped)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return ""
    return (url or "").strip() if parts.scheme in SCHEMES and parts.netloc else ""
