from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core import leases, schedule, warmup


class Command(BaseCommand):
    help = (
        "Run a background task worker for the configured backend (the database queue by "
        "default, Redis when RAPPORT_TASKS_BACKEND=redis). Run as many as you like, anywhere "
        "that reaches the database or Redis. Unless --burst or --no-scheduler, it also runs the "
        "scheduler (periodic tasks such as the SLA sweep and polling listening sources; see "
        "`rapport schedule`): several workers may run it, each due run is enqueued once. A task "
        "whose worker died (kill -9, a lost machine) goes back to the queue once the worker's "
        "heartbeat lapses (RAPPORT_WORKER_LEASE_SECONDS), and fails with its reason after "
        "RAPPORT_TASK_MAX_ATTEMPTS tries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", default="default", help="Queue to consume (default: default)."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls of the database queue (default: 1).",
        )
        parser.add_argument(
            "--burst", action="store_true", help="Run the tasks waiting now, then exit."
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not enqueue periodic tasks from this worker (another process does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASKS_BACKEND not in ("database", "redis"):
            raise CommandError(
                "RAPPORT_TASKS_BACKEND=immediate runs tasks inside the web process; "
                "there is nothing for a worker to do."
            )
        if settings.TASKS_BACKEND == "redis":  # RQ forks a child per job: load once, before
            seconds = warmup.load_all()
            self.stdout.write(f"Models loaded in {seconds:.1f} s.")
        stop = None
        if not options["burst"] and not options["no_scheduler"]:
            # A thread, because both queue workers want the main thread for their signal handlers.
            _, stop = schedule.start_thread()
            self.stdout.write("Scheduler started: " + _names())
        try:
            self.consume(options)
        finally:
            if stop is not None:
                stop.set()

    def consume(self, options: dict[str, Any]) -> None:
        backend = settings.TASKS_BACKEND
        if backend == "database":
            extra = ["--batch"] if options["burst"] else []
            worker_id = leases.new_worker_id()
            heartbeat = leases.Heartbeat(worker_id)
            heartbeat.start()
            try:
                call_command(
                    "db_worker",
                    "--queue-name",
                    options["queue"],
                    "--interval",
                    str(options["interval"]),
                    "--worker-id",
                    worker_id,
                    "--no-reload",
                    *extra,
                )
            finally:
                heartbeat.stop()
        else:
            extra = ["--burst"] if options["burst"] else []
            # RQ's own Job class cannot run a django-tasks Task; django-tasks-rq's can. Our
            # worker class stops its work horse when it dies and retries its dead peers' jobs.
            call_command(
                "rqworker",
                options["queue"],
                "--with-scheduler",
                "--job-class",
                "django_tasks_rq.Job",
                "--worker-class",
                "rapport.core.rq_worker.Worker",
                *extra,
            )


def _names() -> str:
    periodic = schedule.registered()
    if not periodic:
        return "no periodic tasks registered."
    return ", ".join(f"{p.name} every {p.seconds} s" for p in periodic) + "."
