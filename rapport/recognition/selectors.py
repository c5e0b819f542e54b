"""What the recognition pages, the API and the HR report read, through the caller's workspace
and role: one person's contributions for a period (their own, or anyone's for a manager), and
the team and company view (managers and up)."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from rapport.cases.models import Case
from rapport.contacts.models import Contact
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, can, refusal
from rapport.inbox.models import Conversation
from rapport.recognition import tally
from rapport.recognition.models import Contribution, Exclusion, Kind, Kudos, Settings
from rapport.recognition.scores import (
    counts_by_member,
    explain,
    points,
    weeks_by_member,
    weights,
)

#: Kinds that answer customers, and kinds that get their matters resolved.
RESPONSE = (Kind.FIRST_RESPONSE, Kind.PUBLIC_REPLY, Kind.EXPERT_ANSWER, Kind.CAPTURED)
RESOLUTION = (Kind.CASE_RESOLVED, Kind.TASK_DONE, Kind.APPROVAL_IN_TIME, Kind.CASE_NOTE)
#: What an evangelist is ranked by: public answers, and customers' praise.
EVANGELISM = (Kind.PRAISE, Kind.PUBLIC_REPLY)
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
    now: Counter[str] = Counter()
    crossed = 0
    for kind, was_crossed, n in tally.totals(
        ws, when.since, when.until, ("kind", "crossed"), members=[member.pk]
    ):
        now[kind] += n
        crossed += n if was_crossed else 0
    before_period = when.previous()
    before = counts_by_member(ws, before_period.start, before_period.end, members=[member.pk])
    weeks = weeks_by_member(ws, when.start, when.end, members=[member.pk]).get(member.pk, {})
    # What the person's contributions were on and for whom: one read of their ledger.
    conversations: Counter[int] = Counter()
    cases: Counter[int] = Counter()
    colleagues: Counter[int] = Counter()
    for object_type, object_id, colleague in Contribution.objects.filter(
        workspace_id=ws, member=member, at__gte=when.start, at__lt=when.end
    ).values_list("object_type", "object_id", "colleague"):
        if object_type == "conversation":
            conversations[object_id] += 1
        elif object_type == "case":
            cases[object_id] += 1
        if colleague is not None:
            colleagues[colleague] += 1
    return PersonRecognition(
        member=member,
        period=when,
        score=Score.of(now, table),
        previous=Score.of(before.get(member.pk), table),
        crossed=crossed,
        weeks=sorted(weeks.items()),
        customers=_customers(conversations, cases),
        colleagues=_colleagues(colleagues),
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
    on = mine.order_by().values_list("object_id").annotate(n=Count("id"))
    return _customers(
        Counter(dict(on.filter(object_type="conversation"))),
        Counter(dict(on.filter(object_type="case"))),
        limit,
    )


def _customers(
    conversations: Counter[int], cases: Counter[int], limit: int = 20
) -> list[tuple[Contact, int]]:
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
    rows = mine.filter(colleague__isnull=False).order_by().values_list("colleague")
    return _colleagues(Counter(dict(rows.annotate(n=Count("id")))), limit)


def _colleagues(helped: Counter[int], limit: int = 20) -> list[tuple[Membership, int]]:
    top = sorted(helped.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    members = Membership.objects.select_related("user").in_bulk([m for m, _ in top])
    return [(members[m], n) for m, n in top if m in members]


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
    only = team.pk if team is not None else None
    view = TeamView(period=when, team=team, leaderboards=leaderboards_on(ws))
    team_now: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for team_id, kind, n in tally.totals(
        ws, when.since, when.until, ("team_id", "kind"), team_id=only
    ):
        team_now[team_id][kind] += n
    team_before: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for team_id, kind, n in tally.totals(
        ws, earlier.since, earlier.until, ("team_id", "kind"), team_id=only
    ):
        team_before[team_id][kind] += n
    view.teams = _per_team(ws, team_now, team_before, table)
    if not view.leaderboards:
        return view
    # Everyone's points are summed by the database (hundreds of people, thousands of
    # tallies); only the people who may be ranked have their counts read and explained.
    excluded = set(Exclusion.objects.filter(workspace_id=ws).values_list("member_id", flat=True))
    standings = _standings(ws, when, table, only)
    lists = [
        {m: s.crossed_points for m, s in standings.items() if s.crossed},
        {m: s.evangel_points for m, s in standings.items() if s.praise},
        {m: s.points for m, s in standings.items()},
    ]
    chosen = [_contenders(scored, excluded, top) for scored in lists]
    everyone = set().union(*chosen)
    members = Membership.objects.select_related("user").in_bulk(everyone)
    now: defaultdict[int, Counter[str]] = defaultdict(Counter)
    crossed: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for member, kind, was_crossed, n in tally.totals(
        ws, when.since, when.until, ("member_id", "kind", "crossed"), members=everyone, team_id=only
    ):
        now[member][kind] += n
        if was_crossed:
            crossed[member][kind] += n
    before: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for member, kind, n in tally.totals(
        ws, earlier.since, earlier.until, ("member_id", "kind"), members=everyone, team_id=only
    ):
        before[member][kind] += n
    evangel = {m: Counter({k: n for k, n in now[m].items() if k in EVANGELISM}) for m in chosen[1]}

    def ranked(source: dict[int, Counter[str]], contenders: set[int]) -> list[Ranked]:
        rows = [
            Ranked(members[m], Score.of(source[m], table), points(before.get(m, Counter()), table))
            for m in contenders
            if m in members
        ]
        rows.sort(key=lambda r: (-r.score.points, r.member.user.display_name))
        return rows[:top]

    view.outside_help, view.evangelists, view.leaders = (
        ranked(source, contenders)
        for source, contenders in zip([crossed, evangel, now], chosen, strict=True)
    )
    return view


@dataclass(frozen=True)
class Standing:
    points: int
    crossed: int
    crossed_points: int
    praise: int
    evangel_points: int


def _standings(
    workspace_id: int, when: Period, table: dict[str, int], team_id: int | None
) -> dict[int, Standing]:
    """Each person's points in the period (all, and for help outside their team, and for
    public answers when a customer praised them), with their crossed and praise counts."""
    worth = F("n") * models.Case(
        *(When(kind=kind, then=Value(w)) for kind, w in table.items()), default=Value(0)
    )

    def only(condition: Q, value: Any) -> Sum:
        return Sum(models.Case(When(condition, then=value), default=Value(0)))

    rows = tally.summed(
        workspace_id,
        when.since,
        when.until,
        ("member_id",),
        {
            "points": Sum(worth),
            "crossed_n": only(Q(crossed=True), F("n")),
            "crossed_points": only(Q(crossed=True), worth),
            "praise": only(Q(kind=Kind.PRAISE), F("n")),
            "evangel_points": only(Q(kind__in=EVANGELISM), worth),
        },
        team_id=team_id,
    )
    return {m: Standing(*(int(v or 0) for v in rest)) for m, *rest in rows}


def _contenders(scored: dict[int, int], excluded: set[int], top: int) -> set[int]:
    """The people who may be in the top `top` by points: the top ones and all tied with the
    last of them (names break ties), leaving out excluded people."""
    ordered = sorted(((p, m) for m, p in scored.items() if m not in excluded), reverse=True)
    if not ordered or top < 1:
        return set()
    cut = ordered[min(top, len(ordered)) - 1][0]
    return {m for p, m in ordered if p >= cut}


def _per_team(
    workspace_id: int,
    now: dict[int, Counter[str]],
    before: dict[int, Counter[str]],
    table: dict[str, int],
) -> list[TeamRow]:
    """Response and resolution per team (by team id, 0 for none; a deleted team is none)."""
    teams = Team.objects.filter(workspace_id=workspace_id).in_bulk(
        [t for t in {*now, *before} if t]
    )
    wanted = RESPONSE + RESOLUTION
    merged: dict[int | None, tuple[Counter[str], Counter[str]]] = {}
    for source, at in ((now, 0), (before, 1)):
        for team_id, counts in source.items():
            key: int | None = team_id if team_id in teams else None
            pair = merged.setdefault(key, (Counter(), Counter()))
            pair[at].update({k: n for k, n in counts.items() if k in wanted})
    result = []
    for shown in sorted(
        (t for t, (a, b) in merged.items() if a or b),
        key=lambda t: (t is None, teams[t].name if t is not None else ""),
    ):
        current, previous = merged[shown]

        def part(c: Counter[str], kinds: tuple[str, ...]) -> Counter[str]:
            return Counter({k: n for k, n in c.items() if k in kinds})

        result.append(
            TeamRow(
                team=teams[shown] if shown is not None else None,
                response=Score.of(part(current, RESPONSE), table),
                resolution=Score.of(part(current, RESOLUTION), table),
                previous_response=points(part(previous, RESPONSE), table),
                previous_resolution=points(part(previous, RESOLUTION), table),
            )
        )
    return result
