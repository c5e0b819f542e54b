from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run a background task worker for the configured backend (the database queue by "
        "default, Redis when RAPPORT_TASKS_BACKEND=redis). Run as many as you like, anywhere "
        "that reaches the database or Redis."
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

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS_BACKEND
        if backend == "database":
            extra = ["--batch"] if options["burst"] else []
            call_command(
                "db_worker",
                "--queue-name",
                options["queue"],
                "--interval",
                str(options["interval"]),
                *extra,
            )
        elif backend == "redis":
            extra = ["--burst"] if options["burst"] else []
            # RQ's own Job class cannot run a django-tasks Task; django-tasks-rq's can.
            call_command(
                "rqworker",
                options["queue"],
                "--with-scheduler",
                "--job-class",
                "django_tasks_rq.Job",
                *extra,
            )
        else:
            raise CommandError(
                "RAPPORT_TASKS_BACKEND=immediate runs tasks inside the web process; "
                "there is nothing for a worker to do."
            )
