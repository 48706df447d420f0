"""The dates of an official notice, as Finnish law counts them (no Django import).

- **Deemed received.** A party is deemed to have received a decision published
  in the public data network on the seventh day after its publication (Local
  Government Act 410/2015 s. 140; Administrative Procedure Act 434/2003 s. 62 a
  for a public notice).  The seventh day is counted from the day of publication
  in the organisation's own time zone and is not moved off a weekend: it is
  when the law says the notice is received, not a deadline.
- **Appeal period.** A rectification request (14 days, s. 134) or a municipal
  appeal (30 days, s. 138) is counted from the day the notice is deemed
  received.  Its last day moves to the next working day when it falls on a
  Saturday, a Sunday, a public holiday, Independence Day, May Day, Christmas
  Eve or Midsummer Eve (Act on the Calculation of Statutory Time Limits
  150/1930 s. 5); the ``holidays`` package lists all of these for Finland.
- **On the notice board** from publication for ``period_days`` calendar days, to
  the second: a notice published at 10:15 with a 14-day period leaves the board
  at 10:15 fourteen days later on the organisation's clock (also across a change
  to or from summer time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

#: The day after publication on which a party is deemed to have received the notice.
DEEMED_RECEIVED_AFTER_DAYS = 7
#: Appeal periods of the Local Government Act, in days from the deemed receipt.
RECTIFICATION_DAYS = 14
MUNICIPAL_APPEAL_DAYS = 30


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def last_day_of_period(day: date) -> date:
    """``day``, or the first working day after it when a time limit may not end on it (Act 150/1930 s. 5)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def period_ends_at(published_at: datetime, period_days: int, tz: ZoneInfo) -> datetime:
    """The moment the notice leaves the board: the same time of day ``period_days`` days later, in ``tz``."""
    return (published_at.astimezone(tz) + timedelta(days=period_days)).astimezone(UTC)


def deemed_received_on(published_at: datetime, tz: ZoneInfo) -> date:
    """The seventh day after the day of publication (in the organisation's time zone)."""
    return local_date(published_at, tz) + timedelta(days=DEEMED_RECEIVED_AFTER_DAYS)


def appeal_ends_on(published_at: datetime, appeal_days: int, tz: ZoneInfo) -> date:
    """The last day on which an appeal (or a rectification request) may still be made."""
    return last_day_of_period(deemed_received_on(published_at, tz) + timedelta(days=appeal_days))


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The first moment after ``day`` in ``tz`` (midnight at its end): an appeal may be sent until then."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
