"""Background tasks of the core domain."""

import os
import socket
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
