"""Against floods on the idea portal: how many sign-in links, ideas and comments one client
address and one person may send in an hour.

Counted in Django's cache (Redis, or files on one machine), per fixed hour: a count outlives its
hour by a minute and then goes. An address's limit is higher than a person's, since an office or
a mobile network puts many people behind one address. A refusal says when to try again.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Limit:
    what: str  # in the refusal: "You have asked for too many {what}"
    per_address: int
    per_person: int


LIMITS = {
    "link": Limit("sign-in links", per_address=20, per_person=5),
    "idea": Limit("ideas", per_address=20, per_person=5),
    "comment": Limit("comments", per_address=60, per_person=20),
}


class Throttled(Exception):
    """Over a limit; the message says which and when to try again."""


def _key(kind: str, scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"portal-throttle:{kind}:{scope}:{digest}:{window}"


def count(kind: str, *, address: str, person: str) -> None:
    """Counts one `kind` from `address` by `person`; Throttled (counting nothing) when either
    is at its limit for this hour."""
    limit = LIMITS[kind]
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    keys = {
        "address": (_key(kind, "address", address, window), limit.per_address),
        "person": (_key(kind, "person", person, window), limit.per_person),
    }
    found = cache.get_many([key for key, _ in keys.values()])
    minutes = max(1, math.ceil(((window + 1) * WINDOW_SECONDS - now) / 60))
    if found.get(keys["person"][0], 0) >= limit.per_person:
        raise Throttled(
            f"You have sent too many {limit.what} in the last hour (at most {limit.per_person}). "
            f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
    if found.get(keys["address"][0], 0) >= limit.per_address:
        raise Throttled(
            f"Too many {limit.what} came from your network in the last hour. "
            f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
    for key, _ in keys.values():
        if not cache.add(key, 1, timeout=WINDOW_SECONDS + 60):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=WINDOW_SECONDS + 60)
