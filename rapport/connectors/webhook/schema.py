"""The post item any tool pushes (webhook) or imports (JSONL/CSV files), checked by pydantic.

```json
{"network": "mastodon", "external_id": "1123", "text": "Love the new app",
 "author": {"id": "42", "handle": "dana", "name": "Dana", "reach": 310},
 "url": "https://…", "created_at": "2024-03-05T10:12:44Z",
 "language": "en", "reply_to_id": "", "thread_id": "", "title": "", "links": [], "deleted": false}
```
`network` must be a known connector name; `created_at` and `edited_at` are ISO 8601 with a
time zone; `text` may be empty only when `deleted` is true.
"""

import json
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rapport.connectors.base import MAX_PAYLOAD_BYTES, Author, NormalisedPost
from rapport.connectors.registry import CONNECTORS

MAX_TEXT = 100_000
MAX_BODY_BYTES = MAX_PAYLOAD_BYTES


def _check_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    return value


class AuthorItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=255)
    handle: str = Field(default="", max_length=255)
    name: str = Field(default="", max_length=255)
    reach: int = Field(default=0, ge=0, le=2**31 - 1)  # a PositiveIntegerField
    url: str = Field(default="", max_length=2000)
    _url = field_validator("url")(_check_url)


class PostItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    network: str
    external_id: str = Field(min_length=1, max_length=255)
    text: str = Field(default="", max_length=MAX_TEXT)
    author: AuthorItem
    created_at: AwareDatetime
    url: str = Field(default="", max_length=2000)
    title: str = Field(default="", max_length=1000)
    language: str = Field(default="", pattern=r"^([a-z]{2})?$")
    reply_to_id: str = Field(default="", max_length=255)
    thread_id: str = Field(default="", max_length=255)
    repost_of_id: str = Field(default="", max_length=255)
    links: list[str] = Field(default_factory=list, max_length=100)
    metrics: dict[str, int] = Field(default_factory=dict)
    edited_at: AwareDatetime | None = None
    deleted: bool = False

    _url = field_validator("url")(_check_url)

    @field_validator("network")
    @classmethod
    def _known_network(cls, value: str) -> str:
        if value not in CONNECTORS:
            raise ValueError(f"unknown network {value!r}; known: {', '.join(sorted(CONNECTORS))}")
        return value

    @model_validator(mode="after")
    def _has_text(self) -> "PostItem":
        if not self.text and not self.deleted:
            raise ValueError("text: a post needs text (only a deleted post may have none)")
        return self

    def to_post(self, raw: Any) -> NormalisedPost:
        return NormalisedPost(
            network=self.network,
            external_id=self.external_id,
            text=self.text,
            author=Author(
                external_id=self.author.id,
                handle=(self.author.handle or self.author.id).lstrip("@"),
                display_name=self.author.name,
                profile_url=self.author.url,
                reach=self.author.reach,
            ),
            created_at=self.created_at,
            url=self.url,
            title=self.title,
            language=self.language,
            reply_to_id=self.reply_to_id,
            thread_id=self.thread_id,
            repost_of_id=self.repost_of_id,
            links=list(self.links),
            metrics=dict(self.metrics),
            edited_at=self.edited_at,
            deleted=self.deleted,
            raw=raw,
        )


def describe(error: ValidationError, *, flat_author: bool = False) -> str:
    """The first problems of an item, each naming its field: `author.id: Field required`."""
    parts = []
    for problem in error.errors()[:3]:
        loc = [str(part) for part in problem["loc"]]
        field = ("_" if flat_author else ".").join(loc) if loc else ""
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field and not message.startswith(field) else message)
    return "; ".join(parts)


def item_to_post(item: Any, *, flat_author: bool = False) -> NormalisedPost:
    """Validate one item; raises ValueError with the field-naming reason."""
    if not isinstance(item, dict):
        raise ValueError(f"a post is a JSON object, not {type(item).__name__}")
    try:
        return PostItem.model_validate(item).to_post(raw=item)
    except ValidationError as error:
        raise ValueError(describe(error, flat_author=flat_author)) from None


def as_bytes(item: Any) -> bytes:
    return json.dumps(item, default=str, ensure_ascii=False).encode()
