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
