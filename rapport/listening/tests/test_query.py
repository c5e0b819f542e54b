"""The listening query language: every form, precedence, folding, and errors that say where."""

import pytest

from rapport.listening.query import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    And,
    Field,
    Mention,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Tag,
    Term,
    fold,
    parse,
)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("acme", Term("acme")),
        ('"acme bank"', Phrase(("acme", "bank"))),
        ('"acme"', Term("acme")),  # a one-word phrase is a term
        ("@AcmeBank", Mention("acmebank")),
        ("#AcmeSpring", Tag("acmespring")),
        ("@acme.bank", Mention("acme.bank")),
        ("lang:EN", Field("lang", "en")),
        ("LANG:fr", Field("lang", "fr")),
        ("from:@Dana", Field("from", "dana")),
        ("network:Mastodon", Field("network", "mastodon")),
        ("acme-bank", Phrase(("acme", "bank"))),  # words joined by punctuation, in that order
        ("acme.com", Phrase(("acme", "com"))),
        ("acme bank", And((Term("acme"), Term("bank")))),
        ("acme AND bank", And((Term("acme"), Term("bank")))),
        ("acme OR bank", Or((Term("acme"), Term("bank")))),
        ("acme -job", And((Term("acme"), Not(Term("job"))))),
        ("acme NOT job", And((Term("acme"), Not(Term("job"))))),
        ("(acme)", Term("acme")),
        ("acme -(job OR hiring)", And((Term("acme"), Not(Or((Term("job"), Term("hiring"))))))),
    ],
)
def test_each_form_parses_to_its_tree(query, tree):
    assert parse(query) == tree


def test_and_binds_tighter_than_or_as_on_x():
    assert parse("a b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))
    assert parse("a OR b c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert parse("a AND b OR c AND d") == Or(
        (And((Term("a"), Term("b"))), And((Term("c"), Term("d"))))
    )
    assert parse("a (b OR c)") == And((Term("a"), Or((Term("b"), Term("c")))))


def test_not_applies_to_the_next_part_only():
    assert parse("NOT x y") == And((Not(Term("x")), Term("y")))
    assert parse("-(a OR b) c") == And((Not(Or((Term("a"), Term("b")))), Term("c")))


def test_the_lowercase_words_are_terms_not_operators():
    assert parse("acme or bank") == And((Term("acme"), Term("or"), Term("bank")))


def test_case_and_accents_are_folded():
    assert parse("Café") == Term("cafe")
    assert parse('"Crédit AGRICOLE"') == Phrase(("credit", "agricole"))
    assert parse("#Société") == Tag("societe")
    assert fold("ÉCOLE Straße") == "ecole strasse"
    assert fold("plain ascii") == "plain ascii"


def test_the_classic_example():
    assert parse('"acme bank" OR @acmebank -job lang:en') == Or(
        (
            Phrase(("acme", "bank")),
            And((Mention("acmebank"), Not(Term("job")), Field("lang", "en"))),
        )
    )


@pytest.mark.parametrize(
    ("query", "position", "problem"),
    [
        ("", 1, "the query is empty"),
        ("   ", 1, "the query is empty"),
        ("(acme", 1, "this '(' is never closed"),
        ("acme (", 6, "this '(' is never closed"),
        ("acme)", 5, "this ')' has no matching '('"),
        ("acme OR", 6, "OR needs something after it"),
        ("OR acme", 1, "OR needs something before it"),
        ("acme AND", 6, "AND needs something after it"),
        ("acme AND OR bank", 6, "AND needs something after it"),
        ('acme "bank', 6, "this quote is never closed"),
        ('acme ""', 6, "this phrase has no words in it"),
        ("acme foo:bar", 6, "unknown field 'foo'; use one of lang:, from:, network:"),
        ("acme lang:english", 6, "'english' is not a language code such as en or fr"),
        ("acme lang:", 6, "lang: needs a value"),
        ("acme @", 6, "'@' is not a valid handle"),
        ("acme #!x", 6, "'#!x' is not a valid hashtag"),
        ("acme ()", 6, "these parentheses are empty"),
        ("acme !!!", 6, "'!!!' has no letters or digits"),
        ("acme NOT", 6, "NOT needs something after it"),
        ("-acme", 1, "a query needs at least one thing a post must contain, not only exclusions"),
        ("-a OR b", 1, "a query needs at least one thing a post must contain, not only exclusions"),
    ],
)
def test_errors_name_the_position_and_the_problem(query, position, problem):
    with pytest.raises(QuerySyntaxError) as error:
        parse(query)
    assert (error.value.position, error.value.problem) == (position, problem)
    assert str(error.value) == f"At position {position}: {problem}"


def test_a_query_has_a_maximum_length():
    parse("a" * MAX_QUERY_LENGTH)
    with pytest.raises(QuerySyntaxError) as error:
        parse("a" * (MAX_QUERY_LENGTH + 1))
    assert error.value.position == MAX_QUERY_LENGTH + 1
    assert "at most 2000 characters" in error.value.problem


def test_nesting_has_a_maximum_depth():
    parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(QuerySyntaxError) as error:
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert error.value.position == MAX_DEPTH + 1
    assert error.value.problem == "parentheses are nested too deeply"


def test_a_long_chain_of_exclusions_is_an_error_not_a_crash():
    with pytest.raises(QuerySyntaxError) as error:
        parse("-" * 1999 + "a")
    assert error.value.problem == "exclusions are nested too deeply"
