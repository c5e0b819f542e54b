"""The trained triage model: the artifact of `rapport triage train`, as a `Classifier`.

One `Featurizer` analyses a batch once; three linear heads read it. Their sparse weights sit side
by side in one matrix, so the sparse features meet all of them in a single product; the
complaint head also reads the sentiment scores, and the intent head both.

Loaded once; `predict` changes no state of its own (see features.py for the shared caches), so one
instance serves every thread. Any input is answered: None, empty, emoji-only, HTML and 100 KB
texts included (texts are cut to features.MAX_CHARS first).
"""

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from rapport.triage.classifier import INTENTS, SENTIMENTS, LexiconClassifier, Prediction
from rapport.triage.features import Features, Featurizer, sanitize

MODELS_DIR = Path(__file__).resolve().parent / "models"
ARTIFACT = "triage.joblib"

logger = logging.getLogger(__name__)

WARM_UP = ["@AcmeBank charged twice, still no refund!", "love the new app 😍 https://t.co/x", ""]


@dataclass
class LinearHead:
    """A fitted linear model split by the blocks it reads: decision = sparse·S + dense·D +
    extra·E + intercept (the training scales are folded into D and E)."""

    labels: list[str]
    sparse: np.ndarray
    dense: np.ndarray
    extra: np.ndarray
    intercept: np.ndarray

    def decision(self, features: Features, extra: np.ndarray | None = None) -> np.ndarray:
        return self.rest(features, features.sparse @ self.sparse, extra)

    def rest(self, features: Features, sparse_part: np.ndarray, extra: np.ndarray | None) -> Any:
        """The decision given the sparse product already made."""
        scores = sparse_part + features.dense @ self.dense + self.intercept
        if len(self.extra):
            assert extra is not None, "this head reads the scores of the heads before it"
            scores = scores + extra @ self.extra
        return np.asarray(scores, dtype=np.float64)


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def sigmoid(scores: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(scores, -50, 50)))


@dataclass
class Scores:
    """What the heads decide for a batch, before it becomes Predictions."""

    sentiment: np.ndarray  # probabilities, (n, 3) in SENTIMENTS order
    complaint: np.ndarray  # probability, (n,)
    intent: np.ndarray | None  # probabilities, (n, len(labels)), None without an intent head
    intent_labels: list[str]


class TriageModel:
    """The artifact: the featurizer and the sentiment, complaint and (optional) intent heads."""

    def __init__(
        self,
        featurizer: Featurizer,
        sentiment: LinearHead,
        complaint: LinearHead,
        intent: LinearHead | None,
    ) -> None:
        self.featurizer = featurizer
        self.sentiment = sentiment
        self.complaint = complaint
        self.intent = intent
        self._stack()

    def _stack(self) -> None:
        heads = [h for h in (self.sentiment, self.complaint, self.intent) if h is not None]
        self._sparse = np.hstack([h.sparse for h in heads]).astype(np.float32)
        self._splits = np.cumsum([h.sparse.shape[1] for h in heads])[:-1]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_sparse"], state["_splits"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._stack()

    def scores(self, texts: list[str]) -> Scores:
        """Scores of sanitised texts."""
        features = self.featurizer.transform(texts)
        return self.scores_of(features)

    def scores_of(self, features: Features) -> Scores:
        parts = np.split(np.asarray(features.sparse @ self._sparse), self._splits, axis=1)
        sentiment = self.sentiment.rest(features, parts[0], None)
        complaint = self.complaint.rest(features, parts[1], sentiment)[:, 0]
        intent = None
        if self.intent is not None:
            extra = np.c_[sentiment, complaint]
            intent = softmax(self.intent.rest(features, parts[2], extra))
        sentiment_p = softmax(sentiment)
        complaint_p = sigmoid(complaint)
        if features.empty.any():  # nothing to read: neutral, no complaint
            sentiment_p[features.empty] = (0.0, 1.0, 0.0)
            complaint_p[features.empty] = 0.0
        labels = self.intent.labels if self.intent is not None else []
        return Scores(sentiment_p, complaint_p, intent, labels)


class TrainedClassifier:
    """Sentiment (TweetEval), complaint (complaints-twitter) and, when trained, intent."""

    def __init__(self, models_dir: Path = MODELS_DIR) -> None:
        models_dir = Path(models_dir)
        self.metadata: dict[str, Any] = json.loads((models_dir / "metadata.json").read_text())
        self.name: str = self.metadata["name"]
        self.model: TriageModel = joblib.load(models_dir / ARTIFACT)
        self._lexicon = LexiconClassifier()
        self._predict(WARM_UP)  # first use of every code path and page of weights, at load

    def predict(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        clean = [sanitize(t) for t in texts]
        try:
            return self._predict(clean)
        except Exception:  # a model failing on odd input must not stop the pipeline
            logger.exception("trained triage model failed on a batch; the lexicon answers it")
            return self._lexicon.predict(clean)

    def _predict(self, texts: list[str]) -> list[Prediction]:
        scores = self.model.scores(texts)
        sentiment = np.round(scores.sentiment, 4).tolist()
        complaint = np.round(scores.complaint, 4).tolist()
        winners = scores.sentiment.argmax(1).tolist()
        if scores.intent is not None:
            order = [
                scores.intent_labels.index(i) if i in scores.intent_labels else -1 for i in INTENTS
            ]
            full = np.c_[scores.intent, np.zeros(len(texts))][:, order]  # -1: an unseen intent
            intents = [dict(zip(INTENTS, row, strict=True)) for row in np.round(full, 4).tolist()]
        else:
            intents = [p.intent_probabilities for p in self._lexicon.predict(texts)]
        return [
            Prediction(
                sentiment=SENTIMENTS[w],
                sentiment_probabilities=dict(zip(SENTIMENTS, s, strict=True)),
                complaint_probability=c,
                intent=max(i, key=i.__getitem__),
                intent_probabilities=i,
                text=text,
            )
            for text, w, s, c, i in zip(texts, winners, sentiment, complaint, intents, strict=True)
        ]


def load(models_dir: Path = MODELS_DIR) -> TrainedClassifier | None:
    """The trained model when its artifact is there and loads, else None (logged)."""
    if not (Path(models_dir) / "metadata.json").exists():
        return None
    try:
        return TrainedClassifier(models_dir)
    except Exception:
        logger.exception("the trained triage model in %s does not load", models_dir)
        return None
