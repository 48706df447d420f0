"""The calendar's ?month= is checked: odd or far-off months show this month, never an error page."""

import pytest
from django.utils import timezone

NOW = "{:%B %Y}"


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01", "2025-00", "abc"])
def test_a_month_out_of_range_shows_this_month(cast, as_person, url, month):
    client = as_person(cast.lead)

    response = client.get(url("calendar"), {"month": month})

    assert response.status_code == 200
    today = timezone.localdate(timezone=cast.org.tz)
    assert NOW.format(today) in response.content.decode()


@pytest.mark.parametrize("month, shown, following", [("2100-12", "December 2100", "2101-01"),
                                                      ("2000-01", "January 2000", "2000-02")])
def test_the_first_and_last_months_in_range_are_shown(cast, as_person, url, month, shown, following):
    client = as_person(cast.lead)

    page = client.get(url("calendar"), {"month": month}).content.decode()

    assert shown in page and f'href="?month={following}"' in page
