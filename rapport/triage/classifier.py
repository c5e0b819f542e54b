"""The model interface the pipeline's classify step calls, and the lexicon fallback model.

`predict(texts)` returns, for each text, sentiment with probabilities, the probability that it is
a complaint, the intent with probabilities, and the language. The trained models plug in behind
`get_classifier()`; the lexicon model below answers when no trained artifact exists.
"""

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Protocol

from rapport.triage.language import detect_language

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "praise", "question", "lead", "idea", "other")


@dataclass(frozen=True, slots=True)
class Prediction:
    sentiment: str
    sentiment_probabilities: dict[str, float]
    complaint_probability: float
    intent: str
    intent_probabilities: dict[str, float]
    text: str = field(default="", repr=False, compare=False)

    @property
    def language(self) -> str:
        """The text's language (guessed on first use: most callers know it from the network)."""
        return detect_language(self.text)

    @property
    def sentiment_score(self) -> float:
        """-1 (negative) … 1 (positive)."""
        p = self.sentiment_probabilities
        return round(p["positive"] - p["negative"], 4)


class Classifier(Protocol):
    name: str

    def predict(self, texts: list[str]) -> list[Prediction]: ...


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: round(v / total, 4) for k, v in exp.items()}


_WORD = re.compile(r"[a-z']+|[!?]")

POSITIVE = frozenset(
    [
        "love",
        "loved",
        "loving",
        "great",
        "excellent",
        "amazing",
        "awesome",
        "thanks",
        "thank",
        "fantastic",
        "helpful",
        "happy",
        "perfect",
        "best",
        "brilliant",
        "wonderful",
        "quick",
        "smooth",
        "easy",
        "recommend",
        "impressed",
        "kudos",
        "glad",
        "nice",
        "good",
        "superb",
        "friendly",
        "fast",
        "solved",
        "fixed",
        "appreciate",
        "appreciated",
    ]
)
NEGATIVE = frozenset(
    [
        "hate",
        "terrible",
        "awful",
        "worst",
        "bad",
        "broken",
        "scam",
        "useless",
        "rude",
        "slow",
        "never",
        "failed",
        "fail",
        "fails",
        "failing",
        "declined",
        "charged",
        "overcharged",
        "fraud",
        "ridiculous",
        "disappointed",
        "disappointing",
        "angry",
        "annoyed",
        "frustrating",
        "frustrated",
        "unacceptable",
        "horrible",
        "poor",
        "waiting",
        "waited",
        "stuck",
        "lost",
        "error",
        "crash",
        "crashes",
        "crashed",
        "down",
        "outage",
        "locked",
        "blocked",
        "refund",
        "cancel",
        "cancelled",
        "ripoff",
    ]
)
NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "can't",
        "cannot",
        "won't",
    ]
)
COMPLAINT_CUES = frozenset(
    [
        "still",
        "charged",
        "refund",
        "broken",
        "fix",
        "error",
        "crash",
        "crashes",
        "down",
        "outage",
        "locked",
        "blocked",
        "waiting",
        "waited",
        "hours",
        "days",
        "unacceptable",
        "complaint",
        "support",
        "declined",
        "lost",
        "fees",
        "fee",
        "overcharged",
        "nobody",
        "cancel",
    ]
)
LEAD_CUES = (
    "looking for",
    "recommend a",
    "any recommendations",
    "which bank",
    "switch to",
    "switching to",
    "thinking of opening",
    "want to open",
    "need a mortgage",
    "best bank",
    "suggestions for",
    "where can i get",
    "how do i open",
    "interested in",
    "quote for",
    "shopping for",
)
IDEA_CUES = (
    "would be great if",
    "would be nice if",
    "should add",
    "please add",
    "feature request",
    "wish you",
    "i wish",
    "it would help if",
    "why not add",
    "could you add",
    "suggestion:",
    "idea:",
    "would love a",
    "would love to see",
)
QUESTION_STARTS = frozenset(
    [
        "how",
        "what",
        "why",
        "when",
        "where",
        "who",
        "which",
        "can",
        "could",
        "does",
        "do",
        "is",
        "are",
        "will",
    ]
)


def _any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pass over the text instead of one substring search per phrase."""
    return re.compile("|".join(re.escape(p) for p in phrases))


_LEAD = _any_of(LEAD_CUES)
_IDEA = _any_of(IDEA_CUES)


class LexiconClassifier:
    """Word lists and cues: weak but fast and dependency-free, the fallback model."""

    name = "lexicon-1"

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> Prediction:
        lower = text.lower()
        words = _WORD.findall(lower)
        pos = neg = 0.0
        negate = 0
        for w in words:
            if w in NEGATORS:
                negate = 3
                continue
            if w in POSITIVE:
                pos, neg = (pos, neg + 1) if negate else (pos + 1, neg)
            elif w in NEGATIVE:
                pos, neg = (pos + 0.5, neg) if negate else (pos, neg + 1)
            negate = max(0, negate - 1)
        sentiment = _softmax({"negative": 1.2 * neg, "neutral": 0.6, "positive": 1.2 * pos})
        complaint_hits = sum(w in COMPLAINT_CUES for w in words)
        complaint = 1 / (1 + math.exp(-(1.4 * complaint_hits + 0.9 * neg - 0.8 * pos - 1.6)))
        question = "?" in words or (bool(words) and words[0] in QUESTION_STARTS)
        lead = _LEAD.search(lower) is not None
        idea = _IDEA.search(lower) is not None
        intent_scores = {
            "complaint": 3.0 * complaint,
            "praise": 1.0 * pos - 0.5 * neg,
            "question": 1.4 if question else 0.0,
            "lead": 2.5 if lead else 0.0,
            "idea": 2.5 if idea else 0.0,
            "other": 1.0,
        }
        intents = _softmax(intent_scores)
        return Prediction(
            sentiment=max(sentiment, key=sentiment.__getitem__),
            sentiment_probabilities=sentiment,
            complaint_probability=round(complaint, 4),
            intent=max(intents, key=intents.__getitem__),
            intent_probabilities=intents,
            text=text,
        )


@functools.cache
def get_classifier() -> Classifier:
    """The shipped model when its artifact is present, else the lexicon model. Loaded once.

    The trained model is there when `rapport/triage/models/metadata.json` is (`rapport triage
    train` writes it); an artifact that does not load is logged and the lexicon answers.
    """
    from rapport.triage.trained import load

    return load() or LexiconClassifier()
