"""What contacts does when its own events are heard (found by core: `rapport.core.events`)."""

from rapport.contacts.linkage import batch
from rapport.core.events import Event, listen


@listen("contacts.imported")
def look_for_duplicates(event: Event) -> None:
    """An import that created or changed contacts starts a dedupe run over them."""
    if event.object_id and (event.data["created"] or event.data["updated"]):
        batch.dedupe_imported(event.workspace_id, event.object_id, source=event.data["source"])
