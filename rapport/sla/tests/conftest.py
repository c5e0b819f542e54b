import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def move_to(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    """Django's clock at Monday 1 June 2026, 10:00 in London; `clock.move_to(...)` moves it.

    Only `django.utils.timezone.now` is replaced (what models, actions and the sweep read).
    """
    frozen = Clock(london(2026, 6, 1, 10))
    monkeypatch.setattr(timezone, "now", frozen.now)
    return frozen
