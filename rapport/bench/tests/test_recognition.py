"""`rapport bench recognition` on a small company: it builds the people, teams and ledger it
says, in the proportions it says, with tallies that agree with the ledger, times the reads, and
removes what it built unless kept (and then reuses it). What it measures is not asserted."""

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command

from rapport.bench import recognition
from rapport.core.models import Membership, Team, Workspace
from rapport.recognition import tally
from rapport.recognition.models import Contribution, Kind, Kudos, Tally

pytestmark = pytest.mark.django_db


def test_the_company_and_its_ledger_are_built_as_the_spine_would_have_written_them():
    built = recognition.build(6_000, 40, seed=2)
    ws = built.workspace
    assert Membership.objects.filter(workspace=ws).count() == 40
    assert Team.objects.filter(workspace=ws).count() == len(recognition.TEAMS)
    ledger = Contribution.objects.filter(workspace=ws)
    assert ledger.count() == 6_000
    kinds = Counter(ledger.values_list("kind", flat=True))
    for kind, share, _ in recognition.KINDS:
        assert abs(kinds[kind] / 6_000 - share) < 0.02 + share / 3, kind
    # Each kudos in the ledger is a kudos given, at the same time, to the same person.
    thanked = ledger.filter(kind=Kind.KUDOS)
    assert Kudos.objects.filter(workspace=ws).count() == thanked.count()
    first = thanked.first()
    assert first is not None
    kudos = Kudos.objects.get(pk=first.object_id)
    assert (kudos.receiver_id, kudos.giver_id, kudos.created_at) == (
        first.member_id,
        first.colleague_id,
        first.at,
    )
    assert (
        ledger.filter(crossed=True, kind=Kind.EXPERT_ANSWER).count()
        > ledger.filter(crossed=False, kind=Kind.EXPERT_ANSWER).count()
    )
    assert tally.differences(ws.pk) == 0
    recognition.delete(ws)
    assert not Contribution.objects.exists()
    assert not Tally.objects.exists()
    assert not Workspace.objects.filter(pk=ws.pk).exists()


def run(*options: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bench", "recognition", "--entries", "3000", "--people", "30", "--repeat", "2",
        *options, stdout=out, stderr=err,
    )  # fmt: skip
    return json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()


def test_a_small_run_prints_its_figures_as_json_and_cleans_up():
    figures, said = run("--ledger")
    assert (figures["entries"], figures["people"], figures["repeat"]) == (3000, 30, 2)
    for name in ("person_30d", "person_quarter", "team_view", "team_view_team", "ledger_quarter"):
        assert figures[f"{name}_p50_ms"] > 0
    assert figures["report_seconds"] > 0
    assert "built 30 people in 12 teams with 3,000 contributions" in said
    assert "HR report, 30 people" in said
    assert not Workspace.objects.filter(slug__startswith="bench-recognition-").exists()
    assert not Contribution.objects.exists()


def test_a_kept_company_is_reused_by_the_next_run():
    run("--keep")
    kept = Workspace.objects.get(slug=recognition.kept_slug(3000, 30, 1))
    figures, said = run("--keep")
    assert "reused 30 people in 12 teams with 3,000 contributions" in said
    assert figures["entries"] == 3000
    assert Workspace.objects.filter(slug__startswith="bench-recognition-").get() == kept
    recognition.delete(kept)


def test_bad_options_are_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="--people must be at least 12"):
        recognition.run(print, entries=10, people=3, repeat=1, seed=1, keep=False)
    with pytest.raises(ValueError, match="--entries must be at least 1"):
        recognition.run(print, entries=0, people=30, repeat=1, seed=1, keep=False)


def test_the_spine_can_be_measured_without_recognitions_listeners(monkeypatch):
    from rapport.bench import without_recognition
    from rapport.core import events

    monkeypatch.setattr(events, "LISTENERS", {k: list(v) for k, v in events.LISTENERS.items()})
    monkeypatch.setattr(events, "JOURNALLED", set(events.JOURNALLED))
    dropped = without_recognition.take_out_recognition()
    assert {"kudos.given", "post.triaged", "conversation.replied"} <= set(dropped)
    heard = [lst.path for listeners in events.LISTENERS.values() for lst in listeners]
    assert not [path for path in heard if path.startswith("rapport.recognition")]
    assert "rapport.inbox.wiring.place_triaged_posts" in heard
