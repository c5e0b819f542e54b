from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from rapport.core import demo


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
        workspace, owner = demo.create_workspace()
        loaded = []
        for app in apps.get_app_configs():
            if not app.name.startswith("rapport.") or find_spec(f"{app.name}.demo") is None:
                continue
            loaded.append(import_module(f"{app.name}.demo"))
            loaded[-1].load(workspace, owner)
            self.stdout.write(f"  demo data: {app.verbose_name}")
        for module in loaded:  # a loader's `finish` runs once every app has loaded
            if hasattr(module, "finish"):
                module.finish(workspace, owner)
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready: {workspace.name}"))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
            for person in demo.PEOPLE:
                self.stdout.write(f"  {person.email:<22} {person.role.label:<9} {person.title}")
