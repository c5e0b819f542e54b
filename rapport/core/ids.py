"""Ids written in text (query strings, filters, cursors), read the one safe way.

`int()` takes `+5`, ` 5`, Arabic-Indic digits and a 30-digit number; the last one reaches the
database as an overflow (SQLite) or `bigint out of range` (PostgreSQL), a 500. An id is ASCII
digits within a signed 64-bit integer (every primary key is a BigAutoField), or it is not one.
"""

#: the largest primary key: BigAutoField is a signed 64-bit integer on SQLite and PostgreSQL
MAX_ID = 2**63 - 1


def parse_id(text: object) -> int | None:
    """The id `text` spells, or None when it is not one."""
    value = str(text if text is not None else "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
