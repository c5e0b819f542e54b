"""Training the triage models: `train(data_dir, out_dir)` writes the artifact and metadata.json.

The recipe (measurements in docs/triage.md):
- one Featurizer (word + char TF-IDF, lexicon scores, WordLlama embedding) fitted on every
  training text: TweetEval train, complaints-twitter dev.csv, the intent CSV (and feedback);
- sentiment: balanced logistic regression (C=1) on TweetEval train; class biases grid-searched on
  10% of TRAIN held out (seed 0), then refit on all of TRAIN;
- complaint: balanced LR (C=3) on dev.csv, also reading the sentiment head's three scores;
  scored by pooled 5-fold stratified CV F1 (seeds 0, 1 and 2; the mean is reported);
- intent (when the intent CSV exists): balanced LR (C=3) also reading the sentiment and
  complaint scores, scored by pooled 5-fold stratified CV macro F1.
Seeds are fixed; the same data gives the same artifact.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from rapport.triage.classifier import INTENTS, SENTIMENTS
from rapport.triage.evaluation import Labelled, read_complaints, read_intents, read_sentiment
from rapport.triage.features import Features, Featurizer, sanitize
from rapport.triage.trained import ARTIFACT, LinearHead, TriageModel

VERSION = 2
MODELS_DIR = Path(__file__).resolve().parent / "models"
INTENTS_CSV = Path(__file__).resolve().parent / "data" / "intents.csv"
SENTIMENT_TEXT = "tweeteval-sentiment/train_text.txt"
SENTIMENT_LABELS = "tweeteval-sentiment/train_labels.txt"
SENTIMENT_VAL_TEXT = "tweeteval-sentiment/val_text.txt"
SENTIMENT_VAL_LABELS = "tweeteval-sentiment/val_labels.txt"
COMPLAINTS = "complaints-twitter/dev.csv"
DENSE_SCALE = 0.5  # the embedding's weight beside the TF-IDF block
SCORES_SCALE = 0.5 / 3  # the earlier heads' scores, read by the later ones
CV_SEEDS = (0, 1, 2)
INTENT_WEIGHT_FOR_COMPLAINT = 0.3
SEED = 0

Progress = Callable[[str], None]
Feedback = dict[str, list[tuple[str, str]]]


def _quiet(step: str) -> None:
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def macro_recall(y: np.ndarray, guess: np.ndarray, n_classes: int) -> float:
    return float(np.mean([np.mean(guess[y == k] == k) for k in range(n_classes) if np.any(y == k)]))


def tune_biases(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class offsets (negative fixed at 0) maximising macro recall on held-out scores."""
    grid = np.round(np.arange(-1, 1.0001, 0.05), 2)
    best, best_bias = -1.0, np.zeros(3)
    for neutral in grid:
        for positive in grid:
            bias = np.array([0.0, neutral, positive])
            score = macro_recall(y, (scores + bias).argmax(1), 3)
            if score > best + 1e-12:
                best, best_bias = score, bias
    return best_bias


def fit_head(
    features: Features,
    y: np.ndarray,
    labels: list[str],
    C: float,
    extra: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    dense: bool = True,
) -> LinearHead:
    """A balanced logistic regression on the blocks side by side, split back into a head.

    `dense=False` leaves the embedding out (its weights are zeros)."""
    n_dense = features.dense.shape[1]
    blocks = [features.sparse]
    if dense:
        blocks.append(sp.csr_matrix(features.dense * DENSE_SCALE))
    if extra is not None:
        blocks.append(sp.csr_matrix(extra * SCORES_SCALE))
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    model.fit(sp.hstack(blocks, format="csr"), y, sample_weight=weights)
    coef = model.coef_.T.astype(np.float32)  # (features, classes), or (features, 1) if binary
    n_sparse = features.sparse.shape[1]
    if not dense:
        coef = np.vstack(
            [coef[:n_sparse], np.zeros((n_dense, coef.shape[1]), np.float32), coef[n_sparse:]]
        )
    return LinearHead(
        labels=[labels[k] for k in model.classes_] if len(labels) > 2 else labels,
        sparse=coef[:n_sparse],
        dense=coef[n_sparse : n_sparse + n_dense] * DENSE_SCALE,
        extra=coef[n_sparse + n_dense :] * SCORES_SCALE,
        intercept=model.intercept_.astype(np.float32),
    )


def cross_validate(
    features: Features,
    y: np.ndarray,
    labels: list[str],
    C: float,
    extra: np.ndarray | None,
    folds: int,
    seed: int,
    score: Callable[[np.ndarray, np.ndarray], float],
    predict: Callable[[LinearHead, Features, np.ndarray | None], np.ndarray],
    more: "Extra | None" = None,
) -> float:
    """The score of pooled out-of-fold predictions (the featurizer is unsupervised, fitted once).

    `more` are examples added to every fold's training, never scored."""
    guess = np.empty_like(y)
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in split.split(np.zeros(len(y)), y):
        fold = Extra(
            features.rows(train_idx),
            y[train_idx],
            None if extra is None else extra[train_idx],
            np.ones(len(train_idx)),
        )
        if more is not None:
            fold = fold.plus(more)
        head = fit_head(fold.features, fold.y, labels, C, fold.scores, fold.weights)
        guess[test_idx] = predict(
            head, features.rows(test_idx), None if extra is None else extra[test_idx]
        )
    return score(y, guess)


@dataclass
class Extra:
    """Training examples with their scores (from earlier heads) and sample weights."""

    features: Features
    y: np.ndarray
    scores: np.ndarray | None
    weights: np.ndarray

    def plus(self, other: "Extra") -> "Extra":
        scores = None
        if self.scores is not None and other.scores is not None:
            scores = np.r_[self.scores, other.scores]
        return Extra(
            _concat(self.features, other.features),
            np.r_[self.y, other.y],
            scores,
            np.r_[self.weights, other.weights],
        )


def _binary(head: LinearHead, features: Features, extra: np.ndarray | None) -> np.ndarray:
    return (head.decision(features, extra)[:, 0] > 0).astype(int)


def _multiclass(head: LinearHead, features: Features, extra: np.ndarray | None) -> np.ndarray:
    classes = np.array([INTENTS.index(label) for label in head.labels])
    return classes[head.decision(features, extra).argmax(1)]


def _folds(y: np.ndarray) -> int:
    """5, or fewer where the rarest class has fewer examples (0: too few to cross-validate)."""
    _, counts = np.unique(y, return_counts=True)
    folds = int(min(5, counts.min()))
    return folds if folds >= 2 and len(counts) > 1 else 0


def _with(data: Labelled, extra: Iterable[tuple[str, str]]) -> Labelled:
    more = list(extra)
    return Labelled(data.texts + [t for t, _ in more], data.labels + [label for _, label in more])


def train(
    data_dir: Path,
    out_dir: Path = MODELS_DIR,
    progress: Progress = _quiet,
    intents_csv: Path = INTENTS_CSV,
    feedback: Feedback | None = None,
) -> dict[str, Any]:
    """Fit every model on the data under `data_dir`; write the artifact and metadata to `out_dir`.

    `feedback` maps a task (sentiment, complaint, intent) to (text, label) corrections made in
    the product; they are added to that task's training data (never to what scores it).
    """
    data_dir = Path(data_dir)
    out_dir = Path(out_dir)
    feedback = feedback or {}
    files = {
        "sentiment_text": data_dir / SENTIMENT_TEXT,
        "sentiment_labels": data_dir / SENTIMENT_LABELS,
        "complaints": data_dir / COMPLAINTS,
    }
    sentiment = read_sentiment(files["sentiment_text"], files["sentiment_labels"])
    complaints = read_complaints(files["complaints"])
    intents = read_intents(intents_csv) if intents_csv.exists() else None
    if intents is not None:
        files["intents"] = intents_csv

    texts = [sanitize(t) for t in sentiment.texts]
    y = np.array([SENTIMENTS.index(label) for label in sentiment.labels])
    c_texts = [sanitize(t) for t in complaints.texts]
    c_y = np.array([int(label) for label in complaints.labels])
    i_texts = [sanitize(t) for t in intents.texts] if intents else []
    i_y = np.array([INTENTS.index(label) for label in intents.labels]) if intents else None
    fb = {task: _with(Labelled([], []), rows) for task, rows in feedback.items()}
    fb_texts = {task: [sanitize(t) for t in data.texts] for task, data in fb.items()}

    progress("features: fit the vocabularies on every training text")
    featurizer = Featurizer().fit(
        texts + c_texts + i_texts + [t for rows in fb_texts.values() for t in rows]
    )
    X = featurizer.transform(texts)

    progress("sentiment: fit on 90% of train, tune the class biases on the other 10%")
    fit_idx, hold_idx = train_test_split(
        np.arange(len(y)), test_size=0.1, random_state=SEED, stratify=y
    )
    held = fit_head(X.rows(fit_idx), y[fit_idx], list(SENTIMENTS), C=1, dense=False)
    hold_scores = held.decision(X.rows(hold_idx))
    biases = tune_biases(hold_scores, y[hold_idx])
    hold_recall = macro_recall(y[hold_idx], (hold_scores + biases).argmax(1), 3)

    progress("sentiment: refit on all of train")
    s_X, s_y = X, y
    if fb_texts.get("sentiment"):
        extra_X = featurizer.transform(fb_texts["sentiment"])
        s_X = _concat(X, extra_X)
        s_y = np.r_[y, [SENTIMENTS.index(label) for label in fb["sentiment"].labels]]
    sentiment_head = fit_head(s_X, s_y, list(SENTIMENTS), C=1, dense=False)
    sentiment_head.intercept = (sentiment_head.intercept + biases).astype(np.float32)

    val_recall = None
    val_text, val_labels = data_dir / SENTIMENT_VAL_TEXT, data_dir / SENTIMENT_VAL_LABELS
    if val_text.exists() and val_labels.exists():
        progress("sentiment: score on val")
        val = read_sentiment(val_text, val_labels)
        val_y = np.array([SENTIMENTS.index(label) for label in val.labels])
        val_X = featurizer.transform([sanitize(t) for t in val.texts])
        val_recall = round(macro_recall(val_y, sentiment_head.decision(val_X).argmax(1), 3), 4)

    progress("complaint: 5-fold cross-validation (3 seeds)")
    c_X = featurizer.transform(c_texts)
    c_scores = sentiment_head.decision(c_X)
    c_folds = _folds(c_y)
    # The intent CSV's posts join complaint training (a complaint intent is a complaint), at a
    # lower weight: they are written for the purpose, the tweets are real.
    c_more = None
    i_X = featurizer.transform(i_texts) if intents is not None else None
    if i_X is not None and i_y is not None:
        c_more = Extra(
            i_X,
            (i_y == INTENTS.index("complaint")).astype(int),
            sentiment_head.decision(i_X),
            np.full(len(i_y), INTENT_WEIGHT_FOR_COMPLAINT),
        )
    complaint_f1 = [
        round(
            cross_validate(
                c_X, c_y, ["complaint"], 3, c_scores, c_folds, seed, _f1, _binary, c_more
            ),
            4,
        )
        for seed in (CV_SEEDS if c_folds else ())
    ]

    progress("complaint: fit on all of dev")
    c_all = Extra(c_X, c_y, c_scores, np.ones(len(c_y)))
    if c_more is not None:
        c_all = c_all.plus(c_more)
    if fb_texts.get("complaint"):
        more_X = featurizer.transform(fb_texts["complaint"])
        labels_fb = np.array([int(label) for label in fb["complaint"].labels])
        c_all = c_all.plus(
            Extra(more_X, labels_fb, sentiment_head.decision(more_X), np.ones(len(labels_fb)))
        )
    complaint_head = fit_head(
        c_all.features, c_all.y, ["complaint"], C=3, extra=c_all.scores, weights=c_all.weights
    )

    intent_head = None
    intent_scores: dict[str, Any] | str = "lexicon (no intent CSV)"
    if i_X is not None and i_y is not None:
        i_extra = _scores_for_intent(sentiment_head, complaint_head, i_X)
        folds = _folds(i_y)
        cv_f1 = None
        if folds:
            progress("intent: 5-fold cross-validation")
            cv_f1 = round(
                cross_validate(
                    i_X, i_y, list(INTENTS), 3, i_extra, folds, SEED, _macro_f1, _multiclass
                ),
                4,
            )
        progress("intent: fit on all of the intent CSV")
        if fb_texts.get("intent"):
            more_X = featurizer.transform(fb_texts["intent"])
            i_X = _concat(i_X, more_X)
            i_extra = np.r_[i_extra, _scores_for_intent(sentiment_head, complaint_head, more_X)]
            i_y = np.r_[i_y, [INTENTS.index(label) for label in fb["intent"].labels]]
        intent_head = fit_head(i_X, i_y, list(INTENTS), C=3, extra=i_extra)
        intent_scores = {"n": len(i_texts), "cv_folds": folds, "cv_macro_f1": cv_f1}

    progress("writing the artifact")
    out_dir.mkdir(parents=True, exist_ok=True)
    model = TriageModel(featurizer, sentiment_head, complaint_head, intent_head)
    path = out_dir / ARTIFACT
    joblib.dump(model, path, compress=3)
    for old in ("sentiment.joblib", "complaint.joblib", "intent.joblib"):  # version 1's files
        (out_dir / old).unlink(missing_ok=True)

    def where(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(data_dir.resolve()))
        except ValueError:
            return path.name

    metadata = {
        "version": VERSION,
        "name": f"trained-{VERSION}",
        "trained_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "training_files": {
            where(path): {"sha256": sha256(path), "bytes": path.stat().st_size}
            for path in files.values()
        },
        "feedback": {task: len(data.texts) for task, data in fb.items()},
        "scores": {
            "sentiment": {
                "n_train": len(texts),
                "class_biases": [round(float(b), 2) for b in biases],
                "holdout_macro_recall": round(hold_recall, 4),
                "val_macro_recall": val_recall,
            },
            "complaint": {
                "n_train": len(c_texts),
                "cv_folds": c_folds,
                "cv_seeds": list(CV_SEEDS) if c_folds else [],
                "cv_f1_per_seed": complaint_f1,
                "cv_f1": round(float(np.mean(complaint_f1)), 4) if complaint_f1 else None,
            },
            "intent": intent_scores,
        },
        "artifact_bytes": {ARTIFACT: path.stat().st_size},
    }
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    return metadata


def _f1(y: np.ndarray, guess: np.ndarray) -> float:
    return float(f1_score(y, guess))


def _macro_f1(y: np.ndarray, guess: np.ndarray) -> float:
    return float(f1_score(y, guess, average="macro"))


def _concat(a: Features, b: Features) -> Features:
    return Features(
        sp.vstack([a.sparse, b.sparse], format="csr"),
        np.vstack([a.dense, b.dense]),
        np.r_[a.empty, b.empty],
    )


def _scores_for_intent(
    sentiment: LinearHead, complaint: LinearHead, features: Features
) -> np.ndarray:
    """The sentiment and complaint scores the intent head reads (praise vs sarcasm, say)."""
    s = sentiment.decision(features)
    return np.c_[s, complaint.decision(features, s)]
