import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rapport.core import actions
from rapport.core.models import User, Workspace


class Command(BaseCommand):
    help = (
        "Create a workspace with its first owner, or list workspaces. "
        "`rapport workspace create --help` for the options."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{create,list}")
        create = sub.add_parser(
            "create",
            help="Create a workspace and its owner.",
            description=(
                "Create a workspace and make OWNER_EMAIL its owner. A new user gets a generated "
                "password, printed once; an existing user keeps theirs."
            ),
        )
        create.add_argument("--name", required=True, help='Company name, e.g. "Acme Bank".')
        create.add_argument("--slug", required=True, help="Short address used in URLs, e.g. acme.")
        create.add_argument("--owner-email", required=True, help="The first owner's email.")
        create.add_argument("--owner-name", default="", help="The first owner's full name.")
        sub.add_parser("list", help="List workspaces with their member counts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "list":
            for ws in Workspace.objects.order_by("slug"):
                self.stdout.write(f"{ws.slug:<20} {ws.name}  ({ws.memberships.count()} members)")
            return
        email = User.objects.normalize_email(options["owner_email"]).lower()
        password = None
        try:
            with transaction.atomic():
                owner = User.objects.filter(email=email).first()
                if owner is None:
                    password = secrets.token_urlsafe(12)
                    owner = User.objects.create_user(
                        email, password, full_name=options["owner_name"]
                    )
                workspace = actions.create_workspace(
                    name=options["name"], slug=options["slug"], owner=owner
                )
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created workspace {workspace.name} (/w/{workspace.slug}/)")
        )
        if password:
            self.stdout.write(f"Owner {email} can sign in with the password: {password}")
        else:
            self.stdout.write(f"Owner {email} signs in with their existing password.")
