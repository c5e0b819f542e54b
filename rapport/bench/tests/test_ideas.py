"""`rapport bench ideas` on a small workspace: it builds the ideas and votes it says, times the
portal's reads and similar ideas, reports the quality of similar ideas, and removes what it
built. What it measures is not asserted here."""

import io
import json

import pytest
from django.core.management import call_command

from rapport.bench import ideas
from rapport.contacts.models import Contact
from rapport.core.models import Workspace
from rapport.ideas.models import Idea, Vote


def test_votes_are_spread_as_interest_is_and_add_up():
    import random

    counts = ideas.vote_counts(100, 5_000, 1_000, random.Random(1))
    assert sum(counts) == 5_000
    assert max(counts) <= 1_000
    assert max(counts) > 20 * sorted(counts)[50]  # a few ideas have most of the votes


@pytest.mark.django_db
def test_a_small_run_prints_its_figures_as_json_and_cleans_up():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bench", "ideas", "--ideas", "40", "--votes", "600", "--requests", "3",
        stdout=out, stderr=err,
    )  # fmt: skip
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (figures["ideas"], figures["votes"], figures["requests"]) == (40, 600, 3)
    for name in ("list_top_p95_ms", "list_search_p95_ms", "idea_page_p95_ms", "similar_p95_ms"):
        assert figures[name] > 0
    assert 0 < figures["similar_recall_at_5_test"] <= 1
    assert "built 40 ideas, 600 votes" in err.getvalue()
    assert "similar ideas on the test split (70 posts)" in err.getvalue()
    assert not Workspace.objects.filter(slug__startswith="bench-ideas-").exists()
    assert not Idea.objects.exists()
    assert not Vote.objects.exists()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_the_built_ideas_keep_their_counted_votes():
    built = ideas.build(30, 400, seed=3)
    for idea in Idea.objects.filter(workspace=built.workspace):
        assert idea.vote_count == Vote.objects.filter(idea=idea, counted=True).count()
    assert Vote.objects.filter(workspace=built.workspace).count() == 400
    ideas.delete(built.workspace)
