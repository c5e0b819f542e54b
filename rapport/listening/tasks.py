"""Background tasks of listening: one poll task per due source, each storing one batch."""

import logging

from django_tasks import task

from rapport.listening import sources
from rapport.listening.models import Source

logger = logging.getLogger(__name__)


@task()
def poll_source(source_id: int) -> dict[str, object]:
    """Polls one source; its health records how it went. A deleted source is skipped."""
    source = Source.objects.filter(pk=source_id).select_related("workspace").first()
    if source is None:
        return {"source_id": source_id, "status": "skipped", "error": "no such source"}
    outcome = sources.poll(source)
    result: dict[str, object] = {
        "source_id": source_id,
        "status": outcome.status,
        "error": outcome.error,
    }
    if outcome.received is not None:
        result |= {
            "created": len(outcome.received.created),
            "updated": outcome.received.updated,
            "deleted": outcome.received.deleted,
            "duplicates": outcome.received.duplicates,
            "quarantined": outcome.received.quarantined,
            "repeated": outcome.received.repeated,
        }
    return result


@task()
def poll_due_sources() -> list[int]:
    """Enqueues one poll per due source, each claimed first so it is never polled twice."""
    return enqueue_due_polls()


def enqueue_due_polls(limit: int = 500) -> list[int]:
    enqueued = []
    for source in sources.due_sources()[:limit]:
        if sources.claim(source):
            poll_source.enqueue(source.pk)
            enqueued.append(source.pk)
    if enqueued:
        logger.info("Enqueued polls of %d source(s)", len(enqueued))
    return enqueued
