"""File import: JSONL and CSV read in batches, bad lines rejected with their line number."""

import io
from pathlib import Path

import pytest

from rapport.connectors.base import ConnectorError
from rapport.connectors.file.connector import FileConnector
from rapport.connectors.registry import connector_class

FIXTURES = Path(__file__).parents[1] / "file" / "fixtures"


def test_registry_names_the_file_connector():
    assert connector_class("file") is FileConnector


def test_jsonl_is_read_in_batches_with_progress_and_line_numbered_rejects():
    reader = FileConnector().read(FIXTURES / "posts.jsonl", batch_size=2)
    assert reader.total == (FIXTURES / "posts.jsonl").stat().st_size
    batches = list(reader)
    assert [len(b.posts) + len(b.rejects) for b in batches] == [2, 2, 1]
    assert reader.position == reader.total
    posts = [p for b in batches for p in b.posts]
    rejects = [r.reason for b in batches for r in b.rejects]
    assert [p.text for p in posts] == [
        "Opening an account took ten minutes, great staff at Elm Street.",
        "Card declined abroad twice, nobody answered the hotline.",
    ]
    assert posts[0].author.display_name == "J. Miller"
    assert posts[1].author.reach == 12
    assert posts[1].reply_to_id == "survey-2024-001"
    assert rejects == [
        "line 2: text: a post needs text (only a deleted post may have none)",
        "line 3: not JSON: Expecting value",
        "line 5: not valid UTF-8 (byte 69)",
    ]


def test_csv_rows_become_posts_and_a_bad_cell_names_its_column():
    batch = FileConnector().parse((FIXTURES / "posts.csv").read_bytes())
    call, hn = batch.posts
    assert call.text == "Customer asked why the mortgage payment was taken twice, wants a refund."
    assert call.author.display_name == "Ana Costa"
    assert call.language == "en"
    assert hn.network == "hackernews"
    assert hn.text == 'Acme Bank\'s new API docs are actually good, "finally"'
    assert hn.url == "https://news.ycombinator.com/item?id=39285011"
    (reject,) = batch.rejects
    assert reject.reason.startswith("line 4: author_reach: Input should be a valid integer")


def test_csv_with_invalid_utf8_or_unknown_network_rejects_only_that_row():
    data = (
        b"network,external_id,text,author_id,created_at\n"
        b"webhook,1,caf\xe9,a,2024-02-05T14:02:00Z\n"
        b"friendster,2,hello,a,2024-02-05T14:02:00Z\n"
        b"webhook,3,fine,a,2024-02-05T14:02:00Z\n"
    )
    batch = FileConnector().parse(data)
    assert [p.external_id for p in batch.posts] == ["3"]
    reasons = [r.reason for r in batch.rejects]
    assert reasons[0] == "line 2: not valid UTF-8"
    assert reasons[1].startswith("line 3: network: unknown network 'friendster'")


def test_csv_header_must_name_the_columns():
    with pytest.raises(ConnectorError, match="lacks author_id, created_at; has unknown columns"):
        FileConnector().parse(b"network,external_id,text,who\n")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConnectorError, match="No such file"):
        FileConnector().read(tmp_path / "nope.jsonl")


def test_a_stream_is_read_too_and_too_big_a_payload_refused():
    stream = io.BytesIO((FIXTURES / "posts.jsonl").read_bytes())
    assert sum(len(b.posts) for b in FileConnector().read(stream)) == 2
    with pytest.raises(ConnectorError, match="limit is 10 MB"):
        FileConnector().parse(b" " * (10 * 1024 * 1024 + 1))
