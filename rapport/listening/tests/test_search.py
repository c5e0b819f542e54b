"""Full-text search on both databases: words found wherever they are; typed syntax is inert."""

import pytest
from django.db import connection
from django.utils import timezone

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.listening import search
from rapport.listening.ingest import receive
from rapport.listening.models import Post

pytestmark = pytest.mark.django_db


def heard(workspace, *texts, title=""):
    receive(
        workspace,
        Batch(
            posts=[
                NormalisedPost(
                    network="mastodon",
                    external_id=f"{title}{text}{i}",
                    text=text,
                    title=title,
                    author=Author(external_id="a", handle="a"),
                    created_at=timezone.now(),
                )
                for i, text in enumerate(texts)
            ]
        ),
    )


def found(workspace, text):
    return sorted(
        search.search(Post.objects.filter(workspace=workspace), text).values_list("text", flat=True)
    )


def test_every_word_must_be_present_the_last_one_as_a_prefix(acme):
    heard(acme, "Mortgage payment bounced", "mortgages are expensive", "payment app")
    assert found(acme, "mortg") == ["Mortgage payment bounced", "mortgages are expensive"]
    assert found(acme, "mortgage payment") == ["Mortgage payment bounced"]
    assert found(acme, "payment mortgage") == ["Mortgage payment bounced"]
    assert found(acme, "app mortgage") == []


def test_accented_words_and_titles_are_searched(acme):
    heard(acme, "Le prêt immobilier était rapide", title="")
    heard(acme, "body only", title="Ask HN: best bank API?")
    assert found(acme, "prêt") == ["Le prêt immobilier était rapide"]
    if connection.vendor == "sqlite":  # PostgreSQL's 'simple' configuration keeps accents
        assert found(acme, "pret") == ["Le prêt immobilier était rapide"]
    assert found(acme, "bank api") == ["body only"]


def test_edits_and_deletions_keep_the_index_in_step(acme):
    heard(acme, "old words here")
    Post.objects.filter(workspace=acme).update(text="new words")
    assert found(acme, "old") == []
    assert found(acme, "new") == ["new words"]
    Post.objects.filter(workspace=acme).delete()
    assert found(acme, "new") == []


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"acme',
        "acme*",
        "*",
        "acme OR",
        "OR",
        "-acme",
        "-",
        "NOT acme",
        "(acme",
        "a:b",
        "acme AND",
        "'; DROP TABLE listening_post; --",
        "NEAR(acme bank)",
        "acme^2",
        "\\",
        "&|!",
    ],
)
def test_syntax_typed_in_the_search_box_never_breaks_the_query(acme, typed):
    heard(acme, "acme bank is fine", "nothing here")
    result = found(acme, typed)  # does not raise
    assert result in ([], ["acme bank is fine"], ["acme bank is fine", "nothing here"])
    assert Post.objects.filter(workspace=acme).count() == 2


def test_a_box_without_words_narrows_nothing(acme):
    heard(acme, "one", "two")
    assert len(found(acme, "  *** ")) == 2


def test_search_stays_inside_the_queryset_it_is_given(acme, globex):
    heard(acme, "acme bank")
    heard(globex, "acme bank")
    assert len(found(acme, "acme")) == 1


def test_expressions_quote_every_word():
    assert search.fts5_expression('a"b OR c*') == '"a" "b" "or" "c"*'
    assert search.tsquery_expression("it's (fine)") == "it & s & fine:*"
    assert search.fts5_expression("***") == ""
