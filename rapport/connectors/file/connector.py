"""Import posts from JSONL or CSV files, streamed in batches (`rapport listen import FILE`).

Each JSONL line and each CSV row is one post in the webhook's item format
(`rapport.connectors.webhook.schema.PostItem`). CSV columns:

    network,external_id,text,author_id,author_handle,author_name,author_reach,url,created_at,
    language,reply_to_id

(the first five plus `author_id` are required; empty cells take the defaults). A line that is
not valid UTF-8, not JSON, or not a valid post is a `Reject` naming its line number and field;
the rest of the file is read on.
"""

import codecs
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from rapport.connectors.base import Batch, Connector, ConnectorError, Reject
from rapport.connectors.webhook.schema import MAX_BODY_BYTES, item_to_post

CSV_COLUMNS = (
    "network", "external_id", "text", "author_id", "author_handle", "author_name",
    "author_reach", "url", "created_at", "language", "reply_to_id",
)  # fmt: skip
CSV_REQUIRED = frozenset({"network", "external_id", "text", "author_id", "created_at"})
Format = Literal["jsonl", "csv"]


class FileImport:
    """Batches from one file; `total` (bytes) and `position` (bytes read) drive a progress bar."""

    def __init__(self, stream: IO[bytes], fmt: Format, batch_size: int, total: int | None):
        self.stream, self.format, self.batch_size = stream, fmt, batch_size
        self.total = total
        self.position = 0
        self.lines = 0
        #: posts read (each JSONL line or CSV row that is not blank, readable or not)...
        self.records = 0
        #: ...and blank lines or rows, skipped
        self.blank = 0

    def __iter__(self) -> Iterator[Batch]:
        batch = Batch()
        items = self._jsonl() if self.format == "jsonl" else self._csv()
        for line, item, error in items:
            self.records += 1
            if error:
                batch.rejects.append(Reject(reason=f"line {line}: {error}", raw=_raw(item)))
            else:
                try:
                    batch.posts.append(item_to_post(item, flat_author=self.format == "csv"))
                except ValueError as problem:
                    batch.rejects.append(Reject(reason=f"line {line}: {problem}", raw=_raw(item)))
            if len(batch.posts) + len(batch.rejects) >= self.batch_size:
                yield batch
                batch = Batch()
        if batch.posts or batch.rejects:
            yield batch

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        while True:
            line = self.stream.readline(MAX_BODY_BYTES + 1)
            if not line:
                return
            self.position += len(line)
            self.lines += 1
            if len(line) > MAX_BODY_BYTES and not line.endswith(b"\n"):
                while (rest := self.stream.readline(MAX_BODY_BYTES)) and not rest.endswith(b"\n"):
                    self.position += len(rest)
                self.position += len(rest)
                yield self.lines, b"\x00too-long"
                continue
            if self.lines == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            yield self.lines, line

    def _jsonl(self) -> Iterator[tuple[int, Any, str]]:
        for number, line in self._lines():
            if line == b"\x00too-long":
                yield number, b"", "longer than 10 MB"
                continue
            if not line.strip():
                self.blank += 1
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                yield number, line, f"not valid UTF-8 (byte {error.start})"
                continue
            try:
                yield number, json.loads(text), ""
            except json.JSONDecodeError as error:
                yield number, line, f"not JSON: {error.msg}"

    def _csv(self) -> Iterator[tuple[int, Any, str]]:
        numbers: list[int] = []

        def decoded() -> Iterator[str]:
            for number, line in self._lines():
                numbers.append(number)
                yield line.decode("utf-8", errors="surrogateescape")

        reader = csv.reader(decoded())
        header = next(reader, None)
        if header is None:
            return
        header = [name.strip() for name in header]
        unknown = [name for name in header if name not in CSV_COLUMNS]
        missing = sorted(CSV_REQUIRED - set(header))
        if unknown or missing:
            raise ConnectorError(
                "The CSV header "
                + "; ".join(
                    part
                    for part in (
                        f"lacks {', '.join(missing)}" if missing else "",
                        f"has unknown columns {', '.join(unknown)}" if unknown else "",
                    )
                    if part
                )
                + f" (expected: {','.join(CSV_COLUMNS)})"
            )
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield numbers[-1], b"", f"not a CSV row: {error}"
                continue
            number = numbers[-1]
            if not any(cell.strip() for cell in row):
                self.blank += 1
                continue
            if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
                raw = ",".join(row).encode("utf-8", errors="surrogateescape")
                yield number, raw, "not valid UTF-8"
                continue
            if len(row) != len(header):
                yield (
                    number,
                    ",".join(row).encode(),
                    (f"has {len(row)} cells; the header has {len(header)}"),
                )
                continue
            yield number, _csv_item(dict(zip(header, row, strict=True))), ""


def _csv_item(row: dict[str, str]) -> dict[str, Any]:
    author: dict[str, Any] = {"id": row.pop("author_id", "")}
    for key in ("handle", "name", "reach"):
        value = row.pop(f"author_{key}", "").strip()
        if value:
            author[key] = value
    item: dict[str, Any] = {key: value for key, value in row.items() if value.strip()}
    item.setdefault("text", "")
    item["author"] = author
    return item


def _raw(item: Any) -> bytes:
    if isinstance(item, bytes):
        return item
    return json.dumps(item, default=str, ensure_ascii=False).encode()


def _format_of(name: str, head: bytes) -> Format:
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    return "jsonl" if head.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"{") else "csv"


class FileConnector(Connector):
    name = "file"
    label = "File import"
    capabilities = frozenset()  # read by the import command, not polled

    def read(
        self,
        path_or_file: str | Path | IO[bytes],
        batch_size: int = 1000,
        format: Format | None = None,
    ) -> FileImport:
        """Batches of the file's posts; iterate it, and watch `.position` against `.total`."""
        if isinstance(path_or_file, str | Path):
            path = Path(path_or_file)
            if not path.is_file():
                raise ConnectorError(f"No such file: {path}")
            stream: IO[bytes] = path.open("rb")
            name, total = path.name, path.stat().st_size
        else:
            stream, name, total = path_or_file, getattr(path_or_file, "name", ""), None
        head = stream.peek(64)[:64] if isinstance(stream, io.BufferedReader) else b""
        if not head and stream.seekable():
            position = stream.tell()
            head = stream.read(64)
            stream.seek(position)
        return FileImport(stream, format or _format_of(str(name), head), batch_size, total)

    def parse(self, payload: Any) -> Batch:
        """A whole file's content (JSONL or CSV bytes) as one batch."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        if not isinstance(payload, bytes | bytearray):
            raise ConnectorError(f"A file is bytes or text, not {type(payload).__name__}")
        if len(payload) > MAX_BODY_BYTES:
            raise ConnectorError(f"The file is {len(payload)} bytes; the limit is 10 MB")
        batch = Batch()
        for part in self.read(io.BytesIO(bytes(payload)), batch_size=len(payload) + 1):
            batch.posts.extend(part.posts)
            batch.rejects.extend(part.rejects)
        return batch
