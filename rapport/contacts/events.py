"""What happens to contacts that other domains may react to (see `rapport.core.events`).

Emitted inside the write's transaction, heard after its commit. The profile's timeline is fed by
them; contacts itself looks for an import's duplicates on `contacts.imported`.
"""

from rapport.core.events import declare
from rapport.core.hooks import declare_hook

INTERACTION_LOGGED = declare(
    "interaction.logged",
    "A call, email, meeting or note with a contact was logged.",
    about="contacts.interaction",
    data={"contact": int},
)
ORDERS_RECORDED = declare(
    "orders.recorded",
    "Orders new to Rapport were imported from a CRM or ERP (won opportunities, order lines).",
    about="contacts.order",
)
IDENTITIES_LINKED = declare(
    "identities.linked",
    "Identities were linked to known contacts (the same handle, email or phone).",
    about="contacts.identity",
)
CONTACT_MERGED = declare(
    "contact.merged",
    "A contact was merged into another one, the same person; what pointed at it moved.",
    about="contacts.contact",
    data={"into": int, "merge": int, "automatic": bool},
)
CONTACT_UNMERGED = declare(
    "contact.unmerged",
    "A merge was undone: the contact is its own again, with what the merge had moved.",
    about="contacts.contact",
    data={"survivor": int, "merge": int},
)
CONTACTS_IMPORTED = declare(
    "contacts.imported",
    "An import (contacts, companies, orders or cases) finished writing its rows.",
    about="contacts.importjob",
    data={"mapping": str, "source": str, "created": int, "updated": int},
)

CONTACT_MERGING = declare_hook(
    "contact.merging",
    "Two contacts are being merged, before what points at the other moves to the survivor: a "
    "domain whose rows allow one per person (a vote per idea) settles the pair first.",
    args={"survivor": "the contact that stays", "other": "the contact merged into it"},
)
