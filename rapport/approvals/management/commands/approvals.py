"""`rapport approvals expire` marks pending approvals past their expiry as expired;
`rapport approvals remind` reminds and escalates the ones that wait too long."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.approvals.actions import expire_due
from rapport.approvals.reminders import remind_and_escalate


class Command(BaseCommand):
    help = (
        "Approvals: `rapport approvals expire` marks every pending approval past its expiry as "
        "expired, so what waited for it (a reply, a case) is told; `rapport approvals remind` "
        "reminds the approvers of approvals waiting past the workspace's delay and escalates "
        "those waiting past the longer one. Both are safe to run any time, e.g. from cron (the "
        "worker's scheduler runs them too)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser(
            "expire",
            help="Expire the pending approvals whose time is up.",
            description="Expire the pending approvals whose time is up, and say how many.",
        )
        sub.add_parser(
            "remind",
            help="Remind, then escalate, the approvals that wait too long.",
            description=(
                "Remind the approvers of pending approvals older than the workspace's reminder "
                "delay (once), and escalate those older than its escalation delay (once); say "
                "how many."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "remind":
            counts = remind_and_escalate()
            self.stdout.write(f"{counts['reminded']} reminded, {counts['escalated']} escalated.")
            return
        count = expire_due()
        self.stdout.write(f"{count} approval{'s' if count != 1 else ''} expired.")
