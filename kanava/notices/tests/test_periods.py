"""The dates of a notice as Finnish law counts them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kanava.notices import periods

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_a_notice_is_deemed_received_on_the_seventh_day_after_publication():
    published = datetime(2025, 3, 4, 10, 15, tzinfo=HELSINKI)  # Tuesday
    assert periods.deemed_received_on(published, HELSINKI) == date(2025, 3, 11)


def test_the_day_of_publication_is_the_organisations_own_day():
    # 23:30 UTC on 3 March is already 4 March in Helsinki.
    published = datetime(2025, 3, 3, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert periods.deemed_received_on(published, HELSINKI) == date(2025, 3, 11)


def test_the_seventh_day_is_not_moved_off_a_weekend():
    published = datetime(2025, 3, 1, 9, 0, tzinfo=HELSINKI)  # Saturday; +7 is Saturday too
    assert periods.deemed_received_on(published, HELSINKI) == date(2025, 3, 8)


def test_a_municipal_appeal_ends_thirty_days_after_the_deemed_receipt():
    published = datetime(2025, 3, 4, 10, 15, tzinfo=HELSINKI)  # received 11.3., +30 = Thursday 10.4.
    assert periods.appeal_ends_on(published, 30, HELSINKI) == date(2025, 4, 10)


def test_an_appeal_period_ending_on_a_saturday_ends_on_monday():
    published = datetime(2025, 3, 5, 12, 0, tzinfo=HELSINKI)  # received 12.3., +14 = Wednesday 26.3.
    assert periods.appeal_ends_on(published, 14, HELSINKI) == date(2025, 3, 26)
    published = datetime(2025, 3, 8, 12, 0, tzinfo=HELSINKI)  # received 15.3., +14 = Saturday 29.3.
    assert periods.appeal_ends_on(published, 14, HELSINKI) == date(2025, 3, 31)


def test_an_appeal_period_ending_on_christmas_eve_runs_over_christmas():
    # received 24.11.2025, +30 = Wednesday 24.12. (Christmas Eve), then 25., 26., the weekend: Monday 29.12.
    published = datetime(2025, 11, 17, 12, 0, tzinfo=HELSINKI)
    assert periods.appeal_ends_on(published, 30, HELSINKI) == date(2025, 12, 29)


def test_midsummer_eve_and_may_day_are_not_last_days():
    assert periods.last_day_of_period(date(2025, 6, 20)) == date(2025, 6, 23)  # Midsummer Eve (Friday)
    assert periods.last_day_of_period(date(2025, 5, 1)) == date(2025, 5, 2)  # May Day (Thursday)
    assert periods.last_day_of_period(date(2025, 12, 5)) == date(2025, 12, 5)  # an ordinary Friday


def test_the_board_period_ends_at_the_same_time_of_day_across_the_clock_change():
    published = datetime(2025, 3, 25, 8, 15, tzinfo=ZoneInfo("UTC"))  # 10:15 in Helsinki; summer time from 30.3.
    ends = periods.period_ends_at(published, 14, HELSINKI)
    assert ends.astimezone(HELSINKI) == datetime(2025, 4, 8, 10, 15, tzinfo=HELSINKI)
    assert ends - published == timedelta(days=14, hours=-1)


def test_the_appeal_day_ends_at_midnight():
    assert periods.end_of_day(date(2025, 4, 10), HELSINKI) == datetime(2025, 4, 11, 0, 0, tzinfo=HELSINKI)
