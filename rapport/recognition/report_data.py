"""What the HR report says about each person, read in a few aggregate queries for everyone
(never one query per person): counts per kind, crossed help, weekly series, the customers and
colleagues helped, kudos.

The people of a report are everyone credited in the period (for a department: credited while
in it, their team at the time) and everyone in the department now, so nobody is silently left
out; a person with nothing recorded reads "nothing recorded". People are listed by team and
name, never ranked: the report is not a leaderboard.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from rapport.cases.models import Case
from rapport.contacts.models import Contact
from rapport.core.models import Membership, Team
from rapport.inbox.models import Conversation
from rapport.recognition import tally as tallies
from rapport.recognition.models import Contribution, Kind, Kudos, Report
from rapport.recognition.report_charts import GROUPS
from rapport.recognition.scores import explain, points, weights
from rapport.recognition.selectors import Period

#: How many names of customers and colleagues helped a person's page shows, and kudos messages.
TOP = 5
KUDOS_SHOWN = 5
NO_TEAM = "No team"


@dataclass
class Person:
    member: Membership
    team: str
    counts: Counter[str]
    points: int
    explained: str
    crossed: int = 0
    #: week (its Monday) -> contributions per group of kinds (`report_charts.GROUPS` keys)
    weeks: dict[dt.date, Counter[str]] = field(default_factory=dict)
    customers: int = 0
    top_customers: list[tuple[str, int]] = field(default_factory=list)
    colleagues: int = 0
    top_colleagues: list[tuple[str, int]] = field(default_factory=list)
    kudos_received: int = 0
    kudos: list[Kudos] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.member.user.display_name

    @property
    def contributions(self) -> int:
        return sum(self.counts.values())


@dataclass
class TeamTotal:
    name: str
    people: int
    counts: Counter[str]
    points: int
    explained: str


@dataclass
class ReportData:
    period: Period
    department: str
    weeks: list[dt.date]
    weights: dict[str, int]
    people: list[Person]
    teams: list[TeamTotal]

    @property
    def contributions(self) -> int:
        return sum(p.contributions for p in self.people)

    @property
    def points(self) -> int:
        return sum(p.points for p in self.people)

    @property
    def crossed(self) -> int:
        return sum(p.crossed for p in self.people)

    @property
    def kudos(self) -> int:
        return sum(p.kudos_received for p in self.people)


def period_of(report: Report) -> Period:
    return Period(report.since, report.until)


def counted_rows(workspace_id: int, when: Period, team: Team | None) -> QuerySet[Contribution]:
    """The contributions a report counts: in the period, and in the department when it has one."""
    rows = Contribution.objects.filter(
        workspace_id=workspace_id, at__gte=when.start, at__lt=when.end
    )
    return rows.filter(team=team) if team is not None else rows


def week_of(moment: dt.datetime | dt.date) -> dt.date:
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day - dt.timedelta(days=day.weekday())


def weeks_between(when: Period) -> list[dt.date]:
    """The Mondays of every week the period touches."""
    first, last = week_of(when.since), week_of(when.until)
    return [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def gather(report: Report) -> ReportData:
    ws, team, when = report.workspace_id, report.team, period_of(report)
    table = weights(ws)
    rows = counted_rows(ws, when, team).order_by()

    counts: dict[int, Counter[str]] = defaultdict(Counter)
    crossed: Counter[int] = Counter()
    by_team: dict[int, Counter[int | None]] = defaultdict(Counter)
    # Counted from the tallies (a quarter of a 500-person company is some 600,000
    # contributions: grouping them took seconds, and their weeks half a minute on SQLite).
    for member, team_id, kind, was_crossed, n in tallies.totals(
        ws,
        when.since,
        when.until,
        ("member_id", "team_id", "kind", "crossed"),
        team_id=team.pk if team is not None else None,
    ):
        team_id = team_id or None  # a tally's "no team" is 0
        counts[member][kind] += n
        by_team[member][team_id] += n
        if was_crossed:
            crossed[member] += n

    wanted = set(counts)
    if team is not None:
        wanted |= set(team.members.values_list("pk", flat=True))
    else:
        wanted |= set(Membership.objects.filter(workspace_id=ws).values_list("pk", flat=True))
    members = Membership.objects.select_related("user").in_bulk(list(wanted))
    team_names = dict(Team.objects.filter(workspace_id=ws).values_list("pk", "name"))
    current = _current_teams(ws)

    def team_of(member: int) -> str:
        if team is not None:
            return team.name
        if by_team[member]:
            chosen = max(by_team[member].items(), key=lambda tn: (tn[1], -(tn[0] or 0)))[0]
            if chosen is not None and chosen in team_names:
                return team_names[chosen]
        names = sorted(current.get(member, []))
        return names[0] if names else NO_TEAM

    people = [
        Person(
            member=members[m],
            team=team_of(m),
            counts=counts.get(m, Counter()),
            points=points(counts.get(m, Counter()), table),
            explained=explain(counts.get(m, Counter()), table),
            crossed=crossed[m],
        )
        for m in members
    ]
    people.sort(
        key=lambda p: (p.team == NO_TEAM, p.team.casefold(), p.name.casefold(), p.member.pk)
    )
    by_member = {p.member.pk: p for p in people}
    weeks = weeks_between(when)
    _add_weeks(ws, when, team, by_member)
    _add_colleagues(rows, by_member)
    _add_customers(rows, by_member)
    _add_kudos(ws, when, by_member)
    return ReportData(
        period=when,
        department=team.name if team is not None else "the whole company",
        weeks=weeks,
        weights=table,
        people=people,
        teams=_team_totals(people, table),
    )


def _current_teams(workspace_id: int) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    through = Team.members.through.objects.filter(team__workspace_id=workspace_id)
    for member, name in through.values_list("membership_id", "team__name"):
        result[member].append(name)
    return result


def _add_weeks(
    workspace_id: int, when: Period, team: Team | None, people: dict[int, Person]
) -> None:
    """Each person's contributions per week (Mondays) and group of kinds (what a week's bar is
    stacked by), read from the tallies."""
    group_of = {kind: g.key for g in GROUPS for kind in g.kinds}
    weeks = tallies.weeks(
        workspace_id, when.since, when.until, team_id=team.pk if team is not None else None
    )
    for member, series in weeks.items():
        if member in people:
            stacked = people[member].weeks
            for monday, kinds in series.items():
                bar = stacked.setdefault(monday, Counter())
                for kind, n in kinds.items():
                    bar[group_of[kind]] += n


def _add_colleagues(rows: QuerySet[Contribution], people: dict[int, Person]) -> None:
    helped: dict[int, Counter[int]] = defaultdict(Counter)
    for member, colleague, n in (
        rows.filter(colleague__isnull=False)
        .values_list("member_id", "colleague_id")
        .annotate(n=Count("id"))
    ):
        helped[member][colleague] += n
    shown = {c for tally in helped.values() for c, _ in tally.most_common(TOP)}
    names = {
        pk: m.user.display_name
        for pk, m in Membership.objects.select_related("user").in_bulk(list(shown)).items()
    }
    for member, tally in helped.items():
        if member in people:
            people[member].colleagues = len(tally)
            people[member].top_colleagues = [
                (names[c], n) for c, n in tally.most_common(TOP) if c in names
            ]


def _add_customers(rows: QuerySet[Contribution], people: dict[int, Person]) -> None:
    """The customers behind the conversations and cases each person's contributions were on,
    joined in the database (a subquery per row, not a list of ids per person)."""
    behind_conversation = Conversation.objects.filter(pk=OuterRef("object_id")).values(
        "identity__contact"
    )[:1]
    behind_case = Case.objects.filter(pk=OuterRef("object_id")).values("customer")[:1]
    helped: dict[int, Counter[int]] = defaultdict(Counter)
    for object_type, customer in (
        ("conversation", behind_conversation),
        ("case", behind_case),
    ):
        for member, contact, n in (
            rows.filter(object_type=object_type)
            .annotate(contact=Subquery(customer))
            .filter(contact__isnull=False)
            .values_list("member_id", "contact")
            .annotate(n=Count("id"))
        ):
            helped[member][contact] += n
    shown = {c for tally in helped.values() for c, _ in tally.most_common(TOP)}
    names = {pk: c.name for pk, c in Contact.objects.only("name").in_bulk(list(shown)).items()}
    for member, tally in helped.items():
        if member in people:
            people[member].customers = len(tally)
            people[member].top_customers = [
                (names[c], n) for c, n in tally.most_common(TOP) if c in names
            ]


def _add_kudos(workspace_id: int, when: Period, people: dict[int, Person]) -> None:
    received = Kudos.objects.filter(
        workspace_id=workspace_id, created_at__gte=when.start, created_at__lt=when.end
    )
    for receiver, n in received.order_by().values_list("receiver_id").annotate(n=Count("id")):
        if receiver in people:
            people[receiver].kudos_received = n
    # The latest few messages per person: read newest first, kept until each has TOP.
    for kudos in (
        received.select_related("giver__user")
        .order_by("-created_at", "-id")
        .iterator(chunk_size=2000)
    ):
        person = people.get(kudos.receiver_id)
        if person is not None and len(person.kudos) < KUDOS_SHOWN:
            person.kudos.append(kudos)


def _team_totals(people: list[Person], table: dict[str, int]) -> list[TeamTotal]:
    grouped: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        grouped[person.team].append(person)
    totals = []
    for name, members in grouped.items():
        counts: Counter[str] = Counter()
        for person in members:
            counts.update(person.counts)
        totals.append(
            TeamTotal(name, len(members), counts, points(counts, table), explain(counts, table))
        )
    totals.sort(key=lambda t: (t.name == NO_TEAM, t.name.casefold()))
    return totals


#: Every kind, in the order of the CSV's columns and the person's table.
KINDS = list(Kind)
