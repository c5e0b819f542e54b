"""Identity resolution: who is who across networks, CRM exports and typos.

- `records`: the compared fields (`Record`), normalised once;
- `blocking`: which pairs are worth comparing;
- `comparators`: how two values agree, as a named level;
- `scoring`: Fellegi-Sunter evidence per level, the 0-1 score and its explanation;
- `matcher`: block + score + threshold, shared by the product and `rapport bench linkage`;
- `resolve`: the database side (one incoming identity, one contact, a workspace's batch).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rapport.contacts.models import Contact, Identity


def resolve_identity(identity: "Identity") -> "Contact | None":
    from rapport.contacts.linkage.resolve import resolve_identity as resolve

    return resolve(identity)


def find_matches(contact: "Contact", **kwargs: Any) -> list[Any]:
    from rapport.contacts.linkage.resolve import find_matches as find

    return find(contact, **kwargs)
