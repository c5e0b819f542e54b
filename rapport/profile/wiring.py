"""How the profile is fed (discovered by core; see `rapport.core.events`).

Triaged posts by known customers, replies published to them, resolved conversations, contacts'
events (interactions, orders, linked identities' history), cases resolved and approvals asked
and decided go on the timeline; a case opened goes on it inside the opening's transaction (the
`case.opening` hook). Imported CRM cases are written here (contacts'
import engine calls the registered writer), and the suggestion rules are refreshed on a schedule.
"""

import logging

from django.db import transaction

from rapport.cases.models import Case
from rapport.contacts.imports.mappings import Target
from rapport.contacts.imports.writers import WRITERS
from rapport.core import events, hooks, schedule
from rapport.core.events import Event, listen
from rapport.core.models import Membership
from rapport.profile import timeline
from rapport.profile.imported_cases import write_cases
from rapport.profile.tasks import refresh_suggestion_rules

logger = logging.getLogger(__name__)


@listen("post.triaged", queued=True)  # a read of every batch: off the ingest's path
def posts_triaged(event: Event) -> None:
    """A known customer's posts join their timeline."""
    timeline.record_triaged_posts(event.workspace_id, event.ids)


@listen("post.deleted")
def posts_deleted(event: Event) -> None:
    """A post its author deleted leaves the timeline."""
    with transaction.atomic():
        timeline.forget_posts(event.workspace_id, event.ids)


@listen("reply.published")
def reply_published(event: Event) -> None:
    """A reply to a known customer's post joins their timeline."""
    if event.object_id is not None:
        with transaction.atomic():
            timeline.record_reply(event.workspace_id, event.object_id)


@listen("interaction.logged")
def interaction_logged(event: Event) -> None:
    if event.object_id is not None:
        timeline.record_interaction(event.workspace_id, event.object_id)


@listen("orders.recorded")
def orders_recorded(event: Event) -> None:
    timeline.record_orders(event.workspace_id, event.ids)


@listen("conversation.resolved")
def conversation_resolved(event: Event) -> None:
    if event.object_id is not None:
        timeline.record_resolved_conversation(event.workspace_id, event.object_id)


@listen("identities.linked", queued=True)  # an identity's whole history: off the caller's path
def identities_linked(event: Event) -> None:
    timeline.record_identities(event.workspace_id, event.ids)


@hooks.on("case.opening")
def case_opened(case: Case, actor: Membership) -> None:
    """A customer's new case is on their timeline the moment it commits, in its transaction.
    As for a listener, a failure here is logged and never breaks the opening: the savepoint
    undoes the entry alone."""
    if case.customer_id is None:
        return
    try:
        with transaction.atomic():
            timeline.record_new_case(case)
    except Exception:
        if events.raise_errors:
            raise
        logger.exception("The timeline entry of case %s failed", case.pk)


@listen("case.resolved")
@listen("case.unmerged")  # its resolution, if it had one, is back
def case_changed(event: Event) -> None:
    """A customer's case resolved joins their timeline."""
    if event.object_id is not None:
        with transaction.atomic():
            timeline.record_case(event.workspace_id, event.object_id)


@listen("case.updated")
def case_customer_linked(event: Event) -> None:
    """A case linked to its customer later brings its entries to their timeline."""
    if event.object_id is not None and "customer" in event.data.get("fields", ()):
        with transaction.atomic():
            timeline.record_case(event.workspace_id, event.object_id)


@listen("approval.requested")
@listen("approval.decided")
@listen("approval.withdrawn")
@listen("approval.expired")
def approval_changed(event: Event) -> None:
    """An approval about a customer (on their case, or a reply to them), asked or decided."""
    if event.object_id is not None:
        with transaction.atomic():
            timeline.record_approval(event.workspace_id, event.object_id)


WRITERS[Target.CASES] = write_cases
# the rules are cached for 6 h: recompute them well before, off the request
schedule.every("profile.suggestion_rules", seconds=3 * 3600, task=refresh_suggestion_rules)
