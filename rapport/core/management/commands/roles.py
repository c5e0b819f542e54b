from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core.permissions import markdown


def roles_file() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "roles.md"


class Command(BaseCommand):
    help = (
        "Write the table of roles and what each may do (rapport/core/permissions.py) to "
        "docs/roles.md, or --check that the committed file matches the code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if docs/roles.md differs from the code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text, path = markdown(), roles_file()
        if options["check"]:
            if not path.exists() or path.read_text() != text:
                raise CommandError(f"{path} is out of date: run `make roles`.")
            self.stdout.write("The roles table is up to date.")
            return
        path.write_text(text)
        self.stdout.write(f"Wrote {path}")
