"""@-mentions in text, of two kinds that read alike and mean different things:

- a colleague or a team in an internal note or a case comment (`@maya`, `@j-doe`, `@social-care`):
  resolved to this workspace's members and teams, and refused when nobody answers to it;
- somebody on a network in a public reply (`@dana`, `@ana@mastodon.social`, `@dana.bsky.social`):
  compared with the handles of the conversation by the engagement policy, which only warns.

One pattern cannot serve both: a colleague's handle is the part of an email before the @ and may
hold + and - (`@j-doe` is one colleague), where a network handle stops there (`@j` and a dash) and
may go on to its instance after a second @.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from rapport.core.models import Membership, Team, Workspace

#: A colleague (the part of their email before the @) or a team (its name, - for spaces).
COLLEAGUE_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][\w.+-]*[A-Za-z0-9]|[A-Za-z0-9])")
#: Somebody on a network, with the instance or domain the handle may carry; never inside a link.
NETWORK_MENTION = re.compile(
    r"(?<![\w@./])@([A-Za-z0-9_]{1,50}(?:\.[A-Za-z0-9_-]+)*(?:@[A-Za-z0-9.-]+)?)"
)


def colleague_handle(member: Membership) -> str:
    """How a member is @mentioned: the part of their email before the @, in lower case."""
    return member.user.email.split("@")[0].lower()


def team_handle(team: Team) -> str:
    """How a team is @mentioned: its name in lower case, words joined by -, "R&D" -> "rd"."""
    return slugify(team.name)


def mentioned_handles(text: str) -> list[str]:
    """The colleagues and teams @named in `text`: lower case, each once, in the order written."""
    return list(dict.fromkeys(handle.lower() for handle in COLLEAGUE_MENTION.findall(text)))


def mentioned(
    workspace: Workspace, text: str, *, teams: bool = False
) -> tuple[list[Membership], list[Team]]:
    """The members, and with `teams` the teams, @named in `text` (a person's name wins a tie).

    An unknown name is refused, so nobody believes a colleague was told when nobody was.
    """
    handles = mentioned_handles(text)
    if not handles:
        return [], []
    members = Membership.objects.filter(workspace=workspace).select_related("user")
    people = {colleague_handle(m): m for m in members}
    by_team = {team_handle(t): t for t in Team.objects.filter(workspace=workspace)} if teams else {}
    unknown = [h for h in handles if h not in people and h not in by_team]
    if unknown:
        example = next(iter(people), "maya")
        how = f"mention people by the name before the @ of their email (e.g. @{example})"
        if teams:
            how += " and teams by their name with - for spaces" + (
                f" (e.g. @{next(iter(by_team))})" if by_team else ""
            )
        raise ValidationError(
            {
                "body": f"{'Nobody and no team' if teams else 'Nobody'} in this workspace is "
                f"called {', '.join(f'@{h}' for h in unknown)}; {how}."
            }
        )
    return (
        [people[h] for h in handles if h in people],
        [by_team[h] for h in handles if h not in people],
    )
