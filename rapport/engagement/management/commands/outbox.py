"""`rapport outbox send`: publish the queued replies that are due, here and now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.engagement.outbox import publish_due


class Command(BaseCommand):
    help = (
        "The reply outbox. `rapport outbox send` publishes every queued reply that is due "
        "(new ones, and retries whose wait is over) and fails replies stuck half-way through "
        "sending. Workers do this on their own; run it from cron when the task backend cannot "
        "schedule retries, or to flush the queue by hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        send = sub.add_parser(
            "send",
            help="Publish the queued replies that are due.",
            description="Publish the queued replies that are due; prints what happened.",
        )
        send.add_argument(
            "--limit", type=int, default=500, help="At most this many replies (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = publish_due(limit=options["limit"])
        if not counts:
            self.stdout.write("No reply is due.")
            return
        for outcome, count in sorted(counts.items()):
            self.stdout.write(f"{outcome}: {count}")
