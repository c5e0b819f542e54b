"""Fellegi-Sunter scoring: each field's level adds log2(m/u) bits of evidence, the sum plus the
prior becomes a probability that the two records are one person, with each field's part kept
for the explanation.

m is how often a level is seen when the records ARE one person, u when they are not (two
records picked at random). The values below are set by hand from what they mean, not fitted to
any labelled data (and never to the FEBRL benchmark's answers):

- exact agreement on a name: m ≈ 0.85 (names are mistyped, shortened, changed), u ≈ 1/200 for a
  first name and 1/500 for a surname (how often two strangers share one);
- a birth date: u ≈ 1/5000 (about 365 days x 80 years, less for bunching), m ≈ 0.85;
- a postcode or a town: u ≈ 1/200, a house number 1/50, a region 1/4;
- a national id, account number, email, phone or handle: u ≈ one in a million;
- a disagreement: m is the chance the same person's value was mistyped or changed, u close to 1.

PRIOR_BITS is log2 of the odds, before looking at any field, that two contacts of one workspace
are the same person: in a workspace of a million contacts where one in twenty has a duplicate,
that is 50,000 pairs among 5·10^11, about 2^-23. A pair is a match when the evidence outweighs
it, that is when the score passes 0.5.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapport.contacts.linkage import comparators as cmp
from rapport.contacts.linkage.records import Record

PRIOR_BITS = -23.0

#: The product's default: pairs scoring at or above it are the same person (and go to the review
#: queue, or merge when the workspace allows it and they pass its merge threshold). The
#: benchmark uses the same number. Equal to LinkagePolicy.review_threshold's default.
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the Record attribute
    label: str  # in the users' words
    compare: Callable[[Any, Any], cmp.Level]
    levels: dict[str, tuple[float, float]]  # level -> (m, u)

    def bits(self, level: str) -> float:
        m, u = self.levels[level]
        return math.log2(m / u)


NAME_LEVELS = {
    "exact": (0.85, 0.005),
    "close": (0.07, 0.004),
    "nickname": (0.03, 0.001),
    "similar": (0.02, 0.02),
    "initial": (0.01, 0.01),
    "different": (0.02, 0.96),
}

FIELDS: tuple[Field, ...] = (
    Field("first_name", "First name", cmp.first_name, NAME_LEVELS),
    Field(
        "last_name",
        "Last name",
        cmp.last_name,
        {
            "exact": (0.85, 0.002),
            "close": (0.08, 0.003),
            "similar": (0.03, 0.02),
            "different": (0.04, 0.975),
        },
    ),
    Field(
        "birth_date",
        "Date of birth",
        cmp.birth_date,
        {
            "exact": (0.85, 0.0002),
            "swapped": (0.02, 0.0001),
            "typo": (0.08, 0.002),
            "one part differs": (0.03, 0.02),
            "different": (0.02, 0.978),
        },
    ),
    Field(
        "street_number",
        "House number",
        cmp.code,
        {"exact": (0.85, 0.02), "typo": (0.05, 0.05), "different": (0.1, 0.93)},
    ),
    Field(
        "street",
        "Street",
        cmp.text,
        {
            "exact": (0.8, 0.001),
            "close": (0.12, 0.002),
            "similar": (0.04, 0.02),
            "different": (0.04, 0.977),
        },
    ),
    Field(
        "address_line",
        "Address line",
        cmp.text,
        {
            "exact": (0.8, 0.002),
            "close": (0.1, 0.003),
            "similar": (0.04, 0.02),
            "different": (0.06, 0.975),
        },
    ),
    Field(
        "city",
        "Town",
        cmp.place,
        {"exact": (0.85, 0.005), "close": (0.1, 0.003), "different": (0.05, 0.992)},
    ),
    Field(
        "postcode",
        "Postcode",
        cmp.code,
        {"exact": (0.85, 0.005), "typo": (0.1, 0.02), "different": (0.05, 0.975)},
    ),
    Field("region", "Region", cmp.equal, {"exact": (0.9, 0.25), "different": (0.1, 0.75)}),
    Field(
        "national_id",
        "National id or account number",
        cmp.code,
        {"exact": (0.85, 1e-6), "typo": (0.1, 1e-4), "different": (0.05, 0.9999)},
    ),
    Field("email_key", "Email", cmp.equal, {"exact": (0.9, 1e-6), "different": (0.3, 1.0)}),
    Field("phone", "Phone", cmp.equal, {"exact": (0.9, 1e-6), "different": (0.3, 1.0)}),
    Field("handles", "Handles", cmp.handles, {"shared": (0.9, 1e-6), "different": (0.4, 1.0)}),
    Field("links", "Bio links", cmp.shared, {"shared": (0.8, 1e-5), "different": (0.5, 1.0)}),
)


@dataclass(frozen=True, slots=True)
class Score:
    """How likely two records are one person (0-1), and each field's part in it."""

    score: float
    bits: float  # the evidence, before the prior
    explanation: tuple[dict[str, Any], ...]

    @property
    def is_match(self) -> bool:
        return self.score >= DEFAULT_THRESHOLD


def probability(bits: float) -> float:
    total = bits + PRIOR_BITS
    if total > 60:
        return 1.0
    if total < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-total))


def _swapped_names(a: Record, b: Record) -> bool:
    return bool(
        a.first_name
        and a.last_name
        and cmp.jaro_winkler(a.first_name, b.last_name) >= 0.92
        and cmp.jaro_winkler(a.last_name, b.first_name) >= 0.92
    )


def levels(a: Record, b: Record) -> dict[str, cmp.Level]:
    found = {f.name: f.compare(getattr(a, f.name), getattr(b, f.name)) for f in FIELDS}
    # first and last name written the other way round
    if found["first_name"] == found["last_name"] == "different" and _swapped_names(a, b):
        found["first_name"] = found["last_name"] = "close"
    return found


def weigh(a: Record, b: Record, skip: frozenset[str] = frozenset()) -> float:
    """The evidence in bits, without the explanation: the fast path for scoring many pairs."""
    total = 0.0
    for f, level in zip(FIELDS, levels(a, b).values(), strict=True):
        if level is not None and f.name not in skip:
            total += _BITS[f.name][level]
    return total


def score_pair(a: Record, b: Record) -> Score:
    """The score of one pair, with each compared field's level and contribution in bits."""
    explanation = []
    total = 0.0
    for f, level in zip(FIELDS, levels(a, b).values(), strict=True):
        if level is None:
            continue
        bits = _BITS[f.name][level]
        total += bits
        explanation.append(
            {"field": f.name, "label": f.label, "level": level, "bits": round(bits, 2)}
        )
    return Score(score=probability(total), bits=total, explanation=tuple(explanation))


_BITS: dict[str, dict[str, float]] = {f.name: {lv: f.bits(lv) for lv in f.levels} for f in FIELDS}
