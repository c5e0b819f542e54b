"""CSV that a spreadsheet opens safely: no cell of an export runs as a formula (CSV injection).

Spreadsheets read a cell starting with = + - @ (or a tab or carriage return before one) as a
formula, and a formula can call out (`=HYPERLINK`, `=WEBSERVICE`, DDE). Following OWASP's CSV
injection advice, such a cell gets a single quote in front, which spreadsheets show as text.
Values a person would be sorry to see changed are left alone because they cannot be a formula
that calls anything: numbers and phone numbers ("-12.50", "+44 20 7946 0958"), which are made of
digits, spaces and ( ) . , / - only, with no letters and no references. A cell that already
starts with a quote gets one more, so `unguard` gives back exactly what `guard` was given
(the `rapport` import mapping reads an export back through it).

Every CSV Rapport writes goes through `writer` (or `guard`, cell by cell).
"""

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
_TRIGGER_SET = frozenset(TRIGGERS)
_NUMBER_OR_PHONE = re.compile(r"[+-]?[\d\s().,/-]*\d[\d\s().,/-]*")


def guard(value: object) -> str:
    """The cell as text, with a quote in front when a spreadsheet would run it as a formula."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if not text or text[0] not in _TRIGGER_SET:
        return text
    return text if _NUMBER_OR_PHONE.fullmatch(text) else "'" + text


def unguard(text: str) -> str:
    """What `guard` was given, from what it returned."""
    if text[:1] == "'" and guard(text[1:]) == text:
        return text[1:]
    return text


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class GuardedWriter:
    """`csv.writer` whose every cell goes through `guard`."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([guard(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: _Writable, **options: Any) -> GuardedWriter:
    return GuardedWriter(handle, **options)
