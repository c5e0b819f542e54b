"""The matcher on its own: comparators, the scorer's explanation, blocking, the threshold."""

import random

from rapport.contacts.linkage import comparators as cmp
from rapport.contacts.linkage.blocking import dedupe_pairs, link_pairs
from rapport.contacts.linkage.matcher import dedupe, deterministic, explain, link
from rapport.contacts.linkage.records import make_record
from rapport.contacts.linkage.scoring import DEFAULT_THRESHOLD, score_pair
from rapport.contacts.models import LinkagePolicy


def test_first_names_know_nicknames_and_typos():
    assert cmp.first_name("robert", "robert") == "exact"
    assert cmp.first_name("bob", "robert") == "nickname"
    assert cmp.first_name("robert", "bob") == "nickname"
    assert cmp.first_name("katherine", "katherien") == "close"
    assert cmp.first_name("robert", "susan") == "different"
    assert cmp.first_name("", "robert") is None


def test_last_names_forgive_a_typo_and_spacing():
    assert cmp.last_name("mcdonald", "mc donald") == "exact"
    assert cmp.last_name("okafor", "okafro") == "close"
    assert cmp.last_name("okafor", "smith") == "different"


def test_dates_of_birth_know_swaps_and_typos():
    assert cmp.birth_date("19900314", "19900314") == "exact"
    assert cmp.birth_date("19900304", "19900403") == "swapped"
    assert cmp.birth_date("19900314", "19900315") == "typo"
    assert cmp.birth_date("19900314", "19750314") == "one part differs"
    assert cmp.birth_date("19900314", "19721101") == "different"
    assert cmp.birth_date("19900314", "") is None


def test_codes_and_places():
    assert cmp.code("4223", "4232") == "typo"
    assert cmp.code("4223", "7310") == "different"
    assert cmp.place("winston hills", "winstonhills") == "exact"
    assert cmp.place("winston hills", "winston hils") == "close"


def test_handles_on_different_networks_say_nothing():
    a = frozenset({"mastodon:maya"})
    assert cmp.handles(a, frozenset({"mastodon:maya"})) == "shared"
    assert cmp.handles(a, frozenset({"mastodon:other"})) == "different"
    assert cmp.handles(a, frozenset({"bluesky:other"})) is None


def test_the_explanation_gives_each_fields_level_and_contribution():
    a = make_record(
        1, first_name="Robert", last_name="Okafor", birth_date="1990-03-14", city="Leeds"
    )
    b = make_record(
        2,
        first_name="Bob",
        last_name="Okafor",
        birth_date="19900314",
        city="London",
        email_key="bob@example.com",
    )
    result = score_pair(a, b)
    by_field = {e["field"]: e for e in result.explanation}
    assert by_field["first_name"]["level"] == "nickname"
    assert by_field["last_name"]["level"] == "exact"
    assert by_field["birth_date"]["level"] == "exact"
    assert by_field["city"]["level"] == "different"
    assert by_field["city"]["bits"] < 0 < by_field["last_name"]["bits"]
    assert "email_key" not in by_field  # one side unknown: no evidence either way
    assert abs(sum(e["bits"] for e in result.explanation) - result.bits) < 0.05
    assert 0.0 <= result.score <= 1.0


def test_strong_agreement_passes_the_threshold_and_a_shared_surname_does_not():
    a = make_record(
        1,
        first_name="Maya",
        last_name="Chen",
        birth_date="19850402",
        postcode="LS1 4AP",
        city="Leeds",
    )
    twin = make_record(
        2,
        first_name="Maya",
        last_name="Chenn",
        birth_date="19850402",
        postcode="LS14AP",
        city="Leeds",
    )
    stranger = make_record(
        3,
        first_name="Wei",
        last_name="Chen",
        birth_date="19610911",
        postcode="M1 1AA",
        city="Manchester",
    )
    assert score_pair(a, twin).score >= DEFAULT_THRESHOLD
    assert score_pair(a, stranger).score < 0.01


def test_deterministic_keys_link_at_once_whatever_else_differs():
    a = make_record(1, first_name="Maya", last_name="Chen", email_key="maya@example.com")
    b = make_record(2, first_name="M", last_name="Okafor", email_key="maya@example.com")
    assert deterministic(a, b) == "Same email"
    result = explain(a, b)
    assert result.score == 1.0
    assert result.explanation[0]["level"] == "deterministic"
    c = make_record(3, handles=[("mastodon", "@Maya")])
    d = make_record(4, handles=[("mastodon", "maya")])
    assert deterministic(c, d) == "Same handle on the same network"


def test_a_shared_phone_with_other_names_is_evidence_not_a_link():
    a = make_record(1, first_name="Priya", last_name="Cook", phone="+447700900044")
    b = make_record(2, first_name="Yuki", last_name="Nguyen", phone="+447700900044")
    assert deterministic(a, b) is None  # a household's phone, a recycled number
    result = explain(a, b)
    assert result.score < DEFAULT_THRESHOLD
    assert {"field": "phone", "label": "Phone", "level": "exact"}.items() <= next(
        e for e in result.explanation if e["field"] == "phone"
    ).items()


def test_first_and_last_name_swapped_still_match():
    a = make_record(1, first_name="chen", last_name="maya", birth_date="19850402")
    b = make_record(2, first_name="maya", last_name="chen", birth_date="19850402")
    levels = {e["field"]: e["level"] for e in score_pair(a, b).explanation}
    assert levels["first_name"] == levels["last_name"] == "close"


def test_the_default_threshold_is_the_policys_review_threshold():
    assert LinkagePolicy._meta.get_field("review_threshold").default == DEFAULT_THRESHOLD


FIRST = ["maya", "sam", "priya", "ingrid", "tom", "ravi", "nora", "leo", "adam", "olivia"]
LAST = ["chen", "okafor", "nair", "sorensen", "becker", "patel", "blake", "martins", "reyes"]


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(text))
    return text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + "x" + text[i:]


def _people(n: int, seed: int = 7) -> tuple[list, list, set[tuple[int, int]]]:
    rng = random.Random(seed)
    originals, copies, truth = [], [], set()
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST) + str(i % 50)
        dob = f"{rng.randint(1940, 2004)}{rng.randint(1, 12):02}{rng.randint(1, 28):02}"
        postcode = f"{rng.randint(1000, 9999)}"
        city = rng.choice(["leeds", "york", "hull", "bath", "derby"])
        originals.append(
            make_record(
                i, first_name=first, last_name=last, birth_date=dob, postcode=postcode, city=city
            )
        )
        # one error in one field, as a second system would write it
        field = rng.choice(["first", "last", "dob", "postcode"])
        copies.append(
            make_record(
                10_000 + i,
                first_name=_typo(first, rng) if field == "first" else first,
                last_name=_typo(last, rng) if field == "last" else last,
                birth_date=dob[:4] + dob[6:] + dob[4:6] if field == "dob" else dob,
                postcode=_typo(postcode, rng) if field == "postcode" else postcode,
                city=city,
            )
        )
        truth.add((i, i))
    return originals, copies, truth


def test_blocking_keeps_nearly_every_true_pair_and_few_others():
    left, right, truth = _people(400)
    pairs = link_pairs(left, right)
    found = {(left[i].key, right[j].key - 10_000) for i, j in pairs}
    assert len(found & truth) / len(truth) >= 0.99
    assert len(pairs) < 400 * 400 / 20  # far fewer than every pair


def test_link_and_dedupe_find_the_copies():
    left, right, truth = _people(300, seed=3)
    found = {(m.left.key, m.right.key - 10_000) for m in link(left, right)}
    assert len(found & truth) >= 0.97 * len(truth)
    assert len(found - truth) <= 3
    together = left + right
    assert dedupe_pairs(together)
    pairs = {(m.left.key, m.right.key) for m in dedupe(together)}
    assert len({p for p in pairs if p[1] - p[0] == 10_000}) >= 0.97 * 300
