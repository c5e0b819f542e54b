"""Text features of the trained triage models (the recipes of docs/research/triage-models.md).

Everything here is pickled into the artifacts under `rapport/triage/models/`, so the names are
part of the artifact format: renaming a class or function needs a retrain.

Thread safety: predicting mutates nothing but a bounded `functools.lru_cache` of per-word
character n-gram ids (thread-safe by its documentation; a race only recomputes an entry).
"""

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

# Longer texts are cut: a post's first 2,000 characters decide its triage, and a 100 KB paste
# costs no more than a long post.
MAX_CHARS = 2000

_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_ELONG = re.compile(r"(\w)\1{2,}")
_HASH = re.compile(r"#(\w+)")
_TOKEN = re.compile(r"[\w'@#]+|[^\w\s]")


def sanitize(text: object) -> str:
    """Any input to a bounded string: None and non-strings are tolerated, HTML tags dropped."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[: MAX_CHARS * 2]
    if "<" in text:
        text = _TAG.sub(" ", text)
    return text[:MAX_CHARS]


def preprocess(text: str) -> str:
    """Tweet normalisation: lowercase, URLs and mentions as placeholders, elongations cut."""
    text = text.lower().replace("&amp;", "&").replace("\u2019", "'")
    text = _URL.sub(" url ", text)
    text = _USER.sub("@user", text)
    text = _ELONG.sub(r"\1\1", text)
    return _HASH.sub(r"# \1", text)


def word_analyzer(doc: str) -> list[str]:
    """Tokens and bigrams of the preprocessed text."""
    tokens = _TOKEN.findall(preprocess(doc))
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def word_grams(word: str, low: int = 2, high: int = 5) -> list[str]:
    """char_wb n-grams of one word, padded with a space each side (as scikit-learn's char_wb)."""
    padded = f" {word} "
    n = len(padded)
    return [padded[i : i + k] for k in range(low, min(high, n) + 1) for i in range(n - k + 1)]


def char_analyzer(doc: str) -> list[str]:
    return [g for word in preprocess(doc).split() for g in word_grams(word)]


def word_vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=word_analyzer, min_df=min_df, sublinear_tf=True, dtype=np.float32
    )


class FastCharWB(BaseEstimator, TransformerMixin):
    """char_wb 2-5 sublinear TF-IDF, l2-normalised: the same matrix as a TfidfVectorizer with
    `char_analyzer`, but each word's feature ids are computed once and cached, which makes it
    several times faster on tweets."""

    def __init__(self, min_df: int = 3) -> None:
        self.min_df = min_df

    def fit(self, texts: Sequence[str], y: Any = None) -> "FastCharWB":
        vectorizer = TfidfVectorizer(
            analyzer=char_analyzer, min_df=self.min_df, sublinear_tf=True, dtype=np.float32
        ).fit(texts)
        self.vocabulary_: dict[str, int] = vectorizer.vocabulary_
        self.idf_ = vectorizer.idf_.astype(np.float32)
        self._make_cache()
        return self

    def _make_cache(self) -> None:
        self._ids = functools.lru_cache(maxsize=200_000)(self._word_ids)

    def _word_ids(self, word: str) -> np.ndarray:
        vocabulary = self.vocabulary_
        return np.array(
            [vocabulary[g] for g in word_grams(word) if g in vocabulary], dtype=np.int32
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_ids", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "vocabulary_" in state:
            self._make_cache()

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_words([preprocess(doc).split() for doc in texts])

    def transform_words(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        """The matrix of documents already preprocessed and split into words."""
        ids = self._ids
        parts: list[np.ndarray] = []
        lengths = np.zeros(len(docs), dtype=np.int64)
        for i, doc in enumerate(docs):
            words = [ids(w) for w in doc]
            if words:
                row = np.concatenate(words)
                parts.append(row)
                lengths[i] = len(row)
        columns = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        rows = np.repeat(np.arange(len(docs)), lengths)
        matrix = sp.csr_matrix(
            (np.ones(len(columns), np.float32), (rows, columns)),
            shape=(len(docs), len(self.idf_)),
        )
        matrix.sum_duplicates()
        matrix.data = 1 + np.log(matrix.data)
        return normalize(matrix @ sp.diags(self.idf_))


class Vader(BaseEstimator, TransformerMixin):
    """VADER's neg/neu/pos/compound scores (its lexicon ships in the PyPI package)."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, texts: Iterable[str], y: Any = None) -> "Vader":
        self._make_analyzer()
        return self

    def _make_analyzer(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_analyzer", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._make_analyzer()

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        if "_analyzer" not in self.__dict__:
            self._make_analyzer()
        scores = []
        for text in texts:
            try:
                s = self._analyzer.polarity_scores(text)
                scores.append((s["neg"], s["neu"], s["pos"], s["compound"]))
            except Exception:  # VADER on odd input: neutral rather than a failed batch
                scores.append((0.0, 1.0, 0.0, 0.0))
        matrix = np.array(scores, dtype=np.float32).reshape(-1, 4) * self.scale
        return sp.csr_matrix(matrix)


def stack(
    word: TfidfVectorizer,
    char: FastCharWB,
    texts: "Sequence[str] | Analysed",
    extra: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Word and char TF-IDF side by side, and dense extra columns (e.g. sentiment scores)."""
    if isinstance(texts, Analysed):
        blocks = [tfidf_from_tokens(word, texts.tokens), char.transform_words(texts.words)]
    else:
        blocks = [word.transform(texts), char.transform(texts)]
    if extra is not None:
        blocks.append(sp.csr_matrix(extra.astype(np.float32)))
    return sp.hstack(blocks, format="csr")


class Analysed:
    """One batch analysed once (preprocessed, split, tokenised) for every model to share."""

    __slots__ = ("raw", "tokens", "words")

    def __init__(self, texts: Sequence[str]) -> None:
        self.raw = list(texts)
        pre = [preprocess(t) for t in self.raw]
        self.words = [p.split() for p in pre]
        self.tokens = []
        for p in pre:
            tokens = _TOKEN.findall(p)
            self.tokens.append(tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)])


def tfidf_from_tokens(vectorizer: TfidfVectorizer, docs: list[list[str]]) -> sp.csr_matrix:
    """`vectorizer.transform` on already analysed documents (sublinear TF, l2, as fitted)."""
    vocabulary = vectorizer.vocabulary_
    columns: list[int] = []
    indptr = [0]
    for tokens in docs:
        columns.extend(vocabulary[t] for t in tokens if t in vocabulary)
        indptr.append(len(columns))
    idf = vectorizer.idf_.astype(np.float32)
    matrix = sp.csr_matrix(
        (np.ones(len(columns), np.float32), np.array(columns, np.int64), np.array(indptr)),
        shape=(len(docs), len(idf)),
    )
    matrix.sum_duplicates()
    matrix.data = 1 + np.log(matrix.data)
    return normalize(matrix @ sp.diags(idf))
