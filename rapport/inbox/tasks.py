"""Background tasks of the inbox: one intake task per triaged batch, never one per post."""

from django_tasks import task

from rapport.inbox.intake import intake_stored


@task()
def intake_posts(workspace_id: int, post_ids: list[int]) -> int:
    """Groups and routes a triaged batch, after its ingest committed; returns posts placed."""
    return len(intake_stored(workspace_id, post_ids).placed)
