"""`rapport approvals expire`: mark pending approvals past their expiry as expired."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.approvals.actions import expire_due


class Command(BaseCommand):
    help = (
        "Approvals: `rapport approvals expire` marks every pending approval past its expiry as "
        "expired, so what waited for it (a reply) is told. Safe to run any time, e.g. from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "expire",
            help="Expire the pending approvals whose time is up.",
            description="Expire the pending approvals whose time is up, and say how many.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_due()
        self.stdout.write(f"{count} approval{'s' if count != 1 else ''} expired.")
