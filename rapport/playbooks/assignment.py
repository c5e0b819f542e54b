"""Who does a playbook step: its lane (or an `assignee` property) names a team, a job title or a
workspace role, and the least loaded member who holds it gets the step.

The rule, in order: a `team:`, `title:` or `role:` prefix says which is meant; without one, a
team of that name, else members with that job title, else the workspace role (exactly that role).
Names compare without regard to case. Viewers are never given steps (they may change nothing).
The case's owner gets the step when they hold the lane (the agent on the case keeps its steps);
otherwise the holder with the fewest open tasks in the workspace gets it, ties going to the
longest-standing member, so the choice is stable.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from rapport.cases.models import Task
from rapport.core.models import Membership, Team, Workspace
from rapport.core.roles import Role

KINDS = ("team", "title", "role")


@dataclass
class Holders:
    """What a lane name resolved to, and the members who hold it."""

    kind: str  # "team", "title" or "role"
    label: str  # in words: "the team Credit", "the job title Senior credit officer"
    team: Team | None = None
    role: str = ""
    title: str = ""
    members: list[Membership] = field(default_factory=list)


def _members(workspace: Workspace) -> "list[Membership]":
    return list(
        Membership.objects.filter(workspace=workspace)
        .exclude(role=Role.VIEWER)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def resolve(workspace: Workspace, name: str) -> Holders | None:
    """The team, job title or role `name` refers to in the workspace, or None if none."""
    text = (name or "").strip()
    kind = ""
    if ":" in text and text.split(":", 1)[0].strip().lower() in KINDS:
        kind, text = (part.strip() for part in text.split(":", 1))
        kind = kind.lower()
    if not text:
        return None
    if kind in ("", "team"):
        team = Team.objects.filter(workspace=workspace, name__iexact=text).first()
        if team is not None:
            ids = set(team.members.values_list("pk", flat=True))
            members = [m for m in _members(workspace) if m.pk in ids]
            return Holders("team", f"the team {team.name}", team=team, members=members)
    if kind in ("", "title"):
        members = [m for m in _members(workspace) if m.title.strip().lower() == text.lower()]
        if members or kind == "title":
            return Holders("title", f"the job title {text}", title=text, members=members)
    if kind in ("", "role"):
        roles = {value: value for value in Role.values} | {
            label.lower(): value for value, label in Role.choices
        }
        role = roles.get(text.lower())
        if role is not None:
            members = [m for m in _members(workspace) if m.role == role]
            return Holders(
                "role", f"the role {Role(role).label.lower()}", role=role, members=members
            )
    return None


def assignee_for(holders: Holders, owner: Membership | None) -> Membership | None:
    """The case owner when they hold it, else the least loaded holder."""
    if owner is not None and any(m.pk == owner.pk for m in holders.members):
        return owner
    return least_loaded(holders)


def least_loaded(holders: Holders, *, exclude: Membership | None = None) -> Membership | None:
    """The holder with the fewest open tasks (ties: the longest-standing member)."""
    candidates = [m for m in holders.members if exclude is None or m.pk != exclude.pk]
    if not candidates:
        return None
    load = _open_tasks(candidates)
    return min(candidates, key=lambda m: (load.get(m.pk, 0), m.joined_at, m.pk))


def _open_tasks(members: list[Membership]) -> dict[int, int]:
    rows = (
        Task.objects.filter(assignee__in=members, status=Task.State.OPEN)
        .values("assignee")
        .annotate(n=Count("id"))
    )
    return {row["assignee"]: row["n"] for row in rows}
