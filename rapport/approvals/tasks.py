"""Background work of approvals: expiring the ones whose time is up, reminding and escalating
the ones that wait too long, removing orphaned files. Each runs periodically (registered in
`wiring.py`)."""

from django_tasks import task

from rapport.approvals.actions import expire_due
from rapport.approvals.attachments import remove_orphans
from rapport.approvals.reminders import remind_and_escalate


@task()
def expire_approvals() -> int:
    """Marks pending approvals past their expiry as expired; their objects react."""
    return expire_due()


@task()
def remind_and_escalate_approvals() -> dict[str, int]:
    """Reminds the approvers of approvals waiting past the workspace's delay, and escalates
    those waiting past the longer one."""
    return remind_and_escalate()


@task()
def remove_orphan_attachments() -> int:
    """Deletes attachment files whose request was rolled back (no row names them)."""
    return remove_orphans()
