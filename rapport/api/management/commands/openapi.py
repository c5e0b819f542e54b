from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.api.openapi import SCHEMA_FILE, render


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema to rapport/api/openapi.json, or --check that it matches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if the committed file differs from the code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schema = render()
        if options["check"]:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != schema:
                raise CommandError(f"{SCHEMA_FILE} is out of date: run `make openapi`.")
            self.stdout.write("OpenAPI schema is up to date.")
            return
        SCHEMA_FILE.write_text(schema)
        self.stdout.write(f"Wrote {SCHEMA_FILE}")
