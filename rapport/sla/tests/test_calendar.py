"""Business time: opening hours, weekends, holidays, time zones and DST."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from rapport.sla.calendar import (
    ALWAYS_OPEN,
    WEEKDAYS_9_TO_5,
    add_business_time,
    business_minutes_between,
    clean_holidays,
    clean_hours,
    compile_hours,
    subtract_business_time,
)

LONDON = ZoneInfo("Europe/London")
UK_2026 = [
    {"date": "2026-12-25", "name": "Christmas Day"},
    {"date": "2026-12-28", "name": "Boxing Day (substitute day)"},
]


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def office():
    return compile_hours("Europe/London", WEEKDAYS_9_TO_5, UK_2026)


@pytest.fixture
def always():
    return compile_hours("Europe/London", ALWAYS_OPEN, [])


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON).replace(tzinfo=None)


def test_time_is_added_inside_opening_hours(office):
    assert local(add_business_time(office, london(2026, 6, 1, 10), 60)) == dt.datetime(
        2026, 6, 1, 11
    )


def test_what_is_left_at_closing_time_carries_over_the_weekend(office):
    due = add_business_time(office, london(2026, 6, 5, 16), 120)  # a Friday
    assert local(due) == dt.datetime(2026, 6, 8, 10)  # Monday
    assert business_minutes_between(office, london(2026, 6, 5, 16), due) == 120


def test_a_start_outside_opening_hours_counts_from_the_next_opening(office):
    assert local(add_business_time(office, london(2026, 6, 2, 7), 30)) == dt.datetime(
        2026, 6, 2, 9, 30
    )
    assert local(add_business_time(office, london(2026, 6, 6, 12), 30)) == dt.datetime(
        2026, 6, 8, 9, 30
    )  # Saturday noon -> Monday
    assert local(add_business_time(office, london(2026, 6, 2, 18), 30)) == dt.datetime(
        2026, 6, 3, 9, 30
    )


def test_a_target_ending_at_closing_time_is_due_then(office):
    assert local(add_business_time(office, london(2026, 6, 1, 16), 60)) == dt.datetime(
        2026, 6, 1, 17
    )


def test_holidays_are_closed_all_day(office):
    # Thursday 24 December 16:00; Friday 25 and Monday 28 are bank holidays
    due = add_business_time(office, london(2026, 12, 24, 16), 120)
    assert local(due) == dt.datetime(2026, 12, 29, 10)
    assert business_minutes_between(office, london(2026, 12, 24, 9), london(2026, 12, 29, 9)) == 480


def test_office_hours_follow_the_wall_clock_across_the_spring_dst_change(office):
    # Clocks go forward on Sunday 29 March 2026; Monday still opens at 09:00 local (08:00 UTC)
    due = add_business_time(office, london(2026, 3, 27, 16), 120)
    assert local(due) == dt.datetime(2026, 3, 30, 10)
    assert due == dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC)


def test_a_round_the_clock_calendar_counts_real_hours_on_dst_days(always):
    spring = business_minutes_between(always, london(2026, 3, 28, 12), london(2026, 3, 29, 12))
    autumn = business_minutes_between(always, london(2026, 10, 24, 12), london(2026, 10, 25, 12))
    assert (spring, autumn) == (23 * 60, 25 * 60)
    assert local(add_business_time(always, london(2026, 3, 28, 12), 24 * 60)) == dt.datetime(
        2026, 3, 29, 13
    )
    assert local(add_business_time(always, london(2026, 10, 24, 12), 24 * 60)) == dt.datetime(
        2026, 10, 25, 11
    )


def test_a_calendar_in_another_time_zone_opens_on_its_own_clock():
    new_york = compile_hours("America/New_York", WEEKDAYS_9_TO_5, [])
    start = dt.datetime(2026, 6, 1, 13, tzinfo=dt.UTC)  # 09:00 in New York
    assert add_business_time(new_york, start, 480) == dt.datetime(2026, 6, 1, 21, tzinfo=dt.UTC)
    # 08:00 UTC is 04:00 there: the clock starts at their 09:00
    early = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)
    assert add_business_time(new_york, early, 60) == dt.datetime(2026, 6, 1, 14, tzinfo=dt.UTC)


def test_split_days_skip_the_lunch_break():
    hours = compile_hours(
        "UTC", {"0": [["09:00", "12:00"], ["13:00", "17:00"]]}, []
    )  # Mondays only
    start = dt.datetime(2026, 6, 1, 11, tzinfo=dt.UTC)
    assert add_business_time(hours, start, 120) == dt.datetime(2026, 6, 1, 14, tzinfo=dt.UTC)
    assert add_business_time(hours, start, 7 * 60) == dt.datetime(2026, 6, 8, 11, tzinfo=dt.UTC)


def test_between_is_negative_backwards_and_zero_when_closed(office):
    assert business_minutes_between(office, london(2026, 6, 8, 10), london(2026, 6, 5, 16)) == -120
    assert business_minutes_between(office, london(2026, 6, 6, 9), london(2026, 6, 7, 18)) == 0


def test_adding_then_counting_gives_the_same_minutes(office):
    rng = random.Random(6)
    for _ in range(300):
        start = london(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        minutes = rng.randrange(1, 5 * 480)
        due = add_business_time(office, start, minutes)
        assert business_minutes_between(office, start, due) == pytest.approx(minutes)


def test_subtracting_walks_back_over_weekends_and_holidays(office):
    assert local(subtract_business_time(office, london(2026, 6, 8, 10), 120)) == dt.datetime(
        2026, 6, 5, 16
    )
    assert local(subtract_business_time(office, london(2026, 12, 29, 10), 120)) == dt.datetime(
        2026, 12, 24, 16
    )
    rng = random.Random(7)
    for _ in range(200):
        end = london(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        minutes = rng.randrange(1, 5 * 480)
        start = subtract_business_time(office, end, minutes)
        assert business_minutes_between(office, start, end) == pytest.approx(minutes)


def test_naive_datetimes_are_refused(office):
    with pytest.raises(ValueError, match="aware"):
        add_business_time(office, dt.datetime(2026, 6, 1, 10), 10)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"0": [["17:00", "09:00"]]}, "Monday: 17:00-09:00 closes before it opens"),
        ({"1": [["09:00", "13:00"], ["12:00", "17:00"]]}, "Tuesday: 09:00-13:00 overlaps"),
        ({"2": [["9am", "17:00"]]}, "Wednesday: '9am' is not a time"),
        ({"7": [["09:00", "17:00"]]}, "Unknown weekday '7'"),
        ({"0": []}, "at least one day"),
    ],
)
def test_bad_opening_hours_are_named(hours, message):
    with pytest.raises(ValidationError, match=message):
        clean_hours(hours)


def test_bad_holidays_are_named():
    with pytest.raises(ValidationError, match="'2026-02-30' is not a date"):
        clean_holidays([{"date": "2026-02-30", "name": "nope"}])
    with pytest.raises(ValidationError, match="listed twice"):
        clean_holidays(["2026-12-25", "2026-12-25"])
    assert clean_holidays(["2026-12-28", {"date": "2026-12-25", "name": "Christmas"}]) == [
        {"date": "2026-12-25", "name": "Christmas"},
        {"date": "2026-12-28", "name": ""},
    ]


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="'Mars/Olympus' is not a time zone"):
        compile_hours("Mars/Olympus", WEEKDAYS_9_TO_5, [])
