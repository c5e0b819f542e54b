"""The benchmarks' throwaway workspace: made with its people, written in rounds under a progress
bar, and afterwards (unless kept) emptied table by table and dropped with the users it made."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from tqdm import tqdm

from rapport.core.models import Membership, Team, User, Workspace
from rapport.core.roles import Role


def staffed_workspace(
    slug: str, team_names: list[str]
) -> tuple[Workspace, list[Membership], dict[str, int]]:
    """A throwaway workspace with twelve people (two managers, ten agents) and teams of three
    (team name -> id). Call inside the building transaction."""
    workspace = Workspace.objects.create(name=f"Benchmark {slug}", slug=slug)
    members = []
    for i in range(12):
        email = f"agent{i}@{slug}.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(email)
        role = Role.MANAGER if i < 2 else Role.AGENT
        members.append(
            Membership.objects.create(workspace=workspace, user=user, role=role, title="Agent")
        )
    teams = {}
    for i, name in enumerate(team_names):
        team = Team.objects.create(workspace=workspace, name=name)
        team.members.set(members[i * 3 : i * 3 + 3])
        teams[name] = team.pk
    return workspace, members, teams


def building(total: int, unit: str) -> Any:
    """The progress bar of a build. Debug is off from here: its query log would grow with every
    row written."""
    settings.DEBUG = False
    return tqdm(total=total, desc="building", unit=unit, mininterval=2)


def in_rounds(
    total: int, size: int, progress: Callable[[int], Any] | None = None
) -> Iterator[tuple[int, int]]:
    """(offset, count) of each round of at most `size` rows up to `total`, in order; `progress`
    is told each count once its round is written."""
    for offset in range(0, total, size):
        count = min(size, total - offset)
        yield offset, count
        if progress:
            progress(count)


def fresh_statistics() -> None:
    """ANALYZE, so the planner sees the tables as a live database's would."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def empty_tables(workspace: Workspace, tables: Iterable[str | tuple[str, str]]) -> None:
    """Deletes the workspace's rows with SQL, table by table in the order given (the ORM would
    load a million rows first): a table's name alone means its rows `workspace_id = %s`, else
    (table, a condition on the workspace's id)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            name, where = (table, "workspace_id = %s") if isinstance(table, str) else table
            cursor.execute(f"DELETE FROM {name} WHERE {where}", [workspace.pk])  # noqa: S608


def drop_workspace(workspace: Workspace) -> None:
    """Deletes the benchmark workspace (its big tables already emptied) and the users it made."""
    users = list(User.objects.filter(memberships__workspace=workspace).values_list("pk", flat=True))
    workspace.delete()
    User.objects.filter(pk__in=users, memberships__isnull=True).delete()


@contextmanager
def throwaway(
    workspace: Workspace, delete: Callable[[Workspace], None], *, keep: bool
) -> Iterator[None]:
    """Runs the measuring; then `delete` removes the workspace, whatever happened, unless kept."""
    try:
        yield
    finally:
        if not keep:
            delete(workspace)
