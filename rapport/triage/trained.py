"""The trained triage model: the artifacts of `rapport triage train`, as a `Classifier`.

Loaded once; `predict` changes no state of its own (see features.py for the one shared cache), so
one instance serves every thread. Any input is answered: None, empty, emoji-only, HTML and
100 KB texts included (texts are cut to features.MAX_CHARS first).
"""

import json
import logging
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from rapport.triage.classifier import INTENTS, SENTIMENTS, LexiconClassifier, Prediction
from rapport.triage.features import Analysed, sanitize, stack, tfidf_from_tokens

MODELS_DIR = Path(__file__).resolve().parent / "models"

logger = logging.getLogger(__name__)


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def _probabilities(labels: tuple[str, ...] | list[str], row: np.ndarray) -> dict[str, float]:
    return {label: round(float(p), 4) for label, p in zip(labels, row, strict=True)}


class TrainedClassifier:
    """Sentiment (TweetEval), complaint (complaints-twitter) and, when trained, intent models."""

    def __init__(self, models_dir: Path = MODELS_DIR) -> None:
        models_dir = Path(models_dir)
        self.metadata: dict[str, Any] = json.loads((models_dir / "metadata.json").read_text())
        self.name: str = self.metadata["name"]
        self._sentiment = joblib.load(models_dir / "sentiment.joblib")
        self._complaint: dict[str, Any] = joblib.load(models_dir / "complaint.joblib")
        intent_path = models_dir / "intent.joblib"
        self._intent: dict[str, Any] | None = (
            joblib.load(intent_path) if intent_path.exists() else None
        )
        self._lexicon = LexiconClassifier()

    def predict(self, texts: list[str]) -> list[Prediction]:
        if not texts:
            return []
        clean = [sanitize(t) for t in texts]
        try:
            return self._predict(clean)
        except Exception:  # a model failing on odd input must not stop the pipeline
            logger.exception("trained triage model failed on a batch; the lexicon answers it")
            return self._lexicon.predict(clean)

    def _sentiment_decision(self, batch: Analysed) -> np.ndarray:
        """The sentiment pipeline's decision_function, on the shared analysis of the batch."""
        union, model = self._sentiment[0], self._sentiment[-1]
        word, char, vader = (t for _, t in union.transformer_list)
        features = sp.hstack(
            [
                tfidf_from_tokens(word, batch.tokens),
                char.transform_words(batch.words),
                vader.transform(batch.raw),
            ],
            format="csr",
        )
        return np.asarray(model.decision_function(features), dtype=np.float64)

    def _predict(self, texts: list[str]) -> list[Prediction]:
        batch = Analysed(texts)
        decision = self._sentiment_decision(batch)
        sentiment = _softmax(decision)
        complaint = self._complaint
        extra = decision * complaint["sentiment_scale"]
        complaint_decision = complaint["model"].decision_function(
            stack(complaint["word"], complaint["char"], batch, extra)
        )
        complaint_p = 1 / (1 + np.exp(-complaint_decision))
        empty = np.array([not tokens for tokens in batch.tokens])
        if empty.any():  # nothing to read: neutral, no complaint
            sentiment[empty] = (0.0, 1.0, 0.0)
            complaint_p[empty] = 0.0
        if self._intent is not None:
            intent = self._intent
            scores = None
            if "scores_scale" in intent:
                scores = np.c_[decision, complaint_decision] * intent["scores_scale"]
            proba = intent["model"].predict_proba(
                stack(intent["word"], intent["char"], batch, scores)
            )
            intents = []
            for row in proba:
                p = dict.fromkeys(INTENTS, 0.0)
                p.update(_probabilities(intent["labels"], row))
                intents.append(p)
        else:
            intents = [p.intent_probabilities for p in self._lexicon.predict(batch.raw)]
        return [
            Prediction(
                sentiment=SENTIMENTS[int(s.argmax())],
                sentiment_probabilities=_probabilities(SENTIMENTS, s),
                complaint_probability=round(float(c), 4),
                intent=max(i, key=i.__getitem__),
                intent_probabilities=i,
            )
            for s, c, i in zip(sentiment, complaint_p, intents, strict=True)
        ]


def load(models_dir: Path = MODELS_DIR) -> TrainedClassifier | None:
    """The trained model when its artifacts are there and load, else None (logged)."""
    if not (Path(models_dir) / "metadata.json").exists():
        return None
    try:
        return TrainedClassifier(models_dir)
    except Exception:
        logger.exception("the trained triage model in %s does not load", models_dir)
        return None
