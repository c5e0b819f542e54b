"""The listening query language: parse `"acme bank" OR @acmebank -job lang:en` into a tree.

    query    := or
    or       := and ("OR" and)*
    and      := unary (["AND"] unary)*          adjacent parts are ANDed
    unary    := ("NOT" | "-") unary | atom
    atom     := "(" or ")" | "\"phrase\"" | @handle | #tag | field:value | term
    field    := lang | from | network

Terms and phrases match whole words, ignoring case and accents; a term also matches the word in
a #tag or @mention (`acme` matches `#acme`). `@handle` matches a mention, `#tag` a hashtag,
`from:` the author's handle, `lang:` the post's language, `network:` where it was posted.
Errors name the position (counted from 1) and the problem.
"""

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Union

FIELDS = ("lang", "from", "network")
MAX_QUERY_LENGTH = 2000
MAX_DEPTH = 32


class QuerySyntaxError(ValueError):
    def __init__(self, position: int, problem: str) -> None:
        self.position = position  # 1-based
        self.problem = problem
        super().__init__(f"At position {position}: {problem}")


@functools.cache
def _combining_marks() -> dict[int, None]:
    """Every combining character, as a `str.translate` table that deletes them."""
    return dict.fromkeys(c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c)))


def fold(text: str) -> str:
    """Lowercase without accents: what both queries and posts are compared in."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_combining_marks())


WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    word: str


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    handle: str


@dataclass(frozen=True, slots=True)
class Tag:
    tag: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    child: "Node"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple["Node", ...]


Node = Union[Term, Phrase, Mention, Tag, Field, Not, And, Or]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # LPAREN RPAREN PHRASE WORD OR AND NOT MINUS
    text: str
    position: int  # 1-based


_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"?|-(?=[^\s)])|[^\s()"]+')


def tokenize(query: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(query):
        text, position = match.group(), match.start() + 1
        if text.isspace():
            continue
        if text == "(":
            tokens.append(Token("LPAREN", text, position))
        elif text == ")":
            tokens.append(Token("RPAREN", text, position))
        elif text.startswith('"'):
            if len(text) < 2 or not text.endswith('"'):
                raise QuerySyntaxError(position, "this quote is never closed")
            tokens.append(Token("PHRASE", text[1:-1], position))
        elif text == "-":
            tokens.append(Token("MINUS", text, position))
        elif text in ("OR", "AND", "NOT"):
            tokens.append(Token(text, text, position))
        else:
            tokens.append(Token("WORD", text, position))
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def end_position(self) -> int:
        return len(self.query) + 1

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError(1, "the query is empty")
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            raise QuerySyntaxError(token.position, "this ')' has no matching '('")
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.i += 1
            if self.peek() is None or self.peek().kind in ("OR", "AND", "RPAREN"):  # type: ignore[union-attr]
                raise QuerySyntaxError(token.position, "OR needs something after it")
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while (token := self.peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                self.i += 1
                following = self.peek()
                if following is None or following.kind in ("OR", "AND", "RPAREN"):
                    raise QuerySyntaxError(token.position, "AND needs something after it")
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError(self.end_position(), "the query ends too early")
        if token.kind in ("NOT", "MINUS"):
            self.i += 1
            if self.peek() is None:
                raise QuerySyntaxError(token.position, f"{token.text} needs something after it")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(token.position, "exclusions are nested too deeply")
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.peek()
        assert token is not None
        self.i += 1
        if token.kind == "LPAREN":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(token.position, "parentheses are nested too deeply")
            if self.peek() is None:
                raise QuerySyntaxError(token.position, "this '(' is never closed")
            if self.peek().kind == "RPAREN":  # type: ignore[union-attr]
                raise QuerySyntaxError(token.position, "these parentheses are empty")
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "RPAREN":
                raise QuerySyntaxError(token.position, "this '(' is never closed")
            self.i += 1
            self.depth -= 1
            return node
        if token.kind == "RPAREN":
            raise QuerySyntaxError(token.position, "this ')' has no matching '('")
        if token.kind in ("OR", "AND"):
            raise QuerySyntaxError(token.position, f"{token.kind} needs something before it")
        if token.kind == "PHRASE":
            words = tuple(WORD.findall(fold(token.text)))
            if not words:
                raise QuerySyntaxError(token.position, "this phrase has no words in it")
            return Phrase(words) if len(words) > 1 else Term(words[0])
        return self.parse_word(token)

    def parse_word(self, token: Token) -> Node:
        text = token.text
        if text[0] in "@#":
            value = fold(text[1:])
            if not re.fullmatch(r"\w+(?:[.\-]\w+)*", value):
                kind = "handle" if text[0] == "@" else "hashtag"
                raise QuerySyntaxError(token.position, f"{text!r} is not a valid {kind}")
            return Mention(value) if text[0] == "@" else Tag(value)
        if ":" in text:
            name, _, value = text.partition(":")
            if name.lower() not in FIELDS:
                raise QuerySyntaxError(
                    token.position,
                    f"unknown field {name!r}; use one of {', '.join(f + ':' for f in FIELDS)}",
                )
            value = fold(value).lstrip("@")
            if not value:
                raise QuerySyntaxError(token.position, f"{name}: needs a value")
            if name.lower() == "lang" and not re.fullmatch(r"[a-z]{2,3}", value):
                raise QuerySyntaxError(
                    token.position, f"{value!r} is not a language code such as en or fr"
                )
            return Field(name.lower(), value)
        words = WORD.findall(fold(text))
        if not words:
            raise QuerySyntaxError(token.position, f"{text!r} has no letters or digits")
        if len(words) > 1:  # `acme-bank` or `acme.com`: the words in that order
            return Phrase(tuple(words))
        return Term(words[0])


def _has_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(_has_positive(c) for c in node.children)
    return True


def parse(query: str) -> Node:
    """The query's tree; raises QuerySyntaxError naming the position and the problem."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            MAX_QUERY_LENGTH + 1, f"a query has at most {MAX_QUERY_LENGTH} characters"
        )
    node = _Parser(query).parse()
    if not _has_positive(node):
        raise QuerySyntaxError(
            1, "a query needs at least one thing a post must contain, not only exclusions"
        )
    return node
