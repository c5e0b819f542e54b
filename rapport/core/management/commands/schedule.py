from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from rapport.core import schedule
from rapport.core.models import Schedule


class Command(BaseCommand):
    help = (
        "List the periodic tasks (the SLA sweep, the outbox, approval expiry...) with their next "
        "and last run. `rapport worker` enqueues them when due; --run-due enqueues the due ones "
        "once and exits (for cron, or a deployment without a long-running worker scheduler). "
        "Safe beside running workers: each due run is enqueued once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--run-due",
            action="store_true",
            help="Enqueue the schedules that are due now, then list them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["run_due"]:
            enqueued = schedule.run_due(now)
            for name, task_id in enqueued:
                self.stdout.write(f"Enqueued {name} (task {task_id})")
            if not enqueued:
                self.stdout.write("Nothing is due.")
        else:
            schedule.ensure_rows(now)
        registered = {p.name for p in schedule.registered()}
        rows = list(Schedule.objects.all())
        if not rows:
            self.stdout.write("No periodic task is registered.")
            return
        self.stdout.write(f"{'name':<28} {'every':>8}  {'next run':<26} {'last run':<20} task")
        for row in rows:
            note = "" if row.name in registered else "  (no longer registered)"
            next_run = _when(row.next_run_at, now, due=True)
            self.stdout.write(
                f"{row.name:<28} {row.every_seconds:>6} s  {next_run:<26} "
                f"{_when(row.last_run_at, now):<20} {row.task_path}{note}"
            )


def _when(moment: Any, now: Any, due: bool = False) -> str:
    if moment is None:
        return "never"
    local = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return f"{local}{' (due)' if due and moment <= now else ''}"
