"""Blocking: which pairs are worth scoring. Scoring every pair of n records is n²/2 comparisons;
records only meet when they share one of a few cheap keys, so the candidate pairs stay near n.

Keys (a pair needs just one in common, so a typo in one field is caught by another key):
- the deterministic keys: email, phone, national id or account number, a handle, a bio link;
- the sound of the last name (soundex) with the year of birth, and with the first name's sound;
- the postcode with the first letter of the last name; the date of birth;
- a sorted neighbourhood: records sorted by name (and by name reversed, so a typo in the first
  letters still lands near), each paired with the next few.

A key shared by more than MAX_BLOCK records (a common surname in a big workspace) says too
little to be worth the pairs; it is skipped and the other keys do the work.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import jellyfish

from rapport.contacts.linkage.records import Record

MAX_BLOCK = 200
WINDOW = 6


@lru_cache(maxsize=65536)
def sound(name: str) -> str:
    return jellyfish.soundex(name) if name and name[0].isalpha() else name


def keys(r: Record) -> Iterator[str]:
    """The blocking keys of one record."""
    if r.email_key:
        yield "email:" + r.email_key
    if r.phone:
        yield "phone:" + r.phone
    if r.national_id:
        yield "id:" + r.national_id
    for handle in r.handles:
        yield "handle:" + handle
    for link in r.links:
        yield "link:" + link
    last = sound(r.last_name)
    first = sound(r.first_name)
    if last and r.birth_date:
        yield f"ly:{last}:{r.birth_date[:4]}"
    if last and first:
        yield f"lf:{last}:{first}"
    if first and r.birth_date:
        yield f"fd:{first}:{r.birth_date[4:]}"
    if r.postcode and r.last_name:
        yield f"pl:{r.postcode}:{r.last_name[0]}"
    if r.postcode and r.first_name:
        yield f"pf:{r.postcode}:{r.first_name[0]}"
    if r.birth_date:
        yield "dob:" + r.birth_date


def _name_keys(r: Record) -> tuple[str, str]:
    name = f"{r.last_name} {r.first_name}".strip()
    return name, name[::-1]


def dedupe_pairs(records: Sequence[Record]) -> set[tuple[int, int]]:
    """Candidate pairs (i < j, indexes into `records`) within one list."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for key in keys(r):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            for x, i in enumerate(members):
                for j in members[x + 1 :]:
                    pairs.add((i, j) if i < j else (j, i))
    for which in (0, 1):
        order = sorted((k[which], i) for i, r in enumerate(records) if (k := _name_keys(r))[which])
        for x, (_, i) in enumerate(order):
            for _, j in order[x + 1 : x + WINDOW]:
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def link_pairs(left: Sequence[Record], right: Sequence[Record]) -> set[tuple[int, int]]:
    """Candidate pairs (i in left, j in right) between two lists."""
    blocks: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for side, records in enumerate((left, right)):
        for i, r in enumerate(records):
            for key in keys(r):
                blocks[key][side].append(i)
    pairs: set[tuple[int, int]] = set()
    for lefts, rights in blocks.values():
        if lefts and rights and len(lefts) + len(rights) <= MAX_BLOCK:
            pairs.update((i, j) for i in lefts for j in rights)
    for which in (0, 1):
        order = sorted(
            (k[which], side, i)
            for side, records in enumerate((left, right))
            for i, r in enumerate(records)
            if (k := _name_keys(r))[which]
        )
        for x, (_, side, i) in enumerate(order):
            for _, other_side, j in order[x + 1 : x + WINDOW]:
                if other_side != side:
                    pairs.add((i, j) if side == 0 else (j, i))
    return pairs


def candidates(record: Record, pool: Iterable[Record]) -> list[Record]:
    """The records of `pool` sharing a blocking key with `record` (for one record at a time)."""
    mine = set(keys(record))
    return [r for r in pool if r.key != record.key and mine.intersection(keys(r))]
