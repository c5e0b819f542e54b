"""How cases plug into the domains below them (discovered by core; see `rapport.core.events`).

An approval on a case is decided through the approvals registry (`approvals.on_case_approval_
decided` resumes the case), and what happens to it shows in the case's stream. Routing rules can
open a case: cases registers the action with the inbox's registry.
"""

from django.db import transaction

from rapport.approvals import registry as approval_kinds
from rapport.cases import activity
from rapport.cases.approvals import approval_url, on_case_approval_decided
from rapport.cases.models import Case
from rapport.cases.routing import OPEN_CASE
from rapport.core.events import Event, listen
from rapport.inbox import registry as routing_actions

approval_kinds.register(Case, on_case_approval_decided, url=approval_url)
routing_actions.register(OPEN_CASE)


@listen("approval.requested")
@listen("approval.decided")
@listen("approval.withdrawn")
@listen("approval.reminded")
@listen("approval.escalated")
@listen("approval.expired")
@listen("approval.files_added")
def approval_in_the_stream(event: Event) -> None:
    """An approval on a case: asked, decided, withdrawn, reminded, escalated, expired, given
    files, each a line of the case's stream."""
    with transaction.atomic():
        activity.log_approval(event)
