"""What core runs on a schedule: the sweep of queued listeners' tasks left pending by a process
that died between its commit and their enqueue (`rapport.core.events`)."""

from rapport.core import schedule
from rapport.core.tasks import send_pending_events

schedule.every("core.pending_events", seconds=30, task=send_pending_events)
