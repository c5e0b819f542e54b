"""How the profile is fed (discovered by core; see `rapport.core.events`).

Triaged posts by known customers, contacts' events (interactions, orders, linked identities'
history) and resolved conversations go on the timeline; other domains' audited writes still
arrive through `rapport.core.audit.domain_event` (`audited.py`) until they emit events of their
own. Imported CRM cases are written here (contacts' import engine calls the registered writer),
and the suggestion rules are refreshed on a schedule.
"""

from rapport.contacts.imports.mappings import Target
from rapport.contacts.imports.writers import WRITERS
from rapport.core import schedule
from rapport.core.audit import domain_event
from rapport.core.events import Event, listen
from rapport.profile import audited, timeline
from rapport.profile.imported_cases import write_cases
from rapport.profile.tasks import refresh_suggestion_rules


@listen("post.triaged")
def posts_triaged(event: Event) -> None:
    """A known customer's posts join their timeline."""
    timeline.record_triaged_posts(event.workspace_id, event.ids)


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


domain_event.connect(audited.on_domain_event, dispatch_uid="profile.timeline")
WRITERS[Target.CASES] = write_cases
# the rules are cached for 6 h: recompute them well before, off the request
schedule.every("profile.suggestion_rules", seconds=3 * 3600, task=refresh_suggestion_rules)
