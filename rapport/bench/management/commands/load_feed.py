from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.bench.load.feed import feed


class Command(BaseCommand):
    help = (
        "The load test's listening (`rapport bench load` starts it): a batch of generated posts "
        "every second through the listening path into a workspace, then its figures as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rate", type=int, default=100, help="Posts per second.")
        parser.add_argument("--seconds", type=int, default=600, help="How long to feed.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same posts.")
        parser.add_argument("--slug", default="load", help="The workspace fed.")

    def handle(self, *args: Any, **options: Any) -> None:
        feed(
            rate=options["rate"],
            seconds=options["seconds"],
            seed=options["seed"],
            slug=options["slug"],
        )
