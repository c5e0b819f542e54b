"""Turning a routing rule's untrusted JSON into stored values, or a ValidationError that says
where the problem is ("Action 2: there is no team 9 in this workspace").

Shared by the conditions (`rules.py`) and by every routing action type, the inbox's own and
those other domains register (`registry.py`).
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError

MAX_TEXT = 100
LARGEST_ID = 2**62
#: A tag, on a conversation or in a rule: 1-50 letters, digits, spaces or .&:/+-
TAG = re.compile(r"^[\w][\w .&:/+-]{0,49}$")


def invalid(where: str, message: str) -> ValidationError:
    return ValidationError(f"{where}: {message}")


def unknown(name: str, value: object, allowed: Iterable[str]) -> str:
    return f"unknown {name} {value!r}; use one of {', '.join(allowed)}"


def whole_number(value: object, where: str, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(where, f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise invalid(where, f"{name} must be between {low} and {high}, not {value}")
    return value


def an_id(value: object, where: str, name: str) -> int:
    return whole_number(value, where, name, 1, LARGEST_ID)


def text(value: object, where: str, name: str) -> str:
    """Non-empty text, trimmed and lower-cased, at most MAX_TEXT characters."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(where, f"{name} must be non-empty text, not {value!r}")
    value = value.strip().lower()
    if len(value) > MAX_TEXT:
        raise invalid(where, f"{name} has at most {MAX_TEXT} characters")
    return value
