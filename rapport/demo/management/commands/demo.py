from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from rapport.core import events
from rapport.demo import workspace
from rapport.demo.loaders import PARTS


class Command(BaseCommand):
    help = (
        "Create or refresh the demo workspace, Acme Bank, with its teams, people and the demo "
        "data of every domain. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # What reacts to the demo's writes (the inbox placing its posts) happens before the next
        # part loads, as a worker would have done by the time someone looks.
        with events.inline():
            acme, owner = workspace.create_workspace()
            for part in PARTS:
                for load in part.load:
                    load(acme, owner)
                self.stdout.write(f"  demo data: {apps.get_app_config(part.app).verbose_name}")
            for part in PARTS:
                for finish in part.finish:
                    finish(acme, owner)
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready: {acme.name}"))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password for all: {workspace.DEMO_PASSWORD}):")
            for person in workspace.PEOPLE:
                self.stdout.write(f"  {person.email:<22} {person.role.label:<9} {person.title}")
