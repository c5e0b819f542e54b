"""RAPPORT_TEST_CLOCK: the suite and the `rapport` processes it starts all run on a moved clock.

CI runs the whole suite with RAPPORT_TEST_CLOCK=+365d, so a test that depends on the day it runs
fails there before it fails for everyone on that day.
"""

import datetime
import os
import re
import subprocess
import sys
import time
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from rapport.core import testclock

NOW = datetime.datetime(2026, 12, 6, 14, 30, tzinfo=UTC)  # any moment: parse() is pure


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+365d", NOW + timedelta(days=365)),
        ("-36h", NOW - timedelta(hours=36)),
        ("+90m", NOW + timedelta(minutes=90)),
        (" +10s ", NOW + timedelta(seconds=10)),
        ("+31536000.5s", NOW + timedelta(days=365, microseconds=500_000)),
        ("2028-02-29T23:30:00+00:00", datetime.datetime(2028, 2, 29, 23, 30, tzinfo=UTC)),
    ],
)
def test_an_offset_or_a_moment_names_where_the_clock_goes(value, expected):
    assert testclock.destination(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("soon", "neither an offset like +365d"),
        ("365d", "neither an offset like +365d"),
        ("+1y", "neither an offset like +365d"),
        ("2028-02-29T23:30:00", "needs a time zone"),
    ],
)
def test_a_value_it_cannot_read_is_refused_by_name(value, problem):
    with pytest.raises(testclock.BadClock, match=re.escape(problem)) as refused:
        testclock.destination(value, NOW)
    assert "RAPPORT_TEST_CLOCK" in str(refused.value)


def moved_by() -> timedelta:
    """How far this session's clock was moved: what conftest.py did with RAPPORT_TEST_CLOCK."""
    value = os.environ.get(testclock.ENV, "").strip()
    real = testclock.real_now()
    return testclock.destination(value, real) - real if value else timedelta(0)


def test_this_session_runs_where_the_variable_says():
    """Without the variable the clock is the wall clock; with +365d, Django's "now" (and the
    dates Python hands out) are a year ahead of it."""
    ahead = timezone.now() - testclock.real_now()
    assert abs(ahead - moved_by()) < timedelta(seconds=5)
    assert abs(time.time() - (testclock.real_now() + moved_by()).timestamp()) < 5
    assert datetime.date.today() in dates_around(testclock.real_now() + moved_by())


def dates_around(moment: datetime.datetime) -> set[datetime.date]:
    """The local dates a few seconds either side of `moment` (a test may straddle midnight)."""
    return {datetime.date.fromtimestamp(moment.timestamp() + s) for s in (-5, 5)}


def run_rapport_now(**env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import datetime, time; from django.utils import timezone; "
        "print(timezone.now().isoformat()); print(datetime.date.today().isoformat()); "
        "print(time.time())"
    )
    return subprocess.run(
        [sys.executable, "-m", "rapport", "shell", "--no-imports", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


def test_a_rapport_process_moves_its_clock_as_the_variable_says():
    """Workers and `rapport serve` a test starts read the same variable, so they share its now."""
    done = run_rapport_now(RAPPORT_TEST_CLOCK="+365d")
    assert done.returncode == 0, done.stderr
    now, today, epoch = done.stdout.split()[-3:]
    expected = testclock.real_now() + timedelta(days=365)
    assert abs(datetime.datetime.fromisoformat(now) - expected) < timedelta(seconds=30)
    assert abs(float(epoch) - expected.timestamp()) < 30
    assert datetime.date.fromisoformat(today) in dates_around(
        datetime.datetime.fromtimestamp(float(epoch), UTC)
    )


def test_a_rapport_process_started_by_the_suite_shares_its_clock():
    done = run_rapport_now()  # the session's own variable, as conftest.py rewrote it
    assert done.returncode == 0, done.stderr
    now = datetime.datetime.fromisoformat(done.stdout.split()[-3])
    assert abs(now - timezone.now()) < timedelta(seconds=30)


def test_a_rapport_process_refuses_a_clock_it_cannot_read():
    done = run_rapport_now(RAPPORT_TEST_CLOCK="next tuesday")
    assert done.returncode != 0
    assert "RAPPORT_TEST_CLOCK='next tuesday' is neither an offset" in done.stderr
