"""A workspace's recognition history made in bulk, for the HR report's tests and for measuring
it (500 people over a quarter): people in teams, contributions of every kind (some across
teams, some helping a colleague), kudos. Rows are written straight to the tables, in batches:
the ledger's derivation rules are tested elsewhere (`test_ledger.py`).

To time the report (what `rapport bench recognition` may call), in `rapport shell`:

    ws = Workspace.objects.get(slug="acme"); q = quarter_of(timezone.localdate())
    contributions(ws, people(ws, 500, teams=12), q.since, q.until, per_person=200)
    report = Report.objects.create(workspace=ws, since=q.since, until=q.until)
    reports.build(report)   # the CSV and the PDF, timed as it returns
"""

import datetime as dt
import random

from django.utils import timezone

from rapport.core.models import Membership, Team, User, Workspace
from rapport.core.roles import Role
from rapport.recognition import tally
from rapport.recognition.models import Contribution, Kind, Kudos

#: How often each kind happens, roughly as a support organisation's week goes.
SHARE = {
    Kind.CAPTURED: 4,
    Kind.FIRST_RESPONSE: 12,
    Kind.PUBLIC_REPLY: 20,
    Kind.EXPERT_ANSWER: 3,
    Kind.COLLEAGUE_HELP: 4,
    Kind.CASE_NOTE: 10,
    Kind.TASK_DONE: 8,
    Kind.APPROVAL_IN_TIME: 3,
    Kind.CASE_RESOLVED: 6,
    Kind.IDEA_PROMOTED: 1,
    Kind.IDEA_SHIPPED: 1,
    Kind.KUDOS: 2,
    Kind.PRAISE: 2,
}
BATCH = 5000


def people(
    workspace: Workspace, count: int, teams: int, prefix: str = "person"
) -> list[Membership]:
    """`count` agents spread over `teams` teams (created when missing)."""
    made = [
        Team.objects.get_or_create(workspace=workspace, name=f"Team {i + 1:02d}")[0]
        for i in range(teams)
    ]
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}{i}@{workspace.slug}.example",
            full_name=f"{prefix.title()} {i:04d}",
            password="!",
        )
        for i in range(count)
    )
    members = Membership.objects.bulk_create(
        Membership(workspace=workspace, user=user, role=Role.AGENT) for user in users
    )
    if made:
        Team.members.through.objects.bulk_create(
            Team.members.through(team_id=made[i % len(made)].pk, membership_id=m.pk)
            for i, m in enumerate(members)
        )
    return members


def contributions(
    workspace: Workspace,
    members: list[Membership],
    since: dt.date,
    until: dt.date,
    per_person: int,
    seed: int = 15,
) -> int:
    """About `per_person` contributions for each member, at random moments of the period, and
    a kudos row behind each kudos contribution. Returns how many contributions were written."""
    rnd = random.Random(seed)
    teams = dict(
        Team.members.through.objects.filter(membership__in=members).values_list(
            "membership_id", "team_id"
        )
    )
    team_ids: list[int | None] = [*sorted(set(teams.values()))] or [None]
    kinds, shares = zip(*SHARE.items(), strict=True)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    seconds = int((until - since).days + 1) * 86400 - 1
    event = (
        Contribution.objects.order_by("-event").values_list("event", flat=True).first() or 0
    ) + 1
    rows: list[Contribution] = []
    kudos: list[Kudos] = []
    written = 0
    for member in members:
        for kind in rnd.choices(kinds, shares, k=per_person):
            at = start + dt.timedelta(seconds=rnd.randint(0, seconds))
            crossed = rnd.random() < 0.15
            mine = teams.get(member.pk)
            colleague = rnd.choice(members) if kind in (Kind.COLLEAGUE_HELP, Kind.KUDOS) else None
            if colleague is not None and colleague.pk == member.pk:
                colleague = None
            rows.append(
                Contribution(
                    workspace=workspace,
                    member=member,
                    kind=kind,
                    at=at,
                    event=event,
                    object_type="kudos" if kind == Kind.KUDOS else "conversation",
                    object_id=event,
                    team_id=mine,
                    object_team_id=rnd.choice(team_ids) if crossed else mine,
                    crossed=crossed,
                    colleague=colleague,
                )
            )
            if kind == Kind.KUDOS and colleague is not None:
                kudos.append(
                    Kudos(
                        workspace=workspace,
                        giver=colleague,
                        receiver=member,
                        about=Kudos.About.CONVERSATION,
                        object_id=event,
                        message=f"Thank you for conversation {event}!",
                    )
                )
            event += 1
            if len(rows) >= BATCH:
                written += len(Contribution.objects.bulk_create(rows))
                rows = []
    written += len(Contribution.objects.bulk_create(rows))
    made = Kudos.objects.bulk_create(kudos, batch_size=BATCH)
    # created_at is set on insert: move each to a moment of the period, as the ledger's is
    for row in made:
        row.created_at = start + dt.timedelta(seconds=rnd.randint(0, seconds))
    Kudos.objects.bulk_update(made, ["created_at"], batch_size=BATCH)
    tally.recount(workspace.pk)  # written in bulk, past the ledger's record: count them
    return written
