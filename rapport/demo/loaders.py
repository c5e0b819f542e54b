"""The order `rapport demo` loads the demo in: each domain's data after the domains it builds on
(customers before the posts about them, posts before the conversations they start; case types,
playbooks and SLA policies before the inbox's rules route conversations into cases).

Every `load` runs in this order; every `finish` runs once all have loaded, for what needs the
whole demo (the contacts demo links the demo posts' authors and the demo cases to customers;
the ideas demo, whose votes are customers', adds its ideas after that; recognition's three
months of history come last).
"""

from collections.abc import Callable
from dataclasses import dataclass

from rapport.core.models import Membership, Workspace
from rapport.demo import (
    case_approvals,
    cases,
    contact_imports,
    contacts,
    engagement,
    ideas,
    inbox,
    linkage,
    listening,
    notifications,
    people,
    playbooks,
    recognition,
    sla,
    triage,
    workspace,
)

Step = Callable[[Workspace, Membership], None]


@dataclass(frozen=True)
class Part:
    """One domain's demo data. `app` is the domain's app label: `rapport demo` prints its name."""

    app: str
    load: tuple[Step, ...]
    finish: tuple[Step, ...] = ()


PARTS = [
    Part("core", (workspace.load,)),
    Part(
        "contacts",
        (contact_imports.load, contacts.load),
        finish=(contacts.finish, linkage.finish),  # the review queue once every customer exists
    ),
    Part("listening", (listening.load,)),
    Part("triage", (triage.load,)),
    Part("cases", (cases.load, case_approvals.load)),
    Part("playbooks", (playbooks.load,)),
    Part("sla", (sla.load,)),
    # A rule opens Payment dispute cases: after their type, its playbook and its SLA policy.
    Part("inbox", (inbox.load,)),
    Part("engagement", (engagement.load,)),
    Part("people", (people.load,)),
    Part("notifications", (notifications.load,)),
    # The ideas' voters are customers: after the contacts demo made the posts' authors theirs.
    Part("ideas", (ideas.load,), finish=(ideas.finish,)),
    # Three months of the work the ledger credits: last, so the other demos' random choices
    # (the ideas' voters among the customers) are not moved by its customers.
    Part("recognition", (), finish=(recognition.load,)),
]
