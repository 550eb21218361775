"""Fixed clocks for tests that depend on the time (docs/testing.md).

The fixtures' exam day is EXAM_DAY (ExamFactory's start date): its sessions run 10:00-12:00
local time (settings.TIME_ZONE). A test that reads the clock, or exercises code that does
(attendance windows, sessions in progress, login windows, birth-date limits), asks for the
`frozen_clock` fixture (tests/conftest.py): the clock stands at FROZEN_AT, well inside
the day, after the morning session, and moves only when the test moves it.
"""

import datetime as dt

from django.utils import timezone

EXAM_DAY = dt.date(2026, 12, 1)
FROZEN_HOUR = 14


def local_moment(hour: int, minute: int = 0, second: int = 0, *, day: dt.date = EXAM_DAY) -> dt.datetime:
    """An aware datetime on `day` at hour:minute:second local time (settings.TIME_ZONE)."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=timezone.get_default_timezone())


def frozen_at() -> dt.datetime:
    return local_moment(FROZEN_HOUR)
