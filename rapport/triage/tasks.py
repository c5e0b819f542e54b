"""Background tasks of triage: one task per received batch, never one per post."""

from django_tasks import task

from rapport.triage.pipeline import process_posts


@task()
def triage_posts(workspace_id: int, post_ids: list[int]) -> int:
    return process_posts(workspace_id, post_ids, hand_over=True)  # the inbox's task follows
