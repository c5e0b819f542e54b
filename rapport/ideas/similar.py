"""Similar ideas: what a customer about to submit, or an agent reading an idea post, should see.

Each idea is read as its title and text, two ways: the words it shares with the query (TF-IDF of
words and word pairs, fitted on the workspace's ideas) and what it means (the mean of WordLlama's
static embeddings, the triage models' own, so "night theme" finds "dark mode"). The score is the
mean of the two cosines. A workspace's index is built once per process and rebuilt when its ideas
change (their count or latest change differ), so a lookup is two matrix products.
"""

import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max
from sklearn.feature_extraction.text import TfidfVectorizer

from rapport.ideas.models import Idea
from rapport.triage.features import Embedder, sanitize

#: Below this score an idea is not shown as similar.
THRESHOLD = 0.35


@dataclass(frozen=True)
class Index:
    version: tuple[int, object]
    ids: np.ndarray
    words: TfidfVectorizer | None
    word_matrix: object
    meanings: np.ndarray


_indexes: dict[int, Index] = {}
_lock = threading.Lock()
_embedder: Embedder | None = None


def embedder() -> Embedder:
    """The triage model's embedder when it is loaded (no second copy in memory), else one."""
    global _embedder
    if _embedder is None:
        from rapport.triage.classifier import get_classifier

        model = getattr(get_classifier(), "model", None)
        featurizer = getattr(model, "featurizer", None)
        _embedder = getattr(featurizer, "embedder", None) or Embedder()
    return _embedder


def document(title: str, body: str) -> str:
    return sanitize(f"{title}. {title}. {body}")  # the title said twice: it names the idea


def _version(workspace_id: int) -> tuple[int, object]:
    row = Idea.objects.filter(workspace_id=workspace_id).aggregate(
        n=Count("id"), at=Max("updated_at")
    )
    return (row["n"], row["at"])


def _build(workspace_id: int, version: tuple[int, object]) -> Index:
    rows = list(
        Idea.objects.filter(workspace_id=workspace_id, merged_into__isnull=True)
        .order_by("id")
        .values_list("id", "title", "body")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    docs = [document(title, body) for _, title, body in rows]
    words: TfidfVectorizer | None = None
    word_matrix = None
    if docs:
        words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english", dtype=np.float32
        )
        try:
            word_matrix = words.fit_transform(docs)
        except ValueError:  # only stop words
            words = None
    meanings = (
        embedder().embed([d.split() for d in docs])
        if docs
        else np.zeros((0, Embedder.DIMENSIONS), np.float32)
    )
    return Index(version, ids, words, word_matrix, meanings)


def index(workspace_id: int) -> Index:
    version = _version(workspace_id)
    found = _indexes.get(workspace_id)
    if found is None or found.version != version:
        with _lock:
            found = _indexes.get(workspace_id)
            if found is None or found.version != version:
                found = _indexes[workspace_id] = _build(workspace_id, version)
    return found


def similar_ideas(
    workspace_id: int,
    text: str,
    *,
    limit: int = 5,
    exclude: int | None = None,
    threshold: float = THRESHOLD,
) -> list[tuple[Idea, float]]:
    """The ideas most like `text`, best first, with their scores (0 to 1); merged ones left out."""
    text = sanitize(text)
    if not text.strip():
        return []
    found = index(workspace_id)
    if not len(found.ids):
        return []
    scores = found.meanings @ embedder().embed([text.split()])[0]
    if found.words is not None:
        lexical = (found.word_matrix @ found.words.transform([text]).T).toarray().ravel()
        scores = (scores + lexical) / 2
    order = np.argsort(-scores)
    picked: list[tuple[int, float]] = []
    for i in order[: limit + 1]:
        if scores[i] < threshold:
            break
        if int(found.ids[i]) != exclude:
            picked.append((int(found.ids[i]), round(float(scores[i]), 3)))
    picked = picked[:limit]
    ideas = Idea.objects.select_related("area").in_bulk([pk for pk, _ in picked])
    return [(ideas[pk], score) for pk, score in picked if pk in ideas]
