"""The matcher the product and the benchmark share: block, score, keep the pairs that pass."""

from collections.abc import Sequence
from dataclasses import dataclass

from rapport.contacts.linkage.blocking import dedupe_pairs, link_pairs
from rapport.contacts.linkage.records import Record
from rapport.contacts.linkage.scoring import (
    DEFAULT_THRESHOLD,
    Score,
    probability,
    score_pair,
    weigh,
)

#: Keys that identify one person on their own: they link at once, unless everything else in
#: the two records says they are different people (CONTRADICTED_BITS).
DETERMINISTIC = (
    ("email_key", "Same email"),
    ("phone", "Same phone number"),
    ("national_id", "Same national id or account number"),
)


#: The other fields' evidence (in bits) below which a shared key is not enough on its own: a
#: household's phone or email, a recycled number, where names, birth date and town all differ.
#: Then the key is strong evidence in the score, not a link by itself.
CONTRADICTED_BITS = -8.0
KEY_FIELDS = frozenset({"email_key", "phone", "national_id", "handles", "links"})


def _key(a: Record, b: Record) -> str | None:
    for name, reason in DETERMINISTIC:
        value = getattr(a, name)
        if value and value == getattr(b, name):
            return reason
    if a.handles & b.handles:
        return "Same handle on the same network"
    return None


def deterministic(a: Record, b: Record) -> str | None:
    """Why the two records are certainly one person, or None."""
    reason = _key(a, b)
    if reason is None or weigh(a, b, skip=KEY_FIELDS) < CONTRADICTED_BITS:
        return None
    return reason


@dataclass(frozen=True, slots=True)
class Match:
    left: Record
    right: Record
    score: float
    reason: str = ""  # set when a deterministic key linked them


def explain(a: Record, b: Record) -> Score:
    """The score of a pair with its explanation; a deterministic key scores 1."""
    found = score_pair(a, b)
    reason = deterministic(a, b)
    if reason is None:
        return found
    return Score(
        score=1.0,
        bits=found.bits,
        explanation=(
            {"field": "key", "label": reason, "level": "deterministic", "bits": None},
            *found.explanation,
        ),
    )


def _judge(a: Record, b: Record, threshold: float) -> Match | None:
    reason = deterministic(a, b)
    if reason:
        return Match(a, b, 1.0, reason)
    score = probability(weigh(a, b))
    return Match(a, b, score) if score >= threshold else None


def dedupe(records: Sequence[Record], threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
    """Pairs within one list that are probably the same person."""
    found = (_judge(records[i], records[j], threshold) for i, j in dedupe_pairs(records))
    return [m for m in found if m is not None]


def link(
    left: Sequence[Record], right: Sequence[Record], threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """Pairs across two lists that are probably the same person."""
    found = (_judge(left[i], right[j], threshold) for i, j in link_pairs(left, right))
    return [m for m in found if m is not None]
