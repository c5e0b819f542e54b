"""Similar ideas: what a customer about to submit, or an agent reading an idea post, should see.

Each idea is read as its title and text, two ways: the words it shares with the query (TF-IDF of
words and word pairs, fitted on the workspace's ideas) and what it means (the mean of WordLlama's
static embeddings, the triage models' own, so "night theme" finds "dark mode"). The score mixes
the two cosines by LEXICAL_WEIGHT, measured on held-out duplicate pairs: there the meaning alone
did best, so the words' index is built only when the weight is above 0. A workspace's index is
built once per process and rebuilt when its ideas change (their newest or latest change differ),
so a lookup is a matrix product.
"""

import threading
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from rapport.ideas.models import Idea
from rapport.triage.classifier import get_classifier
from rapport.triage.features import Embedder, sanitize

# Chosen on the tune split of rapport/bench/data/duplicate_ideas.json (`rapport bench ideas
# --tune`), reported on its test split (docs/ideas.md).
#: Below this score an idea is not shown as similar (95% of the ideas asked for score above).
THRESHOLD = 0.33
#: The share of the words' cosine in the score (the meaning's is the rest): the meaning alone
#: found the asked-for idea best, so the words' index is not built while it is 0.
LEXICAL_WEIGHT = 0.0
#: How many times an idea's title is read before its text.
TITLE_TIMES = 1


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
        model = getattr(get_classifier(), "model", None)
        featurizer = getattr(model, "featurizer", None)
        _embedder = getattr(featurizer, "embedder", None) or Embedder()
    return _embedder


def document(title: str, body: str) -> str:
    return sanitize(f"{title}. " * TITLE_TIMES + body)


def _version(workspace_id: int) -> tuple[int, object]:
    """The workspace's newest idea and latest change, each read off an index: a new idea, an
    edit, a status or a merge changes it (votes do not: they are not the text)."""
    ideas = Idea.objects.filter(workspace_id=workspace_id)
    newest = ideas.order_by("-id").values_list("id", flat=True).first()
    changed = ideas.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return (newest or 0, changed)


def _build(workspace_id: int, version: tuple[int, object]) -> Index:
    rows = list(
        Idea.objects.filter(workspace_id=workspace_id, merged_into__isnull=True)
        .order_by("id")
        .values_list("id", "title", "body")
    )
    return build(version, rows)


def build(version: tuple[int, object], rows: list[tuple[int, str, str]]) -> Index:
    """The index of these (id, title, body) rows."""
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    docs = [document(title, body) for _, title, body in rows]
    words: TfidfVectorizer | None = None
    word_matrix = None
    if docs and LEXICAL_WEIGHT > 0:
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


def scores(found: Index, text: str) -> np.ndarray:
    """Each indexed idea's score for `text` (already sanitised), in the index's order."""
    # einsum, not BLAS's threads: for one query a plain loop is faster than threads that wait
    # for cores the web server's other requests are using (1.1 ms against 3.8 ms at 10,000)
    meaning = np.einsum("ij,j->i", found.meanings, embedder().embed([text.split()])[0])
    if found.words is None:
        return meaning
    lexical = (found.word_matrix @ found.words.transform([text]).T).toarray().ravel()
    return LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * meaning


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
    scored = scores(found, text)
    top = min(limit + 1, len(scored))
    best = np.argpartition(-scored, top - 1)[:top]
    order = best[np.argsort(-scored[best])]
    picked: list[tuple[int, float]] = []
    for i in order[: limit + 1]:
        if scored[i] < threshold:
            break
        if int(found.ids[i]) != exclude:
            picked.append((int(found.ids[i]), round(float(scored[i]), 3)))
    picked = picked[:limit]
    ideas = Idea.objects.select_related("area").in_bulk([pk for pk, _ in picked])
    return [(ideas[pk], score) for pk, score in picked if pk in ideas]
