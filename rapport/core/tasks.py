"""Background tasks of the core domain."""

import os
import socket
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from rapport.core import events


@task()
def check_worker(workspace_id: int) -> dict[str, object]:
    """Proves a worker is consuming the queue: answers with where and when it ran."""
    return {
        "workspace_id": workspace_id,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "ran_at": timezone.now().isoformat(),
    }


@task()
def hear_event(listener: str, event: dict[str, Any]) -> None:
    """A queued listener hears its event (`rapport.core.events`)."""
    events.run_queued(listener, event)


#: How long a pending listener's task may wait for its enqueue after the commit before the
#: sweep takes it (the process that wrote it died, or the queue was away).
PENDING_GRACE = timedelta(seconds=60)


@task()
def send_pending_events() -> int:
    """Enqueues the queued listeners' tasks whose process died between commit and enqueue."""
    return events.send_pending(older_than=timezone.now() - PENDING_GRACE)
