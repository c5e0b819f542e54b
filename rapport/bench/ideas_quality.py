"""How well similar ideas finds the idea a post asks for, on `data/duplicate_ideas.json`: 70
Acme Bank ideas, 140 customer posts asking for one of them in other words and 30 asking for
none, written before any tuning and split by idea into `tune` and `test`.

Weights and thresholds are chosen on `tune` only (`tune()`, `rapport bench ideas --tune`);
`test` is only reported. Figures: recall@1 and @5 and the mean reciprocal rank of the idea
asked for, and for the routing action "add to the most similar idea" at its threshold, how
often a post is added to the right idea (recall), how often an added vote is right (precision)
and how often a post asking for no idea is added anyway.
"""

import json
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from rapport.ideas import routing, similar
from rapport.triage.features import sanitize

DATA = Path(__file__).parent / "data" / "duplicate_ideas.json"
K = 5


@cache
def dataset() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text())
    return data


def _ranked(index: similar.Index, text: str) -> tuple[np.ndarray, np.ndarray]:
    scored = similar.scores(index, sanitize(text))
    order = np.argsort(-scored, kind="stable")
    return index.ids[order], scored[order]


def evaluate(split: str, threshold: float = routing.THRESHOLD) -> dict[str, float]:
    """The figures on one split (`tune` or `test`), with the similar module as it is set."""
    data = dataset()
    keys = [idea["key"] for idea in data["ideas"]]
    rows = [(i, idea["title"], idea["body"]) for i, idea in enumerate(data["ideas"])]
    index = similar.build((0, None), rows)
    ranks: list[int] = []
    added = right = wrongly = negatives = 0
    for query in data["queries"]:
        if query["split"] != split:
            continue
        ids, scored = _ranked(index, query["text"])
        top_is = keys[int(ids[0])]
        adds = bool(scored[0] >= threshold)
        if query["idea"] is None:
            negatives += 1
            wrongly += adds
            continue
        ranks.append(1 + [keys[int(i)] for i in ids].index(query["idea"]))
        added += adds
        right += adds and top_is == query["idea"]
    positives = len(ranks)
    return {
        "posts": positives,
        "recall_at_1": round(sum(r == 1 for r in ranks) / positives, 3),
        f"recall_at_{K}": round(sum(r <= K for r in ranks) / positives, 3),
        "mrr": round(statistics.fmean(1 / r for r in ranks), 3),
        "threshold": threshold,
        "added_right": round(right / positives, 3),
        "precision_of_added": round(right / (added + wrongly), 3) if added + wrongly else 1.0,
        "posts_for_no_idea": negatives,
        "no_idea_added_anyway": round(wrongly / negatives, 3) if negatives else 0.0,
    }


@contextmanager
def settings(lexical_weight: float, title_times: int) -> Iterator[None]:
    before = similar.LEXICAL_WEIGHT, similar.TITLE_TIMES
    similar.LEXICAL_WEIGHT, similar.TITLE_TIMES = lexical_weight, title_times
    try:
        yield
    finally:
        similar.LEXICAL_WEIGHT, similar.TITLE_TIMES = before


def target_scores(split: str) -> list[float]:
    """The score of the idea each post asks for, on one split."""
    data = dataset()
    keys = [idea["key"] for idea in data["ideas"]]
    index = similar.build(
        (0, None), [(i, d["title"], d["body"]) for i, d in enumerate(data["ideas"])]
    )
    found = []
    for query in data["queries"]:
        if query["split"] == split and query["idea"] is not None:
            ids, scored = _ranked(index, query["text"])
            found.append(float(scored[[keys[int(i)] for i in ids].index(query["idea"])]))
    return found


def tune() -> dict[str, Any]:
    """Chosen on `tune` only: the weights with the best recall@5 (then MRR, then the first in
    the grid); there, the threshold under which a similar idea is not shown (95% of the ideas
    asked for score above it), and the routing threshold that adds the most posts to the right
    idea while at least 90% of the votes it adds are right and at most 10% of the posts asking
    for no idea are added anyway (a wrong vote costs more than a missed one)."""
    best: tuple[tuple[float, float], float, int] | None = None
    grid = []
    for title_times in (1, 2, 3):
        for step in range(11):
            weight = step / 10
            with settings(weight, title_times):
                figures = evaluate("tune")
            key = (figures[f"recall_at_{K}"], figures["mrr"])
            grid.append({"lexical_weight": weight, "title_times": title_times, **figures})
            if best is None or key > best[0]:
                best = (key, weight, title_times)
    assert best is not None
    _, weight, title_times = best
    routing_at: tuple[float, float] | None = None
    with settings(weight, title_times):
        shown_from = float(np.percentile(target_scores("tune"), 5))
        for step in range(41):
            threshold = round(0.3 + step * 0.0125, 4)
            f = evaluate("tune", threshold)
            fits = f["precision_of_added"] >= 0.9 and f["no_idea_added_anyway"] <= 0.1
            if fits and (routing_at is None or f["added_right"] > routing_at[1]):
                routing_at = (threshold, f["added_right"])
    return {
        "lexical_weight": weight,
        "title_times": title_times,
        "shown_from": round(shown_from, 3),
        "threshold": routing_at[0] if routing_at else None,
        "grid": grid,
    }
