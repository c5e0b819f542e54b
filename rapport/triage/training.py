"""Training the triage models: `train(data_dir, out_dir)` writes the artifacts and metadata.json.

Recipes and their measurements: docs/research/triage-models.md.
- sentiment: word 1-2 + fast char_wb 2-5 TF-IDF + VADER scores, balanced LR (C=1); class biases
  grid-searched on 10% of TweetEval TRAIN held out (seed 0), then refit on all of TRAIN;
- complaint: word + char TF-IDF + the sentiment model's three decision values (times 0.5/3),
  balanced LR (C=3) on complaints-twitter dev.csv; scored by pooled 5-fold stratified CV F1;
- intent (only when `rapport/triage/data/intents.csv` exists): word + char TF-IDF + the sentiment
  and complaint decision values (times 0.5/3), balanced LR (C=3), scored by pooled 5-fold
  stratified CV macro F1.
Seeds are fixed; the same data gives the same artifacts.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from rapport.triage.classifier import INTENTS, SENTIMENTS
from rapport.triage.evaluation import read_complaints, read_intents, read_sentiment
from rapport.triage.features import FastCharWB, Vader, sanitize, stack, word_vectorizer

VERSION = 1
MODELS_DIR = Path(__file__).resolve().parent / "models"
INTENTS_CSV = Path(__file__).resolve().parent / "data" / "intents.csv"
SENTIMENT_TEXT = "tweeteval-sentiment/train_text.txt"
SENTIMENT_LABELS = "tweeteval-sentiment/train_labels.txt"
SENTIMENT_VAL_TEXT = "tweeteval-sentiment/val_text.txt"
SENTIMENT_VAL_LABELS = "tweeteval-sentiment/val_labels.txt"
COMPLAINTS = "complaints-twitter/dev.csv"
SENTIMENT_SCALE = 0.5 / 3
SEED = 0

Progress = Callable[[str], None]


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


def sentiment_pipeline() -> Pipeline:
    return make_pipeline(
        make_union(word_vectorizer(min_df=2), FastCharWB(min_df=3), Vader()),
        LogisticRegression(C=1, max_iter=3000, class_weight="balanced"),
    )


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


def _shrink(model: Any) -> None:
    """float32 coefficients: half the artifact size, the same decisions."""
    model.coef_ = model.coef_.astype(np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)


def _text_model(
    texts: list[str], y: np.ndarray, C: float, extra: np.ndarray | None = None
) -> dict[str, Any]:
    word = word_vectorizer(min_df=1).fit(texts)
    char = FastCharWB(min_df=2).fit(texts)
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    model.fit(stack(word, char, texts, extra), y)
    return {"word": word, "char": char, "model": model}


def _text_decide(artifact: dict[str, Any], texts: list[str], extra: np.ndarray | None) -> Any:
    return artifact["model"].predict(stack(artifact["word"], artifact["char"], texts, extra))


def _cv(
    texts: list[str], y: np.ndarray, C: float, extra: np.ndarray | None, folds: int
) -> np.ndarray:
    """Pooled out-of-fold predictions of a word+char LR (vectorizers fitted inside each fold)."""
    guess = np.empty_like(y)
    split = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for train_idx, test_idx in split.split(np.zeros(len(y)), y):
        fold_texts = [texts[i] for i in train_idx]
        held_texts = [texts[i] for i in test_idx]
        sub = None if extra is None else extra[train_idx]
        held = None if extra is None else extra[test_idx]
        artifact = _text_model(fold_texts, y[train_idx], C, sub)
        guess[test_idx] = _text_decide(artifact, held_texts, held)
    return guess


def _folds(y: np.ndarray) -> int:
    """5, or fewer where the rarest class has fewer examples (0: too few to cross-validate)."""
    _, counts = np.unique(y, return_counts=True)
    folds = int(min(5, counts.min()))
    return folds if folds >= 2 and len(counts) > 1 else 0


def train(
    data_dir: Path,
    out_dir: Path = MODELS_DIR,
    progress: Progress = _quiet,
    intents_csv: Path = INTENTS_CSV,
) -> dict[str, Any]:
    """Fit every model on the data under `data_dir`; write artifacts and metadata to `out_dir`."""
    from sklearn.metrics import f1_score

    data_dir = Path(data_dir)
    out_dir = Path(out_dir)
    files = {
        "sentiment_text": data_dir / SENTIMENT_TEXT,
        "sentiment_labels": data_dir / SENTIMENT_LABELS,
        "complaints": data_dir / COMPLAINTS,
    }
    sentiment = read_sentiment(files["sentiment_text"], files["sentiment_labels"])
    complaints = read_complaints(files["complaints"])
    texts = [sanitize(t) for t in sentiment.texts]
    y = np.array([SENTIMENTS.index(label) for label in sentiment.labels])

    progress("sentiment: fit on 90% of train")
    fit_part, hold_part, y_fit, y_hold = train_test_split(
        texts, y, test_size=0.1, random_state=SEED, stratify=y
    )
    held_model = sentiment_pipeline().fit(fit_part, y_fit)
    hold_scores = held_model.decision_function(hold_part)
    biases = tune_biases(hold_scores, y_hold)
    hold_recall = macro_recall(y_hold, (hold_scores + biases).argmax(1), 3)

    progress("sentiment: refit on all of train")
    sentiment_model = sentiment_pipeline().fit(texts, y)
    classifier = sentiment_model[-1]
    classifier.intercept_ = classifier.intercept_ + biases
    _shrink(classifier)

    val_recall = None
    val_text, val_labels = data_dir / SENTIMENT_VAL_TEXT, data_dir / SENTIMENT_VAL_LABELS
    if val_text.exists() and val_labels.exists():
        progress("sentiment: score on val")
        val = read_sentiment(val_text, val_labels)
        val_y = np.array([SENTIMENTS.index(label) for label in val.labels])
        val_guess = sentiment_model.predict([sanitize(t) for t in val.texts])
        val_recall = round(macro_recall(val_y, val_guess, 3), 4)

    progress("complaint: 5-fold cross-validation")
    c_texts = [sanitize(t) for t in complaints.texts]
    c_y = np.array([int(label) for label in complaints.labels])
    c_extra = sentiment_model.decision_function(c_texts) * SENTIMENT_SCALE
    complaint_f1 = None
    if _folds(c_y):
        c_guess = _cv(c_texts, c_y, 3, c_extra, _folds(c_y))
        complaint_f1 = round(float(f1_score(c_y, c_guess)), 4)

    progress("complaint: fit on all of dev")
    complaint = _text_model(c_texts, c_y, 3, c_extra)
    complaint["sentiment_scale"] = SENTIMENT_SCALE
    _shrink(complaint["model"])

    intent: dict[str, Any] | None = None
    intent_scores: dict[str, Any] | None = None
    if intents_csv.exists():
        progress("intent: 5-fold cross-validation")
        intents = read_intents(intents_csv)
        i_texts = [sanitize(t) for t in intents.texts]
        i_y = np.array([INTENTS.index(label) for label in intents.labels])
        # The sentiment and complaint scores help tell praise from (sarcastic) complaints.
        i_sentiment = sentiment_model.decision_function(i_texts)
        i_complaint = complaint["model"].decision_function(
            stack(complaint["word"], complaint["char"], i_texts, i_sentiment * SENTIMENT_SCALE)
        )
        i_extra = np.c_[i_sentiment, i_complaint] * SENTIMENT_SCALE
        folds = _folds(i_y)
        cv_f1 = None
        if folds:
            i_guess = _cv(i_texts, i_y, 3, i_extra, folds)
            cv_f1 = round(float(f1_score(i_y, i_guess, average="macro")), 4)
        progress("intent: fit on all of intents.csv")
        intent = _text_model(i_texts, i_y, 3, i_extra)
        intent["scores_scale"] = SENTIMENT_SCALE
        intent["labels"] = [INTENTS[k] for k in intent["model"].classes_]
        _shrink(intent["model"])
        files["intents"] = intents_csv
        intent_scores = {"n": len(i_texts), "cv_folds": folds, "cv_macro_f1": cv_f1}

    progress("writing the artifacts")
    out_dir.mkdir(parents=True, exist_ok=True)
    artifacts = {"sentiment": sentiment_model, "complaint": complaint}
    if intent is not None:
        artifacts["intent"] = intent
    else:
        (out_dir / "intent.joblib").unlink(missing_ok=True)
    sizes = {}
    for name, artifact in artifacts.items():
        path = out_dir / f"{name}.joblib"
        joblib.dump(artifact, path, compress=3)
        sizes[f"{name}.joblib"] = path.stat().st_size

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
        "scores": {
            "sentiment": {
                "n_train": len(texts),
                "class_biases": [round(float(b), 2) for b in biases],
                "holdout_macro_recall": round(hold_recall, 4),
                "val_macro_recall": val_recall,
            },
            "complaint": {
                "n_train": len(c_texts),
                "cv_folds": _folds(c_y),
                "cv_f1": complaint_f1,
            },
            "intent": intent_scores or "lexicon (no rapport/triage/data/intents.csv)",
        },
        "artifact_bytes": sizes,
    }
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    return metadata
