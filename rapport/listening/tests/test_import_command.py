"""`rapport listen import`: files into a source, safely re-runnable, bad lines quarantined."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.listening.models import Post, QuarantinedPayload, Source


def item(n: int, text: str = "Acme Bank app keeps crashing") -> dict:
    return {
        "network": "mastodon",
        "external_id": f"imp-{n}",
        "text": text,
        "author": {"id": f"a{n % 3}", "handle": f"user{n % 3}", "reach": 100 * n},
        "created_at": "2026-11-20T09:30:00+00:00",
    }


@pytest.fixture
def source(acme):
    return Source.objects.create(workspace=acme, name="Archive", connector="file")


def test_import_stores_each_post_once_and_quarantines_bad_lines(source, tmp_path):
    lines = [json.dumps(item(n)) for n in range(5)] + ["{not json", json.dumps({"text": "x"})]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command(
        "listen", "import", str(path), "--source", "Archive", "--batch-size", "2", stdout=out
    )
    assert "5 new" in out.getvalue()
    assert "2 quarantined" in out.getvalue()
    assert Post.objects.filter(source=source).count() == 5
    assert Post.objects.filter(source=source, triaged_at__isnull=False).count() == 5
    reasons = list(QuarantinedPayload.objects.values_list("reason", flat=True))
    assert any(r.startswith("line 6") for r in reasons)
    again = io.StringIO()
    call_command("listen", "import", str(path), "--source", "Archive", stdout=again)
    assert "0 new" in again.getvalue()
    assert "5 already stored" in again.getvalue()
    assert Post.objects.filter(source=source).count() == 5


def test_import_names_a_missing_file_or_source(source, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("listen", "import", str(tmp_path / "nope.jsonl"), "--source", "Archive")
    with pytest.raises(CommandError, match="No source called 'Nope'"):
        call_command("listen", "import", str(tmp_path / "x.jsonl"), "--source", "Nope")


def _counts(summary: str) -> dict[str, int]:
    """The summary's numbers by what they count."""
    import re

    read = int(re.search(r"(\d+) (?:lines|rows) read", summary).group(1))  # type: ignore[union-attr]
    parts = summary.split(" read", 1)[1].split(":", 1)[1].strip().rstrip(".").split(", ")
    return {"read": read} | {p.split(" ", 1)[1]: int(p.split(" ", 1)[0]) for p in parts}


def test_every_line_is_in_exactly_one_count(source, tmp_path):
    """Ids repeated within one batch, blank lines, bad lines: the counts add up to the lines."""
    edited = item(1) | {"text": "Acme Bank app crashes less", "edited_at": "2026-11-21T09:00:00Z"}
    lines = [
        json.dumps(item(0)), json.dumps(item(1)), json.dumps(item(0)),  # imp-0 twice
        json.dumps(item(2)), json.dumps(item(2)), json.dumps(item(2)),  # imp-2 three times
        "", "{not json", json.dumps(edited),  # imp-1 again, edited, in the next batch
    ]  # fmt: skip
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command(
        "listen", "import", str(path), "--source", "Archive", "--batch-size", "6", stdout=out
    )
    counts = _counts(out.getvalue())
    assert counts == {
        "read": 8, "new": 3, "edited": 1, "deleted": 0, "already stored": 0,
        "replaced by a later line with the same id": 3, "quarantined": 1,
    }, out.getvalue()  # fmt: skip
    assert "(1 blank lines skipped)" in out.getvalue()
    assert sum(v for k, v in counts.items() if k != "read") == counts["read"]
    assert Post.objects.filter(source=source).count() == 3


def test_a_csv_with_repeated_ids_accounts_for_every_row(source, tmp_path):
    header = "network,external_id,text,author_id,created_at"
    rows = [f"mastodon,c{n % 40},Acme Bank post {n},a1,2026-11-20T09:30:00Z" for n in range(100)]
    path = tmp_path / "posts.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    out = io.StringIO()
    call_command(
        "listen", "import", str(path), "--source", "Archive", "--batch-size", "50", stdout=out
    )
    counts = _counts(out.getvalue())
    assert counts["read"] == 100
    assert sum(v for k, v in counts.items() if k != "read") == 100, out.getvalue()
    # 40 ids: each batch of 50 holds 10 ids twice; the second batch's ids are stored already.
    assert counts["new"] == 40
    assert counts["replaced by a later row with the same id"] == 20
    assert counts["already stored"] == 40
    assert Post.objects.filter(source=source).count() == 40
