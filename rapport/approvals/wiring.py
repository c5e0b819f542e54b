"""Approvals' periodic work (discovered by core): expiring the approvals whose time is up,
reminding and escalating the ones that wait too long, removing files left by rolled-back
requests."""

from rapport.approvals.tasks import (
    expire_approvals,
    remind_and_escalate_approvals,
    remove_orphan_attachments,
)
from rapport.core import schedule

schedule.every("approvals.expire", seconds=60, task=expire_approvals)
schedule.every("approvals.remind", seconds=600, task=remind_and_escalate_approvals)
schedule.every("approvals.files", seconds=6 * 3600, task=remove_orphan_attachments)
