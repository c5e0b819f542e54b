"""Page-numbered lists (`?page=2&page_size=20`), with bounded numbers: a page past the last is
empty, a page number or size out of range is a 422 naming it, never a database overflow."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from rapport.api.bounds import MAX_INT, PageNumber


class PageQuery(Schema):
    page: PageNumber = 1
    page_size: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="Items per page (the endpoint's default if omitted; at most 100)",
    )


class Pages(PageNumberPagination):
    Input = PageQuery  # type: ignore[assignment]
