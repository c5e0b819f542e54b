from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.core import actions
from rapport.core.models import ApiToken, Membership


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. `rapport token create --help` for each."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True, metavar="{create,list,revoke}")
        for name, help_text in (
            ("create", "Create a token and print it (it is shown only once)."),
            ("list", "List a member's tokens (prefix, name, last use)."),
            ("revoke", "Revoke a token by the prefix that `list` shows."),
        ):
            p = sub.add_parser(name, help=help_text, description=help_text)
            p.add_argument("--email", required=True, help="The member's sign-in email.")
            p.add_argument("--workspace", required=True, help="The workspace's slug, e.g. acme.")
            if name == "create":
                p.add_argument("--name", default="Command line", help="What the token is for.")
            if name == "revoke":
                p.add_argument("prefix", help="The token's prefix, e.g. rpt_AbC12.")

    def handle(self, *args: Any, **options: Any) -> None:
        member = (
            Membership.objects.select_related("workspace", "user")
            .filter(user__email=options["email"].lower(), workspace__slug=options["workspace"])
            .first()
        )
        if member is None:
            email, slug = options["email"], options["workspace"]
            raise CommandError(f"{email} is not a member of a workspace called {slug!r}.")
        if options["verb"] == "create":
            try:
                _, raw = actions.create_api_token(member, name=options["name"])
            except ValidationError as e:
                raise CommandError("; ".join(e.messages)) from None
            self.stdout.write(raw)
        elif options["verb"] == "list":
            for token in ApiToken.objects.filter(membership=member):
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never used"
                self.stdout.write(f"{token.prefix}…  {state:<8} {token.name}  ({used})")
        else:
            found = ApiToken.objects.filter(membership=member, prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"No token with prefix {options['prefix']!r} for that member.")
            actions.revoke_api_token(member, found)
            self.stdout.write(f"Revoked {found.prefix}…")
