"""What listening plugs into core: polling due sources is a periodic task, so every
`rapport worker` running the scheduler polls them (`rapport listen schedule` still can)."""

from rapport.core import schedule
from rapport.listening.tasks import poll_due_sources

#: As often as `rapport listen schedule` looked by default; each source keeps its own interval.
schedule.every("listening.poll", seconds=30, task=poll_due_sources)
