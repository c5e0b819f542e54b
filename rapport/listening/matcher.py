"""Match a post against every listening query of a workspace in one pass.

Each query is compiled to a closure over a post's features, and indexed by a few words of which
a matching post must contain at least one. A post is tokenized once; only the queries its words
trigger are evaluated, so a thousand queries cost little more than ten.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapport.listening.query import (
    WORD,
    And,
    Field,
    Mention,
    Node,
    Not,
    Or,
    Phrase,
    Tag,
    Term,
    fold,
    parse,
)

# A sigil and its body. A body holds no sigil, so scanning for sigils alone finds the same
# mentions and tags as scanning every word would.
_SIGILS = re.compile(r"([@#])(\w+(?:[.\-]\w+)*)")


@dataclass(slots=True)
class PostFeatures:
    keys: set[str]  # "word", "@:handle", "#:tag", "lang:xx", "from:handle", "network:name"
    words: str  # " word word word " for phrase lookups


def features(text: str, *, language: str = "", author: str = "", network: str = "") -> PostFeatures:
    folded = fold(text)
    words = WORD.findall(folded)
    keys = set(words)  # a word has no ":", so it cannot clash with the prefixed keys
    if "@" in folded or "#" in folded:
        keys.update(f"{sigil}:{body}" for sigil, body in _SIGILS.findall(folded))
    if language:
        keys.add("lang:" + language.lower()[:3].split("-")[0])
    if author:
        keys.add("from:" + fold(author).lstrip("@"))
    if network:
        keys.add("network:" + network.lower())
    return PostFeatures(keys, " " + " ".join(words) + " ")


Predicate = Callable[[PostFeatures], bool]


def _key(node: Term | Mention | Tag | Field) -> str:
    if isinstance(node, Term):
        return node.word
    if isinstance(node, Mention):
        return "@:" + node.handle
    if isinstance(node, Tag):
        return "#:" + node.tag
    return f"{node.name}:{node.value}"


_ATOMS = (Term, Mention, Tag, Field)


def compile_node(node: Node) -> Predicate:
    if isinstance(node, _ATOMS):
        key = _key(node)
        return lambda f: key in f.keys
    if isinstance(node, Phrase):
        needle = " " + " ".join(node.words) + " "
        return lambda f: needle in f.words
    if isinstance(node, Not):
        inner = compile_node(node.child)
        return lambda f: not inner(f)
    # Atoms among the children become one set operation; the rest are called in turn.
    keys = frozenset(_key(c) for c in node.children if isinstance(c, _ATOMS))
    others = [compile_node(c) for c in node.children if not isinstance(c, _ATOMS)]
    if isinstance(node, And):
        if not others:
            return lambda f: keys <= f.keys
        return lambda f: keys <= f.keys and all(c(f) for c in others)
    if not others:
        return lambda f: not keys.isdisjoint(f.keys)
    return lambda f: not keys.isdisjoint(f.keys) or any(c(f) for c in others)


def is_key_disjunction(node: Node) -> bool:
    """A term, tag, mention or field, or an OR of them: any of its triggers is a match."""
    if isinstance(node, Or):
        return all(isinstance(c, _ATOMS) for c in node.children)
    return isinstance(node, _ATOMS)


def _selectivity(key: str) -> int:
    """Lower is rarer: a word or tag narrows far more than `lang:en` or `network:x` does."""
    return 1 if key.startswith(("lang:", "network:")) else 0


def triggers(node: Node) -> frozenset[str] | None:
    """Keys of which every matching post holds at least one; None when no such set exists."""
    if isinstance(node, (Term, Mention, Tag, Field)):
        return frozenset([_key(node)])
    if isinstance(node, Phrase):
        return frozenset([max(node.words, key=len)])
    if isinstance(node, Not):
        return None
    child_sets = [triggers(c) for c in node.children]
    if isinstance(node, Or):
        if any(s is None for s in child_sets):
            return None
        return frozenset().union(*child_sets)  # type: ignore[arg-type]
    candidates = [s for s in child_sets if s is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (max(_selectivity(k) for k in s), len(s)))


class Matcher:
    """Many compiled queries and their trigger index; `match` returns the ids that match."""

    def __init__(self, queries: Iterable[tuple[int, str]]) -> None:
        self.predicates: dict[int, Predicate] = {}
        self.index: dict[str, list[int]] = defaultdict(list)
        self.always: list[int] = []
        self.exact: set[int] = set()  # matched as soon as triggered: nothing to evaluate
        for query_id, text in queries:
            node = parse(text)
            self.predicates[query_id] = compile_node(node)
            if is_key_disjunction(node):
                self.exact.add(query_id)
            keys = triggers(node)
            if keys is None:
                self.always.append(query_id)
            else:
                for key in keys:
                    self.index[key].append(query_id)
        self.index = dict(self.index)

    def __len__(self) -> int:
        return len(self.predicates)

    def match(self, post: PostFeatures) -> list[int]:
        index = self.index
        candidates: set[int] = set(self.always)
        for key in index.keys() & post.keys:  # a set operation in C, not a lookup per word
            candidates.update(index[key])
        if not candidates:
            return []
        predicates, exact = self.predicates, self.exact
        sure = candidates & exact
        unsure = candidates - sure
        if unsure:
            sure.update(q for q in unsure if predicates[q](post))
        return sorted(sure)
