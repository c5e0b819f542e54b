"""Reading an import file as a header and numbered rows: CSV (any delimiter and encoding) or vCard.

Whole-file problems (too big, not text, no header, an undecodable byte) raise `FileProblem`
before any row is read; a row's own problems are the mapping's to report, with its line.
"""

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_MB = 200
SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
csv.field_size_limit(1024 * 1024)


class FileProblem(ValidationError):
    """Something wrong with the whole file: nothing of it is imported."""


@dataclass
class Row:
    line: int
    values: dict[str, str]
    problem: str = ""  # a malformed row (wrong number of values): reported as the row's error


@dataclass
class Table:
    """An open import file: its columns, and its rows read lazily (one pass each call)."""

    path: Path
    kind: str
    columns: list[str]
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[Row]:
        if self.kind == "vcard":
            yield from _vcard_rows(self.path, self.encoding)
        else:
            yield from _csv_rows(self)

    def describe(self) -> str:
        if self.kind == "vcard":
            return f"vCard file ({self.encoding})"
        name = DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
        return f"CSV, {name}-separated, {self.encoding}"


def max_bytes() -> int:
    """The largest file an import accepts (RAPPORT_IMPORT_MAX_MB, 200 MB by default)."""
    return int(float(getattr(settings, "RAPPORT_IMPORT_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def size_label(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def check_size(size: int, limit: int | None = None) -> None:
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise FileProblem(
            f"The file is {size_label(size)}; an import takes at most {size_label(limit)}."
            " Split it into smaller files (re-imports are safe: rows update, never duplicate)."
        )


def open_table(path: str | Path, kind: str = "csv", *, limit: int | None = None) -> Table:
    """The file's header and dialect, after checking its size and encoding."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileProblem(f"Cannot read {path.name}: {exc.strerror}.") from None
    check_size(size, limit)
    if size == 0:
        raise FileProblem("The file is empty.")
    encoding, notes = detect_encoding(path)
    if kind == "vcard":
        columns = list(VCARD_COLUMNS)
        return Table(path=path, kind="vcard", columns=columns, encoding=encoding, notes=notes)
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(SAMPLE_BYTES)
    delimiter = detect_delimiter(sample)
    header = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
    columns = [c.strip() for c in header]
    if not any(columns):
        raise FileProblem("The first line of the file should name the columns; it is empty.")
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise FileProblem(f"The column {name!r} appears twice in the header.")
        seen.add(name)
    return Table(
        path=path,
        kind="csv",
        columns=columns,
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
    )


def detect_encoding(path: Path) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252, else Latin-1.

    The whole file is decoded once, in chunks, so a bad byte far down is found before any row
    is written. Binary files (a spreadsheet saved as .xlsx, say) are refused by name.
    """
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if head.startswith(b"PK\x03\x04"):
        raise FileProblem(
            "This is a zip or Excel (.xlsx) file, not CSV. Save it as 'CSV UTF-8' and upload that."
        )
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        if b"\x00" in head:
            raise FileProblem(
                "The file holds binary data (a NUL byte near the start): it is not a text file."
            )
        candidates = ["utf-8", "cp1252", "latin-1"]
    first_error = ""
    for encoding in candidates:
        error = _decode_error(path, encoding)
        if not error:
            notes = []
            if encoding in ("cp1252", "latin-1"):
                notes.append(
                    f"The file is not UTF-8 ({first_error}); it was read as {encoding}."
                    " Check accented names look right."
                )
            return encoding, notes
        first_error = first_error or error
    raise FileProblem(
        f"The file's encoding is not one this importer reads ({first_error}). Save it as"
        " UTF-8 (in Excel: 'CSV UTF-8') and try again."
    )


def _decode_error(path: Path, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                where = offset + exc.start
                return f"byte 0x{chunk[exc.start]:02x} at position {where} is not {encoding}"
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"the file ends in the middle of a {encoding} character"
    return ""


def detect_delimiter(sample: str) -> str:
    """The delimiter of the header and first lines (csv.Sniffer, among , ; tab |)."""
    lines = sample.splitlines()
    if len(sample) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut short
    head = "\n".join(lines[:50])
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(table: Table) -> Iterator[Row]:
    with table.path.open(encoding=table.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=table.delimiter)
        try:
            next(reader)
        except StopIteration:
            return
        width = len(table.columns)
        previous = reader.line_num
        try:
            for values in reader:
                line = previous + 1
                previous = reader.line_num
                if not values or not any(v.strip() for v in values):
                    continue
                problem = ""
                if len(values) != width:
                    problem = (
                        f"has {len(values)} values where the header names {width} columns"
                        " (a stray delimiter or quote?)"
                    )
                yield Row(
                    line=line,
                    values=dict(zip(table.columns, (v.strip() for v in values), strict=False)),
                    problem=problem,
                )
        except csv.Error as exc:
            raise FileProblem(f"Line {reader.line_num}: the CSV is malformed ({exc}).") from None


# ---- vCard ----

VCARD_COLUMNS = (
    "UID",
    "FN",
    "N.given",
    "N.family",
    "EMAIL",
    "TEL",
    "ADR.locality",
    "ADR.country",
    "BDAY",
    "ORG",
    "TITLE",
    "URL",
    "NOTE",
    "CATEGORIES",
)
_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)


def _vcard_rows(path: Path, encoding: str) -> Iterator[Row]:
    """One row per card, numbered by the line its BEGIN:VCARD is on."""
    import vobject

    card: list[str] = []
    start = 0
    with path.open(encoding=encoding, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if _BEGIN.match(line):
                card, start = [line], number
            elif card:
                card.append(line)
                if _END.match(line):
                    text, card = "".join(card), []
                    try:
                        parsed = vobject.readOne(text)
                    except Exception as exc:  # vobject raises many kinds for a broken card
                        yield Row(line=start, values={}, problem=f"is not a valid vCard ({exc})")
                        continue
                    yield Row(line=start, values=_vcard_values(parsed))
    if card:
        yield Row(line=start, values={}, problem="starts a vCard that never ends (no END:VCARD)")


def _first(card: Any, name: str) -> Any:
    items = getattr(card, "contents", {}).get(name.lower())
    return items[0].value if items else None


def _vcard_values(card: Any) -> dict[str, str]:
    values = dict.fromkeys(VCARD_COLUMNS, "")
    for name in ("UID", "FN", "EMAIL", "TEL", "BDAY", "TITLE", "URL", "NOTE"):
        value = _first(card, name)
        values[name] = str(value).strip() if value else ""
    n = _first(card, "N")
    if n is not None:
        values["N.given"] = " ".join(filter(None, [str(n.given or ""), str(n.additional or "")]))
        values["N.family"] = str(n.family or "")
    adr = _first(card, "ADR")
    if adr is not None:
        values["ADR.locality"] = str(adr.city or "")
        values["ADR.country"] = str(adr.country or "")
    org = _first(card, "ORG")
    if org:
        values["ORG"] = str(org[0] if isinstance(org, list) else org)
    categories = _first(card, "CATEGORIES")
    if categories:
        values["CATEGORIES"] = ",".join(
            categories if isinstance(categories, list) else [categories]
        )
    return {k: " ".join(v.split()) if k != "NOTE" else v.strip() for k, v in values.items()}


def file_size(path: str | Path) -> int:
    return os.path.getsize(path)
