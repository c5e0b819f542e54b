from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core.catalogue import catalogue_file, render


class Command(BaseCommand):
    help = (
        "Write the event catalogue (every domain event and hook, its payload, who emits it and "
        "who reacts) to docs/events.md, or --check that the committed file matches the code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if docs/events.md differs from the code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text, path = render(), catalogue_file()
        if options["check"]:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is out of date: run `make events`.")
            self.stdout.write("The event catalogue is up to date.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}")
