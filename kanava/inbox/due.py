"""Due times in working days: weekends and Finnish public holidays do not count.

A promise of "3 working days" made on Thursday afternoon before Midsummer
falls due the following Wednesday, at the same time of day.  Accessibility
feedback must be answered within 14 days by law (Act on the Provision of
Digital Services 306/2019, section 17): calendar days, counted as such.

Midsummer Eve and Christmas Eve are not public holidays by law but nearly every
municipal office is closed on them; they count as days off here (the
``holidays`` package lists them for Finland).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

#: Days within which accessibility feedback must be answered (calendar days).
ACCESSIBILITY_DAYS = 14


@lru_cache(maxsize=64)
def _holidays(year: int, country: str = "FI") -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_working_day(day: date, country: str = "FI") -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year, country)


def next_working_day(day: date, country: str = "FI") -> date:
    day += timedelta(days=1)
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def add_working_days(moment: datetime, days: int, *, tz: str = "Europe/Helsinki",
                     day_end: time = time(16, 0), country: str = "FI") -> datetime:
    """``moment`` plus ``days`` working days, in the organisation's time zone.

    Something that arrives on a day off (or after office hours) is taken to
    have arrived at the start of the next working day, so the resident gets
    the full number of working days either way; the due time is the end of
    the office day.
    """
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    day = local.date()
    if not is_working_day(day, country) or local.time() >= day_end:
        day = next_working_day(day, country)
    for _step in range(days):
        day = next_working_day(day, country)
    return datetime.combine(day, day_end, tzinfo=zone)


def accessibility_due(moment: datetime, *, tz: str = "Europe/Helsinki", day_end: time = time(16, 0)) -> datetime:
    """Fourteen calendar days; when the fourteenth is a day off, the last working day before it."""
    zone = ZoneInfo(tz)
    day = moment.astimezone(zone).date() + timedelta(days=ACCESSIBILITY_DAYS)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, day_end, tzinfo=zone)


def working_hours_before(due: datetime, hours: int, *, tz: str = "Europe/Helsinki",
                         day_start: time = time(8, 0), day_end: time = time(16, 0)) -> datetime:
    """The moment ``hours`` office hours before ``due``: when to remind the owner."""
    zone = ZoneInfo(tz)
    local = due.astimezone(zone)
    remaining = timedelta(hours=hours)
    cursor = local
    while remaining > timedelta(0):
        start = datetime.combine(cursor.date(), day_start, tzinfo=zone)
        if is_working_day(cursor.date()) and cursor > start:
            available = cursor - start
            if available >= remaining:
                return cursor - remaining
            remaining -= available
        previous = cursor.date() - timedelta(days=1)
        cursor = datetime.combine(previous, day_end, tzinfo=zone)
    return cursor
