"""Reading labelled data (strictly: a bad line names its file and line) and scoring a classifier.

Used by training and by `rapport triage eval`. The scores are the data sets' official metrics:
TweetEval sentiment macro recall, complaint-class F1, intent macro F1.
"""

import csv
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, recall_score

from rapport.triage.classifier import INTENTS, SENTIMENTS, Classifier, Prediction

BATCH = 256


class DataError(ValueError):
    """A data file that cannot be read as labelled data; the message names the file and line."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[str]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, None, "no such file") from None
    except UnicodeDecodeError as e:
        raise DataError(path, None, f"not UTF-8 ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise DataError(path, None, e.strerror or str(e)) from None


def _lines(path: Path) -> list[str]:
    lines = _read_text(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _label(value: str, allowed: Sequence[str], path: Path, line: int) -> str:
    """A label by name, or by its index in `allowed` (TweetEval writes 0/1/2)."""
    value = value.strip()
    if value in allowed:
        return value
    if value.isdigit() and int(value) < len(allowed):
        return allowed[int(value)]
    raise DataError(path, line, f"unknown label {value!r} (expected one of {', '.join(allowed)})")


def read_sentiment(text_path: Path, labels_path: Path) -> Labelled:
    """TweetEval layout: one text a line, one label (0/1/2 or a name) a line, line i ↔ line i."""
    texts = _lines(text_path)
    raw = _lines(labels_path)
    if len(texts) != len(raw):
        shorter, line = (
            (text_path, len(texts) + 1) if len(texts) < len(raw) else (labels_path, len(raw) + 1)
        )
        raise DataError(
            shorter,
            line,
            f"{len(texts)} texts in {text_path.name} but {len(raw)} labels in "
            f"{labels_path.name}: the line counts must match",
        )
    labels = [_label(v, SENTIMENTS, labels_path, i) for i, v in enumerate(raw, 1)]
    return Labelled(texts, labels)


def read_csv(path: Path, allowed: Sequence[str]) -> Labelled:
    """A CSV with a header and at least the columns text and label."""
    content = _read_text(path)
    # Quoted fields may hold newlines: the reader sees the text as it is, and counts its lines.
    reader = csv.DictReader(io.StringIO(content, newline=""))
    columns = reader.fieldnames or []
    missing = [c for c in ("text", "label") if c not in columns]
    if missing:
        raise DataError(path, 1, f"missing column {', '.join(missing)} (header: {columns})")
    texts: list[str] = []
    labels: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            if row.get("text") is None or row.get("label") is None:
                raise DataError(path, line, "too few fields")
            texts.append(row["text"])
            labels.append(_label(row["label"], allowed, path, line))
    except csv.Error as e:
        raise DataError(path, reader.line_num, str(e)) from None
    if not texts:
        raise DataError(path, None, "no rows")
    return Labelled(texts, labels)


COMPLAINT_LABELS = ("0", "1")


def read_complaints(path: Path) -> Labelled:
    return read_csv(path, COMPLAINT_LABELS)


def read_intents(path: Path) -> Labelled:
    return read_csv(path, INTENTS)


def predict_timed(classifier: Classifier, texts: list[str]) -> tuple[list[Prediction], float]:
    """Predictions batch by batch, and posts per second over the predicting time alone."""
    predictions: list[Prediction] = []
    elapsed = 0.0
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        t = time.perf_counter()
        predictions.extend(classifier.predict(batch))
        elapsed += time.perf_counter() - t
    return predictions, round(len(texts) / elapsed, 1) if elapsed > 0 else 0.0


def _r(x: float) -> float:
    return round(float(x), 4)


def evaluate(
    task: str,
    classifier: Classifier,
    data: Labelled,
    predict: Callable[[Classifier, list[str]], tuple[list[Prediction], float]] = predict_timed,
) -> dict[str, Any]:
    predictions, speed = predict(classifier, data.texts)
    n = len(data.texts)
    if task == "sentiment":
        got = [p.sentiment for p in predictions]
        return {
            "task": task,
            "n": n,
            "macro_recall": _r(
                recall_score(data.labels, got, labels=list(SENTIMENTS), average="macro")
            ),
            "accuracy": _r(accuracy_score(data.labels, got)),
            "macro_f1": _r(f1_score(data.labels, got, labels=list(SENTIMENTS), average="macro")),
            "posts_per_s": speed,
        }
    if task == "complaint":
        truth = np.array([label == "1" for label in data.labels])
        guess = np.array([p.complaint_probability >= 0.5 for p in predictions])
        return {
            "task": task,
            "n": n,
            "f1": _r(f1_score(truth, guess, zero_division=0)),
            "macro_f1": _r(f1_score(truth, guess, average="macro", zero_division=0)),
            "accuracy": _r(accuracy_score(truth, guess)),
            "posts_per_s": speed,
        }
    if task == "intent":
        got = [p.intent for p in predictions]
        present = [i for i in INTENTS if i in set(data.labels)]
        per_class = f1_score(data.labels, got, labels=present, average=None, zero_division=0)
        return {
            "task": task,
            "n": n,
            "macro_f1": _r(
                f1_score(data.labels, got, labels=present, average="macro", zero_division=0)
            ),
            "per_class": {label: _r(v) for label, v in zip(present, per_class, strict=True)},
            "posts_per_s": speed,
        }
    raise ValueError(f"unknown task {task!r}")
