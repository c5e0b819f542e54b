"""Text features of the trained triage models (the recipes of docs/triage.md).

One `Featurizer`, fitted once on all the training texts, turns a batch into the features every
model reads, so a batch is analysed once whatever the number of models:
- word 1-2 grams and character 2-5 grams (per word), sublinear TF-IDF, as one sparse matrix;
- five lexicon scores from VADER's valence lexicon, with negation (a vectorised stand-in for
  VADER's own scorer, which alone ran at ~15k posts/s);
- the mean of WordLlama's static token embeddings (256 dimensions; the weights ship inside the
  `wordllama` wheel and are read with `tokenizers` + `safetensors`, no PyTorch), l2-normalised.

Everything here is pickled into the artifact under `rapport/triage/models/`, so the names are part
of the artifact format: renaming a class or function needs a retrain. The embedding weights and
lexicon are not pickled; they load from their packages.

Thread safety: predicting mutates nothing but bounded `functools.lru_cache`s of per-word ids
(thread-safe by their documentation; a race only recomputes an entry).
"""

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
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
    # The substring tests are much cheaper than a regular expression's scan that finds nothing.
    if "http" in text or "www." in text:
        text = _URL.sub(" url ", text)
    if "@" in text:
        text = _USER.sub("@user", text)
    text = _ELONG.sub(r"\1\1", text)
    return _HASH.sub(r"# \1", text) if "#" in text else text


def tokens_and_bigrams(preprocessed: str) -> list[str]:
    tokens = _TOKEN.findall(preprocessed)
    return tokens + list(map(" ".join, itertools.pairwise(tokens)))


def word_analyzer(doc: str) -> list[str]:
    """Tokens and bigrams of the preprocessed text."""
    return tokens_and_bigrams(preprocess(doc))


def word_grams(word: str, low: int = 2, high: int = 5) -> list[str]:
    """char_wb n-grams of one word, padded with a space each side (as scikit-learn's char_wb)."""
    padded = f" {word} "
    n = len(padded)
    return [padded[i : i + k] for k in range(low, min(high, n) + 1) for i in range(n - k + 1)]


def char_analyzer(doc: str) -> list[str]:
    return [g for word in preprocess(doc).split() for g in word_grams(word)]


_HANDLE = re.compile(r"@(\w{2,30})")
_HANDLE_PART = re.compile(r"[a-z]{3,}")


def handle_analyzer(doc: str) -> list[str]:
    """The accounts a post addresses, and the words in their names: posts to `@AcmeHelp` or
    `@Superdry_Care` are more often complaints than posts that name no support account."""
    tokens = []
    for handle in _HANDLE.findall(doc.lower()):
        tokens.append(f"@{handle}")
        tokens.extend(f"@~{part}" for part in _HANDLE_PART.findall(handle.replace("_", " ")))
    return tokens


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
        self._known: dict[str, np.ndarray] = {}

    def warm(self, words: Iterable[str]) -> None:
        """Work out the ids of words known to be common once, at load, rather than per batch."""
        self._known = {w: self._word_ids(w) for w in words}

    def _word_ids(self, word: str) -> np.ndarray:
        vocabulary = self.vocabulary_
        return np.array(
            [vocabulary[g] for g in word_grams(word) if g in vocabulary], dtype=np.int32
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_ids", None)
        state.pop("_known", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "vocabulary_" in state:
            self._make_cache()

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_words([preprocess(doc).split() for doc in texts])

    def transform_words(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        """The matrix of documents already preprocessed and split into words."""
        ids, known = self._ids, self._known
        words = [known[w] if w in known else ids(w) for doc in docs for w in doc]
        if words:
            columns = np.concatenate(words)
            per_word = np.fromiter(map(len, words), np.int64, len(words))
            owner = np.repeat(np.arange(len(docs)), [len(doc) for doc in docs])
            rows = np.repeat(owner, per_word)
        else:
            columns = rows = np.zeros(0, np.int64)
        matrix = sp.csr_matrix(
            (np.ones(len(columns), np.float32), (rows, columns)),
            shape=(len(docs), len(self.idf_)),
        )
        matrix.sum_duplicates()
        matrix.data = 1 + np.log(matrix.data)
        return normalize(matrix @ sp.diags(self.idf_))


class Analysed:
    """One batch analysed once (preprocessed, split, tokenised) for every model to share."""

    __slots__ = ("raw", "tokens", "words")

    def __init__(self, texts: Sequence[str]) -> None:
        self.raw = list(texts)
        pre = [preprocess(t) for t in self.raw]
        self.words = [p.split() for p in pre]
        self.tokens = [tokens_and_bigrams(p) for p in pre]


def tfidf_from_tokens(vectorizer: TfidfVectorizer, docs: list[list[str]]) -> sp.csr_matrix:
    """`vectorizer.transform` on already analysed documents (sublinear TF, l2, as fitted)."""
    get = vectorizer.vocabulary_.get
    idf = vectorizer.idf_.astype(np.float32)
    unknown = itertools.repeat(len(idf))  # one column past the vocabulary, dropped below
    columns: list[int] = []
    indptr = [0]
    for tokens in docs:
        columns.extend(map(get, tokens, unknown))
        indptr.append(len(columns))
    column = np.array(columns, np.int64)
    known = column < len(idf)
    counts = np.cumsum(np.r_[0, known])[np.array(indptr)]  # known tokens before each document
    matrix = sp.csr_matrix(
        (np.ones(int(known.sum()), np.float32), column[known], counts),
        shape=(len(docs), len(idf)),
    )
    matrix.sum_duplicates()
    matrix.data = 1 + np.log(matrix.data)
    return normalize(matrix @ sp.diags(idf))


# Negators that flip the valence of the next three words (VADER's list, in the tokens we make).
NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "hasn't",
        "haven't",
        "hadn't",
        "ain't",
        "dont",
        "cant",
        "wont",
        "isnt",
        "doesnt",
        "didnt",
        "aint",
        "without",
    }
)
NEGATION_SCALE = -0.74  # VADER's N_SCALAR
LEXICON_COLUMNS = 5


@functools.cache
def valence_lexicon() -> dict[str, float]:
    """VADER's word valences (-4 … 4), read from the file its PyPI package ships."""
    import vaderSentiment

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    lexicon: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, rest = line.partition("\t")
        value = rest.partition("\t")[0]
        if word and value:
            lexicon[word] = float(value)
    return lexicon


def lexicon_scores(tokens: Sequence[list[str]]) -> np.ndarray:
    """Per document: positive and negative valence sums, a compound score, '!' and 'no cue'."""
    lexicon = valence_lexicon()
    out = np.zeros((len(tokens), LEXICON_COLUMNS), np.float32)
    for i, doc in enumerate(tokens):
        pos = neg = 0.0
        exclaims = 0
        back1 = back2 = back3 = ""
        for token in doc:
            if " " in token:  # the bigrams follow the unigrams
                break
            value = lexicon.get(token)
            if value is not None:
                if back1 in NEGATORS or back2 in NEGATORS or back3 in NEGATORS:
                    value *= NEGATION_SCALE
                if value > 0:
                    pos += value
                else:
                    neg -= value
            elif token == "!":
                exclaims += 1
            back1, back2, back3 = token, back1, back2
        total = pos - neg
        out[i] = (
            pos / 4,
            neg / 4,
            total / math.sqrt(total * total + 15),
            min(exclaims, 3) / 3,
            float(pos == 0 and neg == 0),
        )
    return out


class Embedder:
    """Mean of WordLlama's static token embeddings, l2-normalised; tokens are cached per word.

    Tokenising word by word gives the same tokens as the whole text (the tokenizer marks word
    starts, and no token spans two words), so a word is tokenised once per process.
    """

    CONFIG = "l2_supercat"
    DIMENSIONS = 256

    def __init__(self) -> None:
        self._load()

    def _load(self) -> None:
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer

        root = Path(wordllama.__file__).parent
        self._tokenizer = Tokenizer.from_file(
            str(root / "tokenizers" / f"{self.CONFIG}_tokenizer_config.json")
        )
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        weights = root / "weights" / f"{self.CONFIG}_{self.DIMENSIONS}.safetensors"
        with safe_open(str(weights), framework="np") as f:
            self._vectors = np.ascontiguousarray(f.get_tensor(f.keys()[0]), dtype=np.float32)
        self._ids = functools.lru_cache(maxsize=200_000)(self._word_ids)
        self._known: dict[str, tuple[int, ...]] = {}

    def warm(self, words: Sequence[str]) -> None:
        """Tokenise words known to be common once, at load, not per post. In chunks: one batch
        of 100,000 words held ~100 MB more for the life of the process."""
        known: dict[str, tuple[int, ...]] = {}
        for start in range(0, len(words), 2000):
            chunk = list(words[start : start + 2000])
            encoded = self._tokenizer.encode_batch(chunk, add_special_tokens=False)
            known.update((w, tuple(e.ids)) for w, e in zip(chunk, encoded, strict=True))
        self._known = known

    def _word_ids(self, word: str) -> tuple[int, ...]:
        return tuple(self._tokenizer.encode(word, add_special_tokens=False).ids)

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._load()

    def embed(self, words: Sequence[list[str]]) -> np.ndarray:
        """One row per document, given as its (case-kept) words."""
        ids, known = self._ids, self._known
        columns: list[int] = []
        indptr = [0]
        for doc in words:
            for word in doc:
                columns.extend(known[word] if word in known else ids(word))
            indptr.append(len(columns))
        counts = sp.csr_matrix(
            (np.ones(len(columns), np.float32), np.array(columns, np.int64), np.array(indptr)),
            shape=(len(words), len(self._vectors)),
        )
        matrix = np.asarray(counts @ self._vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return matrix / norms


@dataclass(frozen=True, slots=True)
class Features:
    """A batch's features: `sparse` (word and char TF-IDF, lexicon scores) and `dense`
    (embedding); `empty` marks documents with nothing to read."""

    sparse: sp.csr_matrix
    dense: np.ndarray
    empty: np.ndarray

    def __len__(self) -> int:
        return int(self.sparse.shape[0])

    def rows(self, index: np.ndarray) -> "Features":
        return Features(self.sparse[index], self.dense[index], self.empty[index])


COMMON_WORDS = 100_000
HANDLE_SCALE = 0.3  # the addressed accounts' weight beside the words


class Featurizer:
    """Fitted once on every training text; `transform(texts)` feeds all the triage models."""

    def __init__(self, word_min_df: int = 2, char_min_df: int = 3) -> None:
        self.word_min_df = word_min_df
        self.char_min_df = char_min_df

    def fit(self, texts: Sequence[str]) -> "Featurizer":
        self.word = word_vectorizer(self.word_min_df).fit(texts)
        self.handles = TfidfVectorizer(
            analyzer=handle_analyzer, min_df=2, sublinear_tf=True, dtype=np.float32
        ).fit(texts)
        self.char = FastCharWB(self.char_min_df).fit(texts)
        self.embedder = Embedder()
        # The most common training words: their per-word features are worked out at load.
        lower = Counter(w for t in texts for w in preprocess(t).split())
        raw = Counter(w for t in texts for w in t.split())
        self.common_words = [w for w, _ in lower.most_common(COMMON_WORDS)]
        self.common_raw_words = [w for w, _ in raw.most_common(COMMON_WORDS)]
        self.warm()
        return self

    def warm(self) -> None:
        self.char.warm(self.common_words)
        self.embedder.warm(self.common_raw_words)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.warm()

    @property
    def n_sparse(self) -> int:
        return len(self.word.idf_) + len(self.char.idf_) + LEXICON_COLUMNS + len(self.handles.idf_)

    def transform(self, texts: Sequence[str]) -> Features:
        """Features of sanitised texts (see `sanitize`)."""
        batch = Analysed(texts)
        sparse = sp.hstack(
            [
                tfidf_from_tokens(self.word, batch.tokens),
                self.char.transform_words(batch.words),
                sp.csr_matrix(lexicon_scores(batch.tokens)),
                tfidf_from_tokens(self.handles, [handle_analyzer(t) for t in batch.raw])
                * HANDLE_SCALE,
            ],
            format="csr",
        )
        dense = self.embedder.embed([t.split() for t in batch.raw])
        empty = np.array([not tokens for tokens in batch.tokens])
        return Features(sparse, dense, empty)
