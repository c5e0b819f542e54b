"""The tallies always count what the ledger holds, and a period read from them (whole months,
weeks and days) gives what counting the ledger itself gives."""

import datetime as dt
import random
import threading
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models.functions import TruncWeek
from django.utils import timezone

from rapport.cases import actions as cases
from rapport.core.events import Event
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement.models import EngagementPolicy
from rapport.inbox import actions as inbox
from rapport.inbox.tests.factories import conversation, team
from rapport.recognition import actions, ledger, selectors, tally
from rapport.recognition.models import Contribution, Kind, Span, Tally, TeamTally
from rapport.recognition.scores import counts_by_member, weeks_by_member

DAY = dt.timedelta(days=1)


def days_of(pieces: list[tally.Piece]) -> list[dt.date]:
    covered: list[dt.date] = []
    for piece in pieces:
        start = piece.first
        while start <= piece.last:
            if piece.span == Span.QUARTER:
                assert (start.day, start.month % 3) == (1, 1)
                after = (start + dt.timedelta(days=93)).replace(day=1)
            elif piece.span == Span.MONTH:
                assert start.day == 1
                after = (start + dt.timedelta(days=32)).replace(day=1)
            elif piece.span == Span.WEEK:
                assert start.weekday() == 0
                after = start + dt.timedelta(days=7)
            else:
                after = start + DAY
            while start < after:
                covered.append(start)
                start += DAY
    return covered


def test_a_periods_pieces_cover_each_of_its_days_once():
    rng = random.Random(7)
    for _ in range(3_000):
        first = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1_400))
        length, months = rng.choice([rng.randrange(40), rng.randrange(500)]), rng.random() < 0.8
        last = first + dt.timedelta(days=length)
        found = tally.pieces(first, last, months=months)
        covered = days_of(found)
        assert sorted(covered) == [first + dt.timedelta(days=i) for i in range(length + 1)]
        assert len(covered) == len(set(covered))
        assert months or all(p.span not in (Span.MONTH, Span.QUARTER) for p in found)


def test_a_quarter_is_read_as_one_span_and_a_longer_period_as_few():
    assert tally.pieces(dt.date(2025, 4, 1), dt.date(2025, 6, 30)) == [
        tally.Piece(Span.QUARTER, dt.date(2025, 4, 1), dt.date(2025, 4, 1))
    ]
    # 30 Dec 2024 (a Monday) to 19 Nov 2025 (a Wednesday).
    assert tally.pieces(dt.date(2024, 12, 30), dt.date(2025, 11, 19)) == [
        tally.Piece(Span.QUARTER, dt.date(2025, 1, 1), dt.date(2025, 7, 1)),
        tally.Piece(Span.DAY, dt.date(2024, 12, 30), dt.date(2024, 12, 31)),
        tally.Piece(Span.MONTH, dt.date(2025, 10, 1), dt.date(2025, 10, 1)),
        tally.Piece(Span.WEEK, dt.date(2025, 11, 3), dt.date(2025, 11, 10)),
        tally.Piece(Span.DAY, dt.date(2025, 11, 1), dt.date(2025, 11, 2)),
        tally.Piece(Span.DAY, dt.date(2025, 11, 17), dt.date(2025, 11, 19)),
    ]
    assert tally.pieces(dt.date(2025, 4, 1), dt.date(2025, 3, 31)) == []


@pytest.fixture
def record_only(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme, record_only=True, tone_check=False, disclosure=""
    )


@pytest.fixture
def people(acme, owner, make_member):
    sam = make_member(acme, Role.AGENT, "sam@acme.example")
    ravi = make_member(acme, Role.AGENT, "ravi@acme.example")
    olivia = make_member(acme, Role.MANAGER, "olivia@acme.example")
    care = team(owner, "Customer care", sam)
    rnd = team(owner, "R&D", ravi)
    return {"sam": sam, "ravi": ravi, "olivia": olivia, "care": care, "rnd": rnd}


def tallies(workspace) -> set[tuple[object, ...]]:
    return set(
        Tally.objects.filter(workspace=workspace).values_list(
            "member_id", "span", "start", "kind", "crossed", "team_id", "n"
        )
    )


def test_the_spines_work_is_tallied_as_the_ledger_records_it_and_again_on_rebuild(
    acme, people, record_only
):
    sam, ravi = people["sam"], people["ravi"]
    conv = conversation(acme, "Does the business account work with Xero?", intent="lead")
    conv.team = people["care"]
    conv.save(update_fields=["team"])
    inbox.hand_off(sam, conv, to=ravi, note="Ravi, can you answer this?")
    engagement.send_reply(ravi, conv.first_post, text="Yes: the Xero feed is built in.")
    case = cases.create_case(sam, subject="Xero feed broken", team=people["care"])
    cases.add_comment(ravi, case, body="The token expired; renewing it.")
    cases.transition(sam, case, to="resolved")
    actions.give_kudos(sam, ravi, "case", case.pk, "Thank you!")

    assert Contribution.objects.filter(workspace=acme).count() == 6
    today = tally.local_day(timezone.now())
    monday = today - dt.timedelta(days=today.weekday())
    rnd = people["rnd"].pk
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    expert = {
        (ravi.pk, span, start, Kind.EXPERT_ANSWER, True, rnd, 1)
        for span, start in (
            (Span.DAY, today),
            (Span.WEEK, monday),
            (Span.MONTH, today.replace(day=1)),
            (Span.QUARTER, quarter),
        )
    }
    assert expert <= tallies(acme)
    assert len(tallies(acme)) == 4 * 6  # each contribution of its own kind, in each span
    # the teams' tallies: Ravi's expert answer counts for R&D, his team at the time
    assert TeamTally.objects.get(span=Span.WEEK, kind=Kind.EXPERT_ANSWER).team_id == rnd
    assert TeamTally.objects.filter(workspace=acme).count() == 4 * 6
    assert tally.differences(acme.pk) == 0

    before = tallies(acme)
    teams_before = set(TeamTally.objects.values_list("span", "start", "team_id", "kind", "n"))
    ledger.rebuild(acme)
    assert tallies(acme) == before
    assert tally.recount(acme.pk) == len(before) + len(teams_before)
    assert tallies(acme) == before
    assert set(TeamTally.objects.values_list("span", "start", "team_id", "kind", "n")) == (
        teams_before
    )


def test_hearing_an_event_again_counts_only_what_the_ledger_gained(acme, people):
    sam, ravi, care = people["sam"], people["ravi"], people["care"].pk
    at = timezone.make_aware(dt.datetime(2025, 3, 14, 10))
    event = Event("conversation.replied", acme.pk, actor_id=sam.pk, object_id=1, at=at, seq=99)
    reply = ledger.Credit(sam.pk, Kind.PUBLIC_REPLY, "conversation", 1, care)
    ledger.record(event, [reply])
    ledger.record(event, [reply])
    # Praise for two posts in one batch is one credit, and the new one counts once.
    praised = [
        ledger.Credit(ravi.pk, Kind.PRAISE, "post", 7, None),
        ledger.Credit(ravi.pk, Kind.PRAISE, "post", 8, None),
    ]
    ledger.record(event, [reply, *praised])
    assert Contribution.objects.filter(workspace=acme).count() == 2
    assert Tally.objects.filter(span=Span.QUARTER).count() == 2
    assert tally.differences(acme.pk) == 0
    month = Tally.objects.get(member=ravi, span=Span.MONTH)
    assert (month.start, month.n, month.team_id) == (dt.date(2025, 3, 1), 1, 0)
    assert Tally.objects.get(member=sam, span=Span.WEEK).start == dt.date(2025, 3, 10)


def test_a_rolled_back_write_leaves_no_tally(acme, people):
    sam = people["sam"]
    event = Event("task.completed", acme.pk, actor_id=sam.pk, object_id=3, seq=5)

    def write_then_fail() -> None:
        with transaction.atomic():
            ledger.record(event, [ledger.Credit(sam.pk, Kind.TASK_DONE, "case", 3, None)])
            assert Tally.objects.count() == 4
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert not Contribution.objects.exists()
    assert not Tally.objects.exists()


def random_ledger(acme, members, teams, count=600, seed=3):
    """`count` contributions at random over two years (by events, as the ledger records)."""
    rng = random.Random(seed)
    start = timezone.make_aware(dt.datetime(2024, 1, 1))
    kinds = list(Kind.values)
    for seq in range(1, count + 1):
        at = start + dt.timedelta(seconds=rng.randrange(730 * 86_400))
        who = rng.choice(members)
        credit = ledger.Credit(
            who.pk,
            rng.choice(kinds),
            "case",
            seq,
            rng.choice([*teams, None]),
            crossed=rng.random() < 0.3,
        )
        ledger.record(Event("case.resolved", acme.pk, actor_id=who.pk, at=at, seq=seq), [credit])


def counted_from_the_ledger(acme, since, until, **only):
    rows = Contribution.objects.filter(workspace=acme, at__gte=since, at__lt=until, **only)
    result: dict[int, Counter[str]] = {}
    for member, kind in rows.values_list("member_id", "kind"):
        result.setdefault(member, Counter())[kind] += 1
    return result


def test_any_period_read_from_the_tallies_counts_what_the_ledger_holds(acme, people):
    members = [people["sam"], people["ravi"], people["olivia"]]
    random_ledger(acme, members, [people["care"].pk, people["rnd"].pk])
    assert tally.differences(acme.pk) == 0
    rng = random.Random(5)
    periods = [selectors.Period(dt.date(2024, 4, 1), dt.date(2024, 6, 30))]
    periods += [selectors.Period(dt.date(2024, 1, 29), dt.date(2024, 2, 27))]
    for _ in range(25):
        first = dt.date(2023, 12, 1) + dt.timedelta(days=rng.randrange(800))
        periods.append(selectors.Period(first, first + dt.timedelta(days=rng.randrange(200))))
    for when in periods:
        expected = counted_from_the_ledger(acme, when.start, when.end)
        assert counts_by_member(acme.pk, when.start, when.end) == expected, when
        crossed = counted_from_the_ledger(acme, when.start, when.end, crossed=True)
        assert counts_by_member(acme.pk, when.start, when.end, crossed=True) == crossed
        sam = people["sam"].pk
        assert counts_by_member(acme.pk, when.start, when.end, members=[sam]) == {
            m: c for m, c in expected.items() if m == sam
        }
        weeks: dict[int, dict[dt.date, Counter[str]]] = {}
        for member, week, kind in (
            Contribution.objects.filter(workspace=acme, at__gte=when.start, at__lt=when.end)
            .annotate(week=TruncWeek("at"))
            .values_list("member_id", "week", "kind")
        ):
            weeks.setdefault(member, {}).setdefault(week.date(), Counter())[kind] += 1
        assert weeks_by_member(acme.pk, when.start, when.end) == weeks, when


def test_bounds_off_midnight_count_the_ledger_itself(acme, people):
    random_ledger(acme, [people["sam"], people["ravi"]], [people["care"].pk], count=200)
    since = timezone.make_aware(dt.datetime(2024, 5, 3, 13, 30))
    until = timezone.make_aware(dt.datetime(2024, 9, 1, 9, 15))
    assert tally.whole_days(since, until) is None
    assert counts_by_member(acme.pk, since, until) == counted_from_the_ledger(acme, since, until)


def test_the_team_view_from_the_tallies_is_the_ledgers(acme, owner, people):
    care, rnd = people["care"], people["rnd"]
    members = [people["sam"], people["ravi"], people["olivia"]]
    random_ledger(acme, members, [care.pk, rnd.pk], count=800, seed=11)
    # a quarter (read as one span) and 30 days across months (weeks and days)
    for when in (
        selectors.Period(dt.date(2025, 1, 8), dt.date(2025, 2, 6)),
        selectors.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    ):
        view = selectors.team_view(people["olivia"], when)
        earlier = when.previous()
        for row in view.teams:
            only = {"team": row.team} if row.team else {"team__isnull": True}
            now = Counter(
                Contribution.objects.filter(
                    workspace=acme, at__gte=when.start, at__lt=when.end, **only
                ).values_list("kind", flat=True)
            )
            before = Counter(
                Contribution.objects.filter(
                    workspace=acme, at__gte=earlier.start, at__lt=earlier.end, **only
                ).values_list("kind", flat=True)
            )
            assert row.response.counts == +Counter({k: now[k] for k in selectors.RESPONSE})
            assert row.resolution.counts == +Counter({k: now[k] for k in selectors.RESOLUTION})
            weights = selectors.weights(acme.pk)
            assert row.previous_response == sum(before[k] * weights[k] for k in selectors.RESPONSE)
    assert [r.team for r in view.teams] == [care, rnd, None]
    everyone = counted_from_the_ledger(acme, when.start, when.end)
    assert {r.member.pk: r.score.counts for r in view.leaders} == everyone
    crossed = counted_from_the_ledger(acme, when.start, when.end, crossed=True)
    assert {r.member.pk: r.score.counts for r in view.outside_help} == crossed
    previously = counted_from_the_ledger(acme, earlier.start, earlier.end)
    table = selectors.weights(acme.pk)
    for ranked in view.leaders:
        assert ranked.previous_points == selectors.points(previously[ranked.member.pk], table)

    one = selectors.team_view(people["olivia"], when, rnd)
    assert {r.member.pk: r.score.counts for r in one.leaders} == counted_from_the_ledger(
        acme, when.start, when.end, team=rnd
    )
    in_rnd = counted_from_the_ledger(acme, earlier.start, earlier.end, team=rnd)
    for ranked in one.leaders:
        assert ranked.previous_points == selectors.points(
            in_rnd.get(ranked.member.pk, Counter()), table
        )
    # A deleted team's work reads as no team's, as the ledger's does.
    rnd.delete()
    after = selectors.team_view(people["olivia"], when)
    assert [r.team for r in after.teams] == [care, None]
    assert {r.member.pk: r.score.counts for r in after.leaders} == everyone


def test_only_the_top_and_those_tied_with_the_last_are_ranked(acme, owner, make_member, people):
    care = people["care"].pk
    at = timezone.make_aware(dt.datetime(2025, 2, 3, 10))
    seq = 0
    for i in range(14):
        member = make_member(acme, Role.AGENT, f"agent{i}@acme.example")
        for _ in range(1 + (i % 4)):
            seq += 1
            event = Event("case.resolved", acme.pk, actor_id=member.pk, at=at, seq=seq)
            ledger.record(event, [ledger.Credit(member.pk, Kind.CASE_RESOLVED, "case", seq, care)])
    when = selectors.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    view = selectors.team_view(people["olivia"], when, top=5)
    assert [r.score.counts[Kind.CASE_RESOLVED] for r in view.leaders] == [4, 4, 4, 3, 3]
    names = [r.member.user.display_name for r in view.leaders]
    assert names == ["agent11", "agent3", "agent7", "agent10", "agent2"]  # names break ties
    assert tally.differences(acme.pk) == 0


def test_a_persons_page_counts_what_their_ledger_holds(acme, people):
    from rapport.cases.models import Case
    from rapport.contacts.models import Contact

    sam, ravi, olivia = people["sam"], people["ravi"], people["olivia"]
    ana, bo = (Contact.objects.create(workspace=acme, name=n) for n in ("Ana", "Bo"))
    first, second = (
        Case.objects.create(workspace=acme, subject=s, customer=c)
        for s, c in (("Refund", ana), ("Card", bo))
    )
    rnd = people["rnd"].pk
    done = [
        # (day, kind, case, crossed, colleague helped)
        (dt.date(2025, 2, 3), Kind.CASE_NOTE, first, True, sam),
        (dt.date(2025, 2, 4), Kind.CASE_RESOLVED, first, False, None),
        (dt.date(2025, 2, 12), Kind.TASK_DONE, second, True, sam),
        (dt.date(2025, 3, 31), Kind.CASE_NOTE, first, False, None),
        (dt.date(2025, 4, 1), Kind.CASE_NOTE, second, False, None),  # the next quarter
        (dt.date(2024, 12, 30), Kind.CASE_RESOLVED, second, False, None),  # the one before
    ]
    for seq, (day, kind, case, crossed, colleague) in enumerate(done, start=1):
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(15)))
        credit = ledger.Credit(
            ravi.pk, kind, "case", case.pk, rnd, crossed=crossed,
            colleague_id=colleague.pk if colleague else None,
        )  # fmt: skip
        ledger.record(Event("case.commented", acme.pk, actor_id=ravi.pk, at=at, seq=seq), [credit])
    page = selectors.person(
        olivia, ravi, selectors.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    )
    assert page.score.counts == {Kind.CASE_NOTE: 2, Kind.CASE_RESOLVED: 1, Kind.TASK_DONE: 1}
    assert page.previous.counts == {Kind.CASE_RESOLVED: 1}
    assert page.crossed == 2
    assert page.customers == [(ana, 3), (bo, 1)]
    assert page.colleagues == [(sam, 2)]
    assert page.weeks == [
        (dt.date(2025, 2, 3), Counter({Kind.CASE_NOTE: 1, Kind.CASE_RESOLVED: 1})),
        (dt.date(2025, 2, 10), Counter({Kind.TASK_DONE: 1})),
        (dt.date(2025, 3, 31), Counter({Kind.CASE_NOTE: 1})),
    ]
    mine = Contribution.objects.filter(member=ravi, at__year=2025, at__month__lte=3)
    assert selectors.customers_helped(mine) == page.customers
    assert selectors.colleagues_helped(mine) == page.colleagues
    with pytest.raises(PermissionDenied):
        selectors.person(sam, ravi, selectors.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))


def test_a_workspace_with_nothing_recorded_has_empty_pages(acme, people):
    when = selectors.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    view = selectors.team_view(people["olivia"], when)
    assert (view.teams, view.leaders, view.outside_help, view.evangelists) == ([], [], [], [])
    page = selectors.person(people["olivia"], people["sam"], when)
    assert (page.score.explained, page.crossed, page.weeks) == ("nothing recorded", 0, [])
    assert counts_by_member(acme.pk, when.start, when.end, members=[]) == {}


@pytest.mark.django_db(transaction=True)
def test_people_of_one_team_credited_at_the_same_time_are_all_counted(acme, people):
    """Two processes recording at once add to the same team's tallies (on PostgreSQL, each
    waits for the other's row locks): every contribution is counted once, none fails."""
    care = people["care"].pk
    kinds = [Kind.FIRST_RESPONSE, Kind.PUBLIC_REPLY, Kind.CASE_RESOLVED, Kind.TASK_DONE]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def credit(member, order, first_seq):
        try:
            start.wait(timeout=30)
            for i in range(40):
                seq = first_seq + i
                event = Event("case.resolved", acme.pk, actor_id=member.pk, object_id=seq, seq=seq)
                ledger.record(
                    event, [ledger.Credit(member.pk, k, "case", seq, care) for k in order]
                )
        except BaseException as problem:
            failures.append(problem)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=credit, args=(people["sam"], kinds, 1_000)),
        threading.Thread(target=credit, args=(people["ravi"], kinds[::-1], 2_000)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    assert Contribution.objects.filter(workspace=acme).count() == 2 * 40 * len(kinds)
    assert tally.differences(acme.pk) == 0
    for kind in kinds:
        assert TeamTally.objects.get(span=Span.QUARTER, team_id=care, kind=kind).n == 80
