"""A moved clock for test runs: `RAPPORT_TEST_CLOCK=+365d make test` runs the suite a year ahead.

The variable holds an offset (`+365d`, `-36h`, `+90m`, `+10s`) or a moment in ISO 8601
(`2028-02-29T23:30:00+00:00`, for a run across a leap day or a New Year). The root conftest.py
moves the test process's clock when the session starts, then rewrites the variable as an offset
in seconds, so every `rapport` process a test starts (workers, `rapport serve` and its gunicorn
workers, `rapport shell`) moves its own clock to the same moment in `rapport.cli` and all of
them agree on what "now" is. The clock keeps ticking from there.

time-machine moves it: it patches the C functions behind `time.time`, `datetime.now`,
`date.today` and their kin (what `timezone.now()` and `auto_now` read), for every thread and
for references taken before it started, but not the monotonic clocks that measure intervals.
It is a test tool (the `dev` extra); setting the variable without it fails loudly.
"""

import datetime
import os
import re

ENV = "RAPPORT_TEST_CLOCK"

_OFFSET = re.compile(r"^([+-])(\d+(?:\.\d+)?)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class BadClock(ValueError):
    pass


def destination(value: str, now: datetime.datetime) -> datetime.datetime:
    """The moment `value` (an offset or an ISO 8601 moment) names, seen from `now` (aware)."""
    value = value.strip()
    if match := _OFFSET.match(value):
        sign, amount, unit = match.groups()
        seconds = float(amount) * _UNIT_SECONDS[unit] * (-1 if sign == "-" else 1)
        return now + datetime.timedelta(seconds=seconds)
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise BadClock(
            f"{ENV}={value!r} is neither an offset like +365d, -36h, +90m or +10s nor an "
            "ISO 8601 moment like 2028-02-29T23:30:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise BadClock(f"{ENV}={value!r} needs a time zone, e.g. {value}+00:00")
    return moment


def move_from_environment() -> datetime.timedelta | None:
    """Moves this process's clock as `RAPPORT_TEST_CLOCK` says, for the rest of the process.

    Returns how far it moved it (None where the variable is unset or empty). The variable is
    rewritten as that offset in seconds, so a process started later by this one lands on the
    same moment rather than on the same ISO 8601 moment its parent has already ticked past.
    """
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    try:
        import time_machine
    except ImportError:
        raise BadClock(
            f"{ENV} is set ({value!r}) but time-machine is not installed: it is a test tool, "
            "in the dev extra (pip install -e '.[dev]')"
        ) from None
    now = datetime.datetime.now(datetime.UTC)
    to = destination(value, now)
    time_machine.travel(to, tick=True).start()
    offset = to - now
    os.environ[ENV] = f"{offset.total_seconds():+.6f}s"
    return offset


def real_now() -> datetime.datetime:
    """The wall clock's time, however far the clock was moved (for the tests of the mechanism)."""
    try:
        from time_machine import escape_hatch
    except ImportError:
        return datetime.datetime.now(datetime.UTC)
    if not escape_hatch.is_travelling():
        return datetime.datetime.now(datetime.UTC)
    return escape_hatch.datetime.datetime.now(datetime.UTC)
