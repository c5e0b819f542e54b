"""The one-pass matcher: each atom kind, and the index agrees with evaluating every query."""

import random
import re

import pytest

from rapport.bench.traffic import Traffic, generate_queries
from rapport.listening.matcher import Matcher, features, triggers
from rapport.listening.query import (
    And,
    Field,
    Mention,
    Node,
    Not,
    Or,
    Phrase,
    Tag,
    Term,
    fold,
    parse,
)


def matches(query: str, text: str, **post: str) -> bool:
    return Matcher([(1, query)]).match(features(text, **post)) == [1]


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("acme", "I love Acme!", True),
        ("acme", "I love AcmeBank", False),  # whole words only
        ("acme", "thanks #acme", True),  # a term matches the word in a tag
        ("acme", "cc @acme", True),  # ... and in a mention
        ("cafe", "Le Café du coin", True),  # accents and case folded on both sides
        ("café", "le CAFE", True),
        ('"acme bank"', "Acme  Bank, again", True),
        ('"acme bank"', "bank acme", False),  # a phrase keeps its order
        ('"acme bank"', "acme savings bank", False),
        ("acme-bank", "the acme bank app", True),
        ("@acmebank", "hey @AcmeBank help", True),
        ("@acmebank", "acmebank is down", False),  # a mention needs the @
        ("#acmespring", "running #AcmeSpring", True),
        ("#acmespring", "acmespring run", False),
        ("@acme.bank", "ping @acme.bank please", True),
        ("acme -job", "acme is hiring, job offer", False),
        ("acme -job", "acme is great", True),
        ("acme OR globex", "globex rates", True),
        ("acme globex", "globex rates", False),
    ],
)
def test_each_atom_kind(query, text, expected):
    assert matches(query, text) is expected


def test_fields_match_the_post_not_its_text():
    assert matches("acme lang:en", "acme", language="en-GB")
    assert not matches("acme lang:en", "acme", language="fr")
    assert not matches("acme lang:en", "acme lang:en")
    assert matches("acme from:dana", "acme", author="@Dana")
    assert not matches("acme from:dana", "acme from dana", author="sam")
    assert matches("acme network:reddit", "acme", network="reddit")
    assert not matches("acme network:reddit", "acme", network="x")


def test_a_query_made_only_of_negations_at_the_top_is_matched_by_its_positive_part():
    assert matches("acme -(job OR hiring) -spam", "acme news")
    assert not matches("acme -(job OR hiring) -spam", "acme hiring")


def test_a_post_against_many_queries_gets_exactly_the_right_ids():
    matcher = Matcher(
        [
            (1, '"acme bank" OR @acmebank'),
            (2, "globex"),
            (3, "acme -job"),
            (4, "acme lang:fr"),
            (5, "#acmespring"),
            (6, "(refund OR fees) @acmebank"),
        ]
    )
    post = features("@AcmeBank still no refund for my Acme Bank card", language="en")
    assert matcher.match(post) == [1, 3, 6]
    assert matcher.match(features("Globex and acme: job offers")) == [2]
    assert matcher.match(features("nothing to see")) == []
    assert len(matcher) == 6


def test_triggers_are_keys_every_match_holds():
    assert triggers(parse("acme bank")) in ({"acme"}, {"bank"})
    assert triggers(parse("acme OR @globex")) == {"acme", "@:globex"}
    assert triggers(parse('"acme bank" lang:en')) == {"acme"}  # a word narrows more than lang:
    # must be evaluated for every post (parse refuses it alone, but it can be part of an AND)
    assert triggers(Or((Term("acme"), Not(Term("job"))))) is None


# -- the index against a brute-force evaluation of every query ----------------------------------

_PART = re.compile(r"([@#])(\w+(?:[.\-]\w+)*)")


def evaluate(node: Node, post: dict) -> bool:
    """The query's meaning, written out plainly, without the matcher's index or closures."""
    words = post["words"]
    if isinstance(node, Term):
        return node.word in words
    if isinstance(node, Phrase):
        n = len(node.words)
        return any(tuple(words[i : i + n]) == node.words for i in range(len(words)))
    if isinstance(node, Mention):
        return ("@", node.handle) in post["parts"]
    if isinstance(node, Tag):
        return ("#", node.tag) in post["parts"]
    if isinstance(node, Field):
        return post[node.name] == node.value
    if isinstance(node, Not):
        return not evaluate(node.child, post)
    results = [evaluate(c, post) for c in node.children]
    return all(results) if isinstance(node, And) else any(results)


def random_queries(rng: random.Random, count: int) -> list[str]:
    words = ["acme", "bank", "globex", "refund", "fees", "card", "app", "love", "mortgage"]
    atoms = [*words, '"acme bank"', '"travel card"', "@acmebank", "#acmebank", "#banking"]
    atoms += ["lang:en", "lang:fr", "network:x", "network:reddit", "from:user7"]

    def part(depth: int) -> str:
        r = rng.random()
        if depth < 2 and r < 0.2:
            return "(" + " OR ".join(part(depth + 1) for _ in range(rng.randint(2, 3))) + ")"
        if r < 0.3:
            return "-" + rng.choice(atoms)
        return rng.choice(atoms)

    queries: list[str] = []
    while len(queries) < count:
        query = rng.choice([" ", " OR ", " "]).join(part(0) for _ in range(rng.randint(1, 4)))
        try:
            parse(query)
        except ValueError:
            continue
        queries.append(query)
    return queries


def test_the_index_finds_exactly_what_evaluating_every_query_finds():
    rng = random.Random(7)
    queries = [q for _, q, _ in generate_queries(400, seed=3)] + random_queries(rng, 400)
    matcher = Matcher(enumerate(queries))
    trees = [parse(q) for q in queries]
    posts = Traffic(seed=5).texts(1500)
    posts += [("Café @AcmeBank refund?? #banking", "fr", "user7", "x")]
    for text, language, author, network in posts:
        folded = fold(text)
        post = {
            "words": re.findall(r"\w+", folded),
            "parts": _PART.findall(folded),
            "lang": language.split("-")[0],
            "from": fold(author),
            "network": network,
        }
        expected = [i for i, tree in enumerate(trees) if evaluate(tree, post)]
        found = matcher.match(features(text, language=language, author=author, network=network))
        assert found == expected, text
