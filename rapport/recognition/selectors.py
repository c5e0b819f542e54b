"""What the recognition pages, the API and the HR report read, through the caller's workspace
and role: one person's contributions for a period (their own, or anyone's for a manager), and
the team and company view (managers and up)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from rapport.cases.models import Case
from rapport.contacts.models import Contact
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, can, refusal
from rapport.inbox.models import Conversation
from rapport.recognition.models import Contribution, Exclusion, Kind, Kudos, Settings
from rapport.recognition.scores import counts_by_member, explain, points, weights

#: Kinds that answer customers, and kinds that get their matters resolved.
RESPONSE = (Kind.FIRST_RESPONSE, Kind.PUBLIC_REPLY, Kind.EXPERT_ANSWER, Kind.CAPTURED)
RESOLUTION = (Kind.CASE_RESOLVED, Kind.TASK_DONE, Kind.APPROVAL_IN_TIME, Kind.CASE_NOTE)
PERIOD_MAX_DAYS = 366 * 3


@dataclass(frozen=True)
class Period:
    """Whole days, `since` to `until` inclusive, in the server's time zone."""

    since: dt.date
    until: dt.date

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.since, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time.min)
        )

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before, to compare with."""
        until = self.since - dt.timedelta(days=1)
        return Period(until - dt.timedelta(days=self.days - 1), until)

    def __str__(self) -> str:
        return f"{self.since:%-d %b %Y} to {self.until:%-d %b %Y}"


def period(since: object = None, until: object = None, *, default_days: int = 30) -> Period:
    """A period from ISO dates (either may be left out: the last `default_days` days to
    today); refuses an unreadable date, an end before the start, or more than three years."""
    today = timezone.localdate()

    def day(value: object, name: str) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({name: f"{value!r} is not a date (YYYY-MM-DD)."}) from None

    end = day(until, "until") or today
    start = day(since, "since") or end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ValidationError({"since": "The period starts after it ends."})
    if (end - start).days + 1 > PERIOD_MAX_DAYS:
        raise ValidationError({"since": "A period is at most three years."})
    return Period(start, end)


def quarter_of(day: dt.date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    next_start = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return Period(start, next_start - dt.timedelta(days=1))


def can_see(viewer: Membership, member: Membership) -> bool:
    """A person sees their own record; managers and up see everyone's in their workspace."""
    if viewer.workspace_id != member.workspace_id:
        return False
    return viewer.pk == member.pk or can(viewer, Verb.SEE_TEAM_RECOGNITION)


@dataclass
class Score:
    counts: Counter[str]
    points: int
    explained: str

    @classmethod
    def of(cls, counts: Counter[str] | None, table: dict[str, int]) -> "Score":
        counts = counts or Counter()
        return cls(counts, points(counts, table), explain(counts, table))


@dataclass
class PersonRecognition:
    member: Membership
    period: Period
    score: Score
    previous: Score
    crossed: int
    weeks: list[tuple[dt.date, Counter[str]]]
    customers: list[tuple[Contact, int]]
    colleagues: list[tuple[Membership, int]]
    kudos: list[Kudos]
    kudos_given: int
    excluded: bool


def person(viewer: Membership, member: Membership, when: Period) -> PersonRecognition:
    if not can_see(viewer, member):
        raise PermissionDenied("Only the person and their managers see their contributions.")
    table = weights(member.workspace_id)
    ws = member.workspace_id
    now = counts_by_member(ws, when.start, when.end, members=[member.pk]).get(member.pk)
    before_period = when.previous()
    before = counts_by_member(ws, before_period.start, before_period.end, members=[member.pk])
    mine = Contribution.objects.filter(
        workspace_id=ws, member=member, at__gte=when.start, at__lt=when.end
    )
    weeks: dict[dt.date, Counter[str]] = {}
    for week, kind, n in (
        mine.order_by()
        .annotate(week=TruncWeek("at"))
        .values_list("week", "kind")
        .annotate(n=Count("id"))
    ):
        weeks.setdefault(week.date() if isinstance(week, dt.datetime) else week, Counter())[
            kind
        ] = n
    return PersonRecognition(
        member=member,
        period=when,
        score=Score.of(now, table),
        previous=Score.of(before.get(member.pk), table),
        crossed=mine.filter(crossed=True).count(),
        weeks=sorted(weeks.items()),
        customers=customers_helped(mine),
        colleagues=colleagues_helped(mine),
        kudos=list(
            Kudos.objects.filter(
                workspace_id=ws,
                receiver=member,
                created_at__gte=when.start,
                created_at__lt=when.end,
            ).select_related("giver__user")[:50]
        ),
        kudos_given=Kudos.objects.filter(
            workspace_id=ws, giver=member, created_at__gte=when.start, created_at__lt=when.end
        ).count(),
        excluded=Exclusion.objects.filter(member=member).exists(),
    )


def customers_helped(mine: QuerySet[Contribution], limit: int = 20) -> list[tuple[Contact, int]]:
    """The customers behind the conversations and cases a person's contributions were on."""
    conversations = Counter(
        dict(
            mine.filter(object_type="conversation")
            .order_by()
            .values_list("object_id")
            .annotate(n=Count("id"))
        )
    )
    cases = Counter(
        dict(
            mine.filter(object_type="case")
            .order_by()
            .values_list("object_id")
            .annotate(n=Count("id"))
        )
    )
    helped: Counter[int] = Counter()
    for contact, conv in Conversation.objects.filter(
        pk__in=list(conversations), identity__contact__isnull=False
    ).values_list("identity__contact", "pk"):
        helped[contact] += conversations[conv]
    for contact, case in Case.objects.filter(
        pk__in=list(cases), customer__isnull=False
    ).values_list("customer", "pk"):
        helped[contact] += cases[case]
    top = helped.most_common(limit)
    contacts = Contact.objects.in_bulk([c for c, _ in top])
    return [(contacts[c], n) for c, n in top if c in contacts]


def colleagues_helped(
    mine: QuerySet[Contribution], limit: int = 20
) -> list[tuple[Membership, int]]:
    rows = (
        mine.filter(colleague__isnull=False)
        .order_by()
        .values_list("colleague")
        .annotate(n=Count("id"))
        .order_by("-n")[:limit]
    )
    counts = dict(rows)
    members = Membership.objects.select_related("user").in_bulk(list(counts))
    return [
        (members[m], n) for m, n in sorted(counts.items(), key=lambda kv: -kv[1]) if m in members
    ]


@dataclass
class Ranked:
    member: Membership
    score: Score
    previous_points: int


@dataclass
class TeamRow:
    team: Team | None
    response: Score
    resolution: Score
    previous_response: int
    previous_resolution: int


@dataclass
class TeamView:
    period: Period
    team: Team | None
    leaderboards: bool
    teams: list[TeamRow] = field(default_factory=list)
    outside_help: list[Ranked] = field(default_factory=list)
    evangelists: list[Ranked] = field(default_factory=list)
    leaders: list[Ranked] = field(default_factory=list)


def leaderboards_on(workspace_id: int) -> bool:
    row = Settings.objects.filter(workspace_id=workspace_id).first()
    return row.leaderboards if row else True


def team_view(
    viewer: Membership, when: Period, team: Team | None = None, top: int = 10
) -> TeamView:
    """Who helped customers outside their own team, the evangelists (public answers that drew
    praise), response and resolution contributions per team, with the period before."""
    if not can(viewer, Verb.SEE_TEAM_RECOGNITION):
        raise PermissionDenied(refusal(Verb.SEE_TEAM_RECOGNITION))
    ws = viewer.workspace_id
    if team is not None and team.workspace_id != ws:
        raise ValidationError({"team": "There is no such team in this workspace."})
    table = weights(ws)
    earlier = when.previous()
    rows = Contribution.objects.filter(workspace_id=ws)
    if team is not None:
        rows = rows.filter(team=team)
    view = TeamView(period=when, team=team, leaderboards=leaderboards_on(ws))
    view.teams = _per_team(rows, when, earlier, table)
    excluded = set(Exclusion.objects.filter(workspace_id=ws).values_list("member_id", flat=True))
    now = _by_member(rows.filter(at__gte=when.start, at__lt=when.end))
    before = _by_member(rows.filter(at__gte=earlier.start, at__lt=earlier.end))
    crossed = _by_member(rows.filter(at__gte=when.start, at__lt=when.end, crossed=True))
    praised = {m for m, c in now.items() if c.get(Kind.PRAISE)}
    wanted = set(crossed) | praised | set(now)
    members = Membership.objects.select_related("user").in_bulk(list(wanted))

    def ranked(source: dict[int, Counter[str]], keep: set[int] | None = None) -> list[Ranked]:
        chosen = [
            Ranked(members[m], Score.of(c, table), points(before.get(m, Counter()), table))
            for m, c in source.items()
            if m in members and m not in excluded and (keep is None or m in keep)
        ]
        chosen.sort(key=lambda r: (-r.score.points, r.member.user.display_name))
        return chosen[:top]

    if view.leaderboards:
        view.outside_help = ranked(crossed)
        evangel = {
            m: Counter({k: n for k, n in c.items() if k in (Kind.PRAISE, Kind.PUBLIC_REPLY)})
            for m, c in now.items()
            if m in praised
        }
        view.evangelists = ranked(evangel)
        view.leaders = ranked(now)
    return view


def _by_member(rows: QuerySet[Contribution]) -> dict[int, Counter[str]]:
    result: dict[int, Counter[str]] = {}
    for member, kind, n in rows.order_by().values_list("member_id", "kind").annotate(n=Count("id")):
        result.setdefault(member, Counter())[kind] = n
    return result


def _per_team(
    rows: QuerySet[Contribution], when: Period, earlier: Period, table: dict[str, int]
) -> list[TeamRow]:
    span = Q(at__gte=earlier.start, at__lt=when.end)
    wanted = Q(kind__in=RESPONSE + RESOLUTION)
    counts: dict[tuple[int | None, bool], Counter[str]] = {}
    for team, kind, current, n in (
        rows.filter(span & wanted)
        .order_by()
        .annotate(current=ExpressionWrapper(Q(at__gte=when.start), output_field=BooleanField()))
        .values_list("team_id", "kind", "current")
        .annotate(n=Count("id"))
    ):
        counts.setdefault((team, bool(current)), Counter())[kind] = n
    teams = Team.objects.in_bulk([t for t, _ in counts if t is not None])
    result = []
    for team_id in sorted(
        {t for t, _ in counts}, key=lambda t: (t is None, teams[t].name if t in teams else "")
    ):
        now = counts.get((team_id, True), Counter())
        before = counts.get((team_id, False), Counter())

        def part(c: Counter[str], kinds: tuple[str, ...]) -> Counter[str]:
            return Counter({k: n for k, n in c.items() if k in kinds})

        result.append(
            TeamRow(
                team=teams.get(team_id) if team_id is not None else None,
                response=Score.of(part(now, RESPONSE), table),
                resolution=Score.of(part(now, RESOLUTION), table),
                previous_response=points(part(before, RESPONSE), table),
                previous_resolution=points(part(before, RESOLUTION), table),
            )
        )
    return result
