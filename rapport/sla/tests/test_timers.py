"""SLA timers follow the case: business hours, pauses while waiting on the customer, met by a
public update or by resolving, and the policy that fits the case."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from rapport.cases import actions as cases
from rapport.core.priority import Priority
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement import outbox
from rapport.engagement.models import EngagementPolicy
from rapport.inbox.tests.factories import conversation
from rapport.sla import actions
from rapport.sla.models import Metric, SlaTimer
from rapport.sla.selectors import case_timers, duration
from rapport.sla.tests.conftest import london
from rapport.sla.tests.factories import calendar, policy

pytestmark = pytest.mark.django_db


def timers_of(case) -> dict[str, SlaTimer]:
    return {
        t.metric: t for t in SlaTimer.objects.filter(case=case, state__in=["running", "paused"])
    }


def test_a_new_case_gets_first_response_and_resolution_timers_in_business_hours(owner, clock):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice")
    timers = timers_of(case)
    assert set(timers) == {Metric.FIRST_RESPONSE, Metric.RESOLUTION}
    assert timers[Metric.FIRST_RESPONSE].due_at == london(2026, 6, 1, 11)
    assert timers[Metric.FIRST_RESPONSE].warn_at == london(2026, 6, 1, 10, 48)
    # 480 business minutes from Monday 10:00: 7 h on Monday, the last hour on Tuesday
    assert timers[Metric.RESOLUTION].due_at == london(2026, 6, 2, 10)


def test_a_case_opened_on_friday_evening_is_due_on_monday(owner, clock):
    policy(owner)
    clock.move_to(london(2026, 6, 5, 18, 30))
    case = cases.create_case(owner, subject="Card blocked")
    assert timers_of(case)[Metric.FIRST_RESPONSE].due_at == london(2026, 6, 8, 10)


def test_waiting_on_the_customer_pauses_and_the_due_time_moves_by_the_paused_business_time(
    owner, clock
):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice", owner=owner)
    clock.move_to(london(2026, 6, 1, 10, 30))
    cases.add_comment(owner, case, body="We are looking into it.", public=True)
    clock.move_to(london(2026, 6, 1, 12))
    cases.transition(owner, case, to="waiting_customer")
    resolution = SlaTimer.objects.get(case=case, metric=Metric.RESOLUTION)
    assert resolution.state == SlaTimer.State.PAUSED
    assert resolution.paused_since == london(2026, 6, 1, 12)

    # Paused from Monday 12:00 to Tuesday 11:00: 5 h + 2 h = 420 business minutes
    clock.move_to(london(2026, 6, 2, 11))
    cases.transition(owner, case, to="open")
    resolution.refresh_from_db()
    assert resolution.state == SlaTimer.State.RUNNING
    assert resolution.paused_minutes == 420
    assert resolution.due_at == london(2026, 6, 2, 17)  # was Tuesday 10:00
    # the customer answered: the next response is owed within two business hours
    nxt = timers_of(case)[Metric.NEXT_RESPONSE]
    assert nxt.due_at == london(2026, 6, 2, 13)


def test_a_public_update_meets_the_first_response_but_an_internal_note_does_not(owner, clock):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice", owner=owner)
    clock.move_to(london(2026, 6, 1, 10, 20))
    cases.add_comment(owner, case, body="Checking the ledger", public=False)
    assert timers_of(case)[Metric.FIRST_RESPONSE].met_at is None
    cases.add_comment(owner, case, body="Sorry about this, we are on it.", public=True)
    first = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert (first.state, first.met_at) == (SlaTimer.State.MET, london(2026, 6, 1, 10, 20))


def test_resolving_meets_the_resolution_and_reopening_owes_it_again(owner, clock):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice", owner=owner)
    clock.move_to(london(2026, 6, 1, 15))
    cases.transition(owner, case, to="resolved")
    resolution = SlaTimer.objects.get(case=case, metric=Metric.RESOLUTION)
    assert resolution.state == SlaTimer.State.MET
    first = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert first.state == SlaTimer.State.STOPPED  # nobody answers a resolved case

    clock.move_to(london(2026, 6, 2, 9))  # reopened next morning: 2 business hours resolved
    cases.transition(owner, case, to="open")
    resolution.refresh_from_db()
    assert resolution.state == SlaTimer.State.RUNNING
    assert resolution.paused_minutes == 120
    assert resolution.due_at == london(2026, 6, 2, 12)


def test_the_most_specific_policy_wins(owner, clock):
    office = calendar(owner)
    dispute = cases.create_case_type(owner, name="Payment dispute")
    policy(owner, "Any case", calendar=office, first_response_minutes=240)
    policy(owner, "Disputes", calendar=office, case_type=dispute, first_response_minutes=120)
    policy(
        owner,
        "Urgent disputes",
        calendar=office,
        case_type=dispute,
        priority=Priority.URGENT,
        first_response_minutes=30,
    )
    urgent = cases.create_case(owner, subject="a", case_type=dispute, priority="urgent")
    normal = cases.create_case(owner, subject="b", case_type=dispute)
    other = cases.create_case(owner, subject="c")
    assert [
        timers_of(c)[Metric.FIRST_RESPONSE].target_minutes for c in (urgent, normal, other)
    ] == [
        30,
        120,
        240,
    ]


def test_no_policy_no_timers(owner, clock):
    case = cases.create_case(owner, subject="Quiet")
    assert not SlaTimer.objects.filter(case=case).exists()


def test_the_panel_shows_remaining_business_time_and_state(owner, clock):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice", owner=owner)
    clock.move_to(london(2026, 6, 1, 10, 50))
    views = {v.timer.metric: v for v in case_timers(owner, case)}
    first = views[Metric.FIRST_RESPONSE]
    assert (first.remaining_minutes, first.tone, first.percent) == (10, "warn", 83)
    assert duration(views[Metric.RESOLUTION].remaining_minutes) == "7 h 10 min"
    clock.move_to(london(2026, 6, 1, 11, 30))
    first = {v.timer.metric: v for v in case_timers(owner, case)}[Metric.FIRST_RESPONSE]
    assert (first.remaining_minutes, first.tone, first.breached) == (-30, "breach", True)


def test_another_workspace_sees_no_timers(owner, globex, make_member, clock):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice")
    stranger = make_member(globex, Role.OWNER)
    assert case_timers(stranger, case) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {
                "first_response_minutes": None,
                "next_response_minutes": None,
                "resolution_minutes": None,
            },
            "at least one target",
        ),
        ({"warn_percent": 100}, "1 to 99 percent"),
        ({"resolution_minutes": 0}, "1 to 527,040 business minutes"),
        ({"priority": 9}, "Unknown priority 9"),
    ],
)
def test_bad_policies_are_refused_with_the_reason(owner, fields, message):
    with pytest.raises(ValidationError, match=message):
        policy(owner, **fields)


def test_two_active_policies_for_the_same_cases_are_refused(owner):
    office = calendar(owner)
    policy(owner, "Standard", calendar=office)
    with pytest.raises(ValidationError, match="'Standard' already covers these cases"):
        policy(owner, "Other", calendar=office)


def test_only_admins_set_up_slas(acme, make_member, owner):
    manager = make_member(acme, Role.MANAGER)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="admin"):
        calendar(manager)


def test_a_calendar_from_another_workspace_cannot_be_used(owner, globex, make_member):
    foreign = calendar(make_member(globex, Role.OWNER))
    with pytest.raises(ValidationError, match="another workspace"):
        policy(owner, calendar=foreign)


def test_starting_timers_for_cases_opened_before_the_policy(owner, clock):
    case = cases.create_case(owner, subject="Older case", owner=owner)
    clock.move_to(london(2026, 6, 1, 12))
    policy(owner)
    assert actions.start_missing_timers(owner) == 1
    assert actions.start_missing_timers(owner) == 0
    assert timers_of(case)[Metric.FIRST_RESPONSE].due_at == london(2026, 6, 1, 11)
    assert isinstance(timers_of(case)[Metric.RESOLUTION].due_at, dt.datetime)


def test_a_reply_published_to_the_cases_conversation_meets_the_first_response(owner, clock):
    policy(owner)
    EngagementPolicy.objects.create(workspace=owner.workspace, record_only=True, tone_check=False)
    conv = conversation(owner.workspace, "You charged me twice!", author="payer")
    case = cases.open_case_from_conversation(owner, conv)
    clock.move_to(london(2026, 6, 1, 10, 40))
    reply = engagement.send_reply(owner, conv.first_post, text="Sorry, refunding it now.")
    first = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert first.state != SlaTimer.State.MET  # sent is not answered: it has to go out
    clock.move_to(london(2026, 6, 1, 10, 45))
    assert outbox.publish(reply.pk) == "recorded"
    first.refresh_from_db()
    assert first.state == SlaTimer.State.MET
    assert first.met_at == london(2026, 6, 1, 10, 45)


def test_raising_the_priority_moves_the_timers_to_the_tighter_policy(
    owner, clock, django_capture_on_commit_callbacks
):
    office = calendar(owner)
    policy(owner, "Standard", calendar=office, first_response_minutes=240)
    policy(
        owner,
        "Urgent",
        calendar=office,
        priority=Priority.URGENT,
        first_response_minutes=30,
        resolution_minutes=None,
    )
    case = cases.create_case(owner, subject="Card swallowed", owner=owner)
    assert timers_of(case)[Metric.FIRST_RESPONSE].due_at == london(2026, 6, 1, 14)
    clock.move_to(london(2026, 6, 1, 10, 10))
    with django_capture_on_commit_callbacks(execute=True):
        cases.update_case(owner, case, priority="urgent")
    first = timers_of(case)[Metric.FIRST_RESPONSE]
    assert (first.policy.name, first.due_at) == ("Urgent", london(2026, 6, 1, 10, 30))
    # the urgent policy sets no resolution target: that timer no longer applies
    resolution = SlaTimer.objects.get(case=case, metric=Metric.RESOLUTION)
    assert resolution.state == SlaTimer.State.STOPPED


def test_a_list_of_cases_gets_each_ones_most_pressing_target(owner, globex, make_member, clock):
    from rapport.sla.selectors import next_due

    policy(owner)
    case = cases.create_case(owner, subject="Charged twice")
    quiet = cases.create_case(owner, subject="No policy needed")
    cases.transition(owner, quiet, to="resolved")
    due = next_due(owner, [case.pk, quiet.pk])
    assert list(due) == [case.pk]
    assert (due[case.pk].label, due[case.pk].due_at) == ("First response", london(2026, 6, 1, 11))
    assert next_due(make_member(globex, Role.OWNER), [case.pk]) == {}


def test_a_target_met_is_heard_with_its_metric_and_whether_it_was_late(owner, clock, heard):
    policy(owner)
    case = cases.create_case(owner, subject="Charged twice", owner=owner)
    first = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    resolution = SlaTimer.objects.get(case=case, metric=Metric.RESOLUTION)
    clock.move_to(london(2026, 6, 1, 11, 30))  # half an hour past the first response's target
    cases.add_comment(owner, case, body="We are on it.", public=True)
    cases.transition(owner, case, to="resolved")
    met = [(e.object_id, e.actor_id, e.data) for e in heard if e.name == "sla.met"]
    assert met == [
        (first.pk, owner.pk, {"case": case.pk, "metric": "first_response", "late": True}),
        (resolution.pk, owner.pk, {"case": case.pk, "metric": "resolution", "late": False}),
    ]
