"""The integers the API accepts, bounded so the database can hold them.

An unbounded `int` lets a 20-digit id reach the database, which answers with an overflow (SQLite)
or `bigint out of range` (PostgreSQL): a 500. Bounded here, it is a 422 naming the parameter, and
the schema says `minimum`/`maximum`, so clients and fuzzers know the range.
"""

from typing import Annotated

from pydantic import Field

from rapport.core.ids import MAX_ID

#: page numbers fit PostgreSQL's `integer`; times the largest page size, the offset fits `bigint`
MAX_PAGE = 2**31 - 1
#: counts and sizes stored in an `integer` column
MAX_INT = 2**31 - 1

#: the id of an object: 1 to 2^63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: a page number: 1 to 2^31 - 1 (past the last page is an empty page, never an error)
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
#: an id, or 0 where 0 means "nobody" or "none" (as the field's description says)
IdOrZero = Annotated[int, Field(ge=0, le=MAX_ID)]
#: a count or a position stored in an `integer` column
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
