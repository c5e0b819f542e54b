"""Background work of approvals: expiring the ones whose time is up."""

from django_tasks import task

from rapport.approvals.actions import expire_due


@task()
def expire_approvals() -> int:
    """Marks pending approvals past their expiry as expired; their objects react."""
    return expire_due()
