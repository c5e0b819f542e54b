"""One way to perform each identity-resolution action (merge, unmerge, reject a suggestion,
start a dedupe), given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.contacts import review
from rapport.contacts.merge import merge_contacts, unmerge
from rapport.contacts.models import Contact, MatchSuggestion, MergeRecord
from rapport.core.models import Membership


def _pair(owner: Membership) -> tuple[Contact, Contact]:
    a = Contact.objects.create(workspace=owner.workspace, name="Maya Chen", email="m@example.com")
    b = Contact.objects.create(workspace=owner.workspace, name="Maya Chen", phone="+441632960961")
    return a, b


def _merged(owner: Membership) -> MergeRecord:
    return merge_contacts(owner, *_pair(owner))


def _suggestion(owner: Membership) -> MatchSuggestion:
    a, b = _pair(owner)
    return MatchSuggestion.objects.create(workspace=owner.workspace, contact=a, other=b, score=0.8)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "contact.merge": _merged,
    "contact.unmerge": lambda o: unmerge(o, _merged(o)),
    "contact.match.reject": lambda o: review.reject_suggestion(o, _suggestion(o)),
    "contact.dedupe": lambda o: review.start_dedupe(o),
}
