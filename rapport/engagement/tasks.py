"""Background work of engagement: the outbox publishes queued replies."""

from django_tasks import task

from rapport.engagement import outbox


@task()
def publish_replies(reply_ids: list[int]) -> dict[str, str]:
    """Publishes these queued replies; a reply already sent or being sent is skipped."""
    return {str(reply_id): outbox.publish(reply_id) for reply_id in reply_ids}


@task()
def publish_due_replies() -> dict[str, int]:
    """Publishes every queued reply that is due (retries whose wait is over, lost tasks)."""
    return outbox.publish_due()
