"""Routing rules as data: the conditions, in JSON, checked against allow-lists.

A condition is `{"field": ..., "operator": ..., "value": ...}` over what triage knows of a post
(the labels of the queries it matched, network, sentiment, intent, words, the author's reach,
the contact's tier, language, hour of day, the triage score). What a rule does when its
conditions hold is a list of actions, each of a type in the registry (`registry.py`).

`clean_conditions` turns untrusted JSON into the stored form or raises a ValidationError that
names the field or operator that is wrong. `Facts.matches` evaluates conditions; a fact nobody
knows yet (a contact's tier) matches no condition at all.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError

from rapport.connectors.registry import CONNECTORS
from rapport.inbox.cleaning import invalid, text, unknown, whole_number
from rapport.listening.models import Intent, ListeningQuery, Sentiment

MAX_CONDITIONS = 20
MAX_LIST = 50

CHOICE_OPERATORS = ("is", "is_not", "in", "not_in")
NUMBER_OPERATORS = ("gte", "gt", "lte", "lt", "eq")
KEYWORD_OPERATORS = ("contains_any", "contains_all", "contains_none")


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # choice | number | keywords | text | hour
    operators: tuple[str, ...]
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 2**31 - 1
    help: str = ""


def _fields() -> dict[str, FieldSpec]:
    return {
        "query_label": FieldSpec(
            "choice",
            CHOICE_OPERATORS,
            tuple(ListeningQuery.Label.values),
            help="the label of a query the post matched",
        ),
        "network": FieldSpec("choice", CHOICE_OPERATORS, tuple(CONNECTORS)),
        "sentiment": FieldSpec("choice", CHOICE_OPERATORS, tuple(Sentiment.values)),
        "intent": FieldSpec("choice", CHOICE_OPERATORS, tuple(Intent.values)),
        "keywords": FieldSpec("keywords", KEYWORD_OPERATORS, help="words or phrases in the text"),
        "author_reach": FieldSpec("number", NUMBER_OPERATORS, help="followers of the author"),
        "contact_tier": FieldSpec("text", CHOICE_OPERATORS, help="unknown tiers match nothing"),
        "language": FieldSpec("text", CHOICE_OPERATORS, help="ISO 639-1 code, e.g. en"),
        "hour_of_day": FieldSpec(
            "hour", (*NUMBER_OPERATORS, "between"), maximum=23, help="0-23, workspace time"
        ),
        "score": FieldSpec("number", NUMBER_OPERATORS, maximum=100, help="triage priority 0-100"),
    }


FIELDS = _fields()


def _clean_value(spec: FieldSpec, name: str, operator: str, value: object, where: str) -> Any:
    if spec.kind == "keywords":
        words = value if isinstance(value, list) else [value]
        if not words or len(words) > MAX_LIST:
            raise invalid(where, f"keywords need 1 to {MAX_LIST} words or phrases")
        return [" ".join(text(w, where, "a keyword").split()) for w in words]
    if spec.kind in ("number", "hour"):
        if operator == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise invalid(where, "between needs two hours, e.g. [18, 8]")
            return [whole_number(v, where, name, spec.minimum, spec.maximum) for v in value]
        return whole_number(value, where, name, spec.minimum, spec.maximum)
    many = operator in ("in", "not_in")
    if many and (not isinstance(value, list) or not value or len(value) > MAX_LIST):
        raise invalid(where, f"{operator} needs a list of 1 to {MAX_LIST} values")
    values: list[object] = value if isinstance(value, list) else [value]
    cleaned = []
    for v in values:
        word = text(v, where, name)
        if spec.choices and word not in spec.choices:
            raise invalid(where, unknown(name, v, spec.choices))
        cleaned.append(word)
    return cleaned if many else cleaned[0]


def clean_conditions(conditions: object) -> list[dict[str, Any]]:
    """The conditions as stored, or a ValidationError naming the unknown field or operator."""
    if conditions in (None, ""):
        return []
    if not isinstance(conditions, list):
        raise ValidationError("Conditions must be a list of {field, operator, value} objects.")
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError(f"A rule has at most {MAX_CONDITIONS} conditions.")
    cleaned = []
    for i, condition in enumerate(conditions, 1):
        where = f"Condition {i}"
        if not isinstance(condition, dict):
            raise invalid(where, "must be an object with field, operator and value")
        extra = set(condition) - {"field", "operator", "value"}
        if extra:
            raise invalid(where, f"unexpected key {sorted(extra)[0]!r}")
        name = condition.get("field")
        spec = FIELDS.get(name) if isinstance(name, str) else None
        if spec is None:
            raise invalid(where, unknown("field", name, FIELDS))
        operator = condition.get("operator")
        if operator not in spec.operators:
            raise invalid(where, unknown(f"operator for {name}", operator, spec.operators))
        if "value" not in condition:
            raise invalid(where, "needs a value")
        value = _clean_value(spec, str(name), str(operator), condition["value"], where)
        cleaned.append({"field": name, "operator": operator, "value": value})
    return cleaned


_WORDS = re.compile(r"\w+")


@dataclass
class Facts:
    """What a rule can see of one post (and its author)."""

    labels: frozenset[str] = frozenset()
    network: str = ""
    sentiment: str = ""
    intent: str = ""
    text: str = ""
    author_reach: int = 0
    contact_tier: str | None = None  # None: not known, matches no condition
    language: str = ""
    posted_at: datetime | None = None
    score: int = 0
    _words: str | None = field(default=None, repr=False)

    @property
    def words(self) -> str:
        if self._words is None:
            self._words = " " + " ".join(_WORDS.findall(self.text.casefold())) + " "
        return self._words

    def value(self, name: str) -> Any:
        if name == "query_label":
            return self.labels
        if name == "hour_of_day":
            if self.posted_at is None:
                return None
            return self.posted_at.astimezone(ZoneInfo(settings.TIME_ZONE)).hour
        if name == "contact_tier":
            return self.contact_tier.lower() if self.contact_tier else None
        return getattr(self, name)

    def holds(self, condition: dict[str, Any]) -> bool:
        name, operator, expected = condition["field"], condition["operator"], condition["value"]
        if name == "keywords":
            found = [f" {' '.join(_WORDS.findall(w))} " in self.words for w in expected]
            if operator == "contains_any":
                return any(found)
            if operator == "contains_all":
                return all(found)
            return not any(found)
        actual = self.value(name)
        if actual is None:
            return False
        if isinstance(actual, frozenset):  # a post may match several queries
            wanted = set(expected) if isinstance(expected, list) else {expected}
            overlap = bool(actual & wanted)
            return overlap if operator in ("is", "in") else not overlap
        if operator == "is":
            return bool(actual == expected)
        if operator == "is_not":
            return bool(actual != expected)
        if operator == "in":
            return actual in expected
        if operator == "not_in":
            return actual not in expected
        if operator == "between":
            low, high = expected
            return bool(low <= actual <= high if low <= high else actual >= low or actual <= high)
        return bool(
            {
                "gte": actual >= expected,
                "gt": actual > expected,
                "lte": actual <= expected,
                "lt": actual < expected,
                "eq": actual == expected,
            }[operator]
        )

    def matches(self, conditions: list[dict[str, Any]], match: str = "all") -> bool:
        if not conditions:
            return True
        results = (self.holds(c) for c in conditions)
        return any(results) if match == "any" else all(results)


def describe_condition(condition: dict[str, Any]) -> str:
    words = {
        "is": "is",
        "is_not": "is not",
        "in": "is one of",
        "not_in": "is none of",
        "gte": "≥",
        "gt": ">",
        "lte": "≤",
        "lt": "<",
        "eq": "=",
        "between": "between",
        "contains_any": "contains any of",
        "contains_all": "contains all of",
        "contains_none": "contains none of",
    }
    value = condition["value"]
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    label = condition["field"].replace("_", " ")
    return f"{label} {words.get(condition['operator'], condition['operator'])} {shown}"
