"""Business time: adding minutes of opening hours to an instant, and counting them between two.

A minute of business time is a real elapsed minute inside an opening interval, read on the
calendar's wall clock (zoneinfo): 09:00-17:00 is 8 hours on most days, 7 or 9 where a day's
opening hours straddle a DST change, and a 24/7 calendar counts 23 or 25 hours on those days.
Holidays close the whole (local) day. Everything outside opening hours does not count.
"""

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
#: how far ahead to look for opening hours before deciding a calendar has none
_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Hours:
    """A calendar compiled for arithmetic: minutes after midnight per weekday, holiday dates."""

    tz: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]  # 7 x ((open, close), ...) in minutes
    holidays: frozenset[dt.date]

    def intervals(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The opening intervals of a local day as aware UTC instants, in order."""
        if day in self.holidays:
            return
        for start, end in self.week[day.weekday()]:
            yield self._instant(day, start), self._instant(day, end)

    def _instant(self, day: dt.date, minutes: int) -> dt.datetime:
        if minutes >= 24 * 60:
            day, minutes = day + dt.timedelta(days=1), minutes - 24 * 60
        local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)
        # A wall time in a spring-forward gap maps to the same instant either way round; a fold
        # (autumn) takes its first occurrence (fold=0), the earlier instant.
        return local.astimezone(dt.UTC)


def parse_time(value: str, where: str) -> int:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValidationError(f"{where}: {value!r} is not a time; write HH:MM, 00:00 to 24:00.")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def check_time_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValidationError("The time zone is required (for example Europe/London).")
    if name not in _zones():
        raise ValidationError(f"{name!r} is not a time zone; use a name like Europe/London.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{name!r} is not a time zone; use a name like Europe/London."
        ) from None


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_hours(hours: object) -> dict[str, list[list[str]]]:
    """Validated weekly hours: {"0".."6": [["HH:MM", "HH:MM"], ...]}, sorted, not overlapping."""
    if not isinstance(hours, dict):
        raise ValidationError("Opening hours must map weekdays (0 = Monday) to intervals.")
    unknown = set(map(str, hours)) - {str(d) for d in range(7)}
    if unknown:
        raise ValidationError(f"Unknown weekday {sorted(unknown)[0]!r}; use 0 (Monday) to 6.")
    out: dict[str, list[list[str]]] = {}
    total = 0
    for day in range(7):
        spans = hours.get(str(day), hours.get(day, [])) or []
        if not isinstance(spans, list):
            raise ValidationError(f"{WEEKDAYS[day]}: the hours must be a list of [open, close].")
        parsed = []
        for span in spans:
            if not isinstance(span, list | tuple) or len(span) != 2:
                raise ValidationError(f"{WEEKDAYS[day]}: each interval is [open, close].")
            start = parse_time(span[0], WEEKDAYS[day])
            end = parse_time(span[1], WEEKDAYS[day])
            if end <= start:
                raise ValidationError(
                    f"{WEEKDAYS[day]}: {span[0]}-{span[1]} closes before it opens."
                )
            parsed.append((start, end, span))
        parsed.sort()
        for (_, end, a), (start, _, b) in itertools.pairwise(parsed):
            if start < end:
                raise ValidationError(f"{WEEKDAYS[day]}: {a[0]}-{a[1]} overlaps {b[0]}-{b[1]}.")
        total += sum(end - start for start, end, _ in parsed)
        out[str(day)] = [[str(span[0]), str(span[1])] for _, _, span in parsed]
    if total == 0:
        raise ValidationError("A calendar needs opening hours on at least one day.")
    return out


def clean_holidays(holidays: object) -> list[dict[str, str]]:
    """Validated holidays: [{"date": "YYYY-MM-DD", "name": ...}], sorted, one per date."""
    if not isinstance(holidays, list):
        raise ValidationError("Holidays must be a list of dates.")
    seen: dict[str, dict[str, str]] = {}
    for i, item in enumerate(holidays, 1):
        if isinstance(item, str):
            item = {"date": item, "name": ""}
        if not isinstance(item, dict) or not isinstance(item.get("date"), str):
            raise ValidationError(f"Holiday {i} needs a date (YYYY-MM-DD).")
        try:
            day = dt.date.fromisoformat(item["date"])
        except ValueError:
            raise ValidationError(
                f"Holiday {i}: {item['date']!r} is not a date; write it as YYYY-MM-DD."
            ) from None
        name = str(item.get("name") or "").strip()
        if len(name) > 100:
            raise ValidationError(f"Holiday {i}: the name is longer than 100 characters.")
        if day.isoformat() in seen:
            raise ValidationError(f"{day.isoformat()} is listed twice.")
        seen[day.isoformat()] = {"date": day.isoformat(), "name": name}
    if len(seen) > 1000:
        raise ValidationError("At most 1,000 holidays per calendar.")
    return [seen[key] for key in sorted(seen)]


def compile_hours(time_zone: str, hours: dict[str, Any], holidays: list[Any]) -> Hours:
    week = tuple(
        tuple(
            (parse_time(a, WEEKDAYS[day]), parse_time(b, WEEKDAYS[day]))
            for a, b in hours.get(str(day), [])
        )
        for day in range(7)
    )
    days = frozenset(
        dt.date.fromisoformat(h["date"] if isinstance(h, dict) else h) for h in holidays
    )
    return Hours(tz=check_time_zone(time_zone), week=week, holidays=days)


def hours_of(calendar: Any) -> Hours:
    """The compiled hours of a BusinessCalendar (or an `Hours` already), cached on the object."""
    if isinstance(calendar, Hours):
        return calendar
    key = (calendar.time_zone, repr(calendar.hours), repr(calendar.holidays))
    cached = getattr(calendar, "_compiled", None)
    if cached is None or cached[0] != key:
        cached = (key, compile_hours(calendar.time_zone, calendar.hours, calendar.holidays))
        calendar._compiled = cached
    compiled: Hours = cached[1]
    return compiled


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("Business time needs aware datetimes (with a time zone).")
    return moment.astimezone(dt.UTC)


def add_business_time(calendar: Any, start: dt.datetime, minutes: float) -> dt.datetime:
    """The instant `minutes` of opening hours after `start` (UTC).

    Time before the first opening counts from the opening; a target that ends exactly at a
    closing time is due then, not at the next opening.
    """
    hours = hours_of(calendar)
    start = _aware(start)
    left = dt.timedelta(minutes=minutes)
    if left <= dt.timedelta(0):
        return start
    day = start.astimezone(hours.tz).date() - dt.timedelta(days=1)  # a late interval of the eve
    for _ in range(_MAX_DAYS + int(minutes // (24 * 60)) * 7):
        for opens, closes in hours.intervals(day):
            begin = max(opens, start)
            if begin >= closes:
                continue
            span = closes - begin
            if left <= span:
                return begin + left
            left -= span
        day += dt.timedelta(days=1)
    raise ValueError("The calendar has no opening hours in the next three years.")


def subtract_business_time(calendar: Any, end: dt.datetime, minutes: float) -> dt.datetime:
    """The instant `minutes` of opening hours before `end` (when a timer would have started)."""
    hours = hours_of(calendar)
    end = _aware(end)
    left = dt.timedelta(minutes=minutes)
    if left <= dt.timedelta(0):
        return end
    day = end.astimezone(hours.tz).date() + dt.timedelta(days=1)
    for _ in range(_MAX_DAYS + int(minutes // (24 * 60)) * 7):
        for opens, closes in reversed(list(hours.intervals(day))):
            finish = min(closes, end)
            if finish <= opens:
                continue
            span = finish - opens
            if left <= span:
                return finish - left
            left -= span
        day -= dt.timedelta(days=1)
    raise ValueError("The calendar has no opening hours in the three years before.")


def business_minutes_between(calendar: Any, a: dt.datetime, b: dt.datetime) -> float:
    """Minutes of opening hours from `a` to `b`; negative when `b` is before `a`."""
    hours = hours_of(calendar)
    a, b = _aware(a), _aware(b)
    if b < a:
        return -business_minutes_between(hours, b, a)
    total = dt.timedelta(0)
    day = a.astimezone(hours.tz).date() - dt.timedelta(days=1)
    last = b.astimezone(hours.tz).date()
    while day <= last:
        for opens, closes in hours.intervals(day):
            begin, end = max(opens, a), min(closes, b)
            if end > begin:
                total += end - begin
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60


ALWAYS_OPEN = {str(day): [["00:00", "24:00"]] for day in range(7)}
WEEKDAYS_9_TO_5 = {str(day): ([["09:00", "17:00"]] if day < 5 else []) for day in range(7)}
