"""Field comparators: each says how well two normalised values agree, as a named level.

A level is a word a person reading the explanation understands ("exact", "nickname", "typo",
"day and month swapped"); the scorer turns levels into evidence. `None` means one side is
unknown, which is no evidence either way.
"""

from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

Level = str | None

_nicknamer: NickNamer | None = None


def _names() -> NickNamer:
    global _nicknamer
    if _nicknamer is None:
        _nicknamer = NickNamer()
    return _nicknamer


@lru_cache(maxsize=65536)
def name_forms(first_name: str) -> frozenset[str]:
    """The name with its nicknames and the names it is a nickname of (Bob -> Robert, Rob...)."""
    if not first_name:
        return frozenset()
    namer = _names()
    forms = {first_name} | namer.nicknames_of(first_name) | namer.canonicals_of(first_name)
    return frozenset(forms)


def jaro_winkler(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def first_name(a: str, b: str) -> Level:
    if not a or not b:
        return None
    if a == b:
        return "exact"
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.92:
        return "close"
    if b in name_forms(a) or a in name_forms(b):
        return "nickname"
    if similarity >= 0.85:
        return "similar"
    if len(a) == 1 or len(b) == 1:  # an initial
        return "initial" if a[0] == b[0] else "different"
    return "different"


def last_name(a: str, b: str) -> Level:
    if not a or not b:
        return None
    if a == b:
        return "exact"
    if a.replace(" ", "").replace("-", "") == b.replace(" ", "").replace("-", ""):
        return "exact"
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.92:
        return "close"
    if similarity >= 0.85:
        return "similar"
    return "different"


def text(a: str, b: str) -> Level:
    """Free text such as a street or an address line: exact, close (a typo) or different."""
    if not a or not b:
        return None
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return "exact"
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.9:
        return "close"
    if similarity >= 0.8:
        return "similar"
    return "different"


def place(a: str, b: str) -> Level:
    """A town or suburb: exact, close (a typo) or different."""
    if not a or not b:
        return None
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return "exact"
    return "close" if JaroWinkler.similarity(a, b) >= 0.9 else "different"


def code(a: str, b: str) -> Level:
    """A postcode, house number or id: exact, one typo (an edit or a transposition), different."""
    if not a or not b:
        return None
    if a == b:
        return "exact"
    if len(a) >= 3 and DamerauLevenshtein.distance(a, b) <= 1:
        return "typo"
    return "different"


def equal(a: str, b: str) -> Level:
    if not a or not b:
        return None
    return "exact" if a == b else "different"


def birth_date(a: str, b: str) -> Level:
    """Dates as YYYYMMDD: exact, day and month swapped, one typo, one part differs, different."""
    if not a or not b:
        return None
    if a == b:
        return "exact"
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return "swapped"
    if DamerauLevenshtein.distance(a, b) <= 1:
        return "typo"
    same = (a[:4] == b[:4]) + (a[4:6] == b[4:6]) + (a[6:8] == b[6:8])
    return "one part differs" if same == 2 else "different"


def shared(a: frozenset[str], b: frozenset[str]) -> Level:
    """Sets such as handles or bio links: any in common is a match."""
    if not a or not b:
        return None
    return "shared" if a & b else "different"


def handles(a: frozenset[str], b: frozenset[str]) -> Level:
    """Handles as "network:handle": one in common is a match; different handles on the same
    network count against; handles on different networks say nothing."""
    if not a or not b:
        return None
    if a & b:
        return "shared"
    networks_a = {h.split(":", 1)[0] for h in a}
    return "different" if any(h.split(":", 1)[0] in networks_a for h in b) else None
