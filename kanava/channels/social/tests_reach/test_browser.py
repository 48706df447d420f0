"""The reach page and a message page with posts and figures, in headless Chromium at 1280 and 375 px.

Checked with axe-core (WCAG 2.1 A and AA) and for sideways scrolling; the
screenshots go to test-artifacts/screenshots/ for a person to look at.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.social.tests_reach.helpers import fetch, post, published, series
from kanava.publishing.tests.test_staff_browser import assert_accessible, assert_no_sideways_scroll, log_in, staff_url
from kanava.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reached(cast, website, linkedin, bluesky, directors_bluesky):
    """A message in the director's name with a thread, a personal post and figures over a week."""
    message = published(cast, website, voice=cast.voice)
    at = timezone.now() - timedelta(days=8)
    series(post(message, linkedin, "fi", at=at), *[{"impressions": 1200 * n, "reactions": 9 * n, "comments": n,
                                                   "shares": n} for n in range(1, 6)])
    series(post(message, bluesky, "sv", parts=3, at=at), {"reactions": 4, "comments": 1, "shares": 0},
           {"reactions": 19, "comments": 2, "shares": 3})
    fetch(post(message, directors_bluesky, "fi", at=timezone.now() - timedelta(hours=2)), reactions=52,
          comments=6, shares=8)
    other = published(cast, website, title="Toinen")
    fetch(post(other, linkedin, "fi", at=timezone.now() - timedelta(days=1)), impressions=480, reactions=2)
    return message


@pytest.mark.parametrize("width", [1280, 375])
def test_the_reach_and_message_pages_are_accessible_and_fit_the_screen(live_server, new_page, cast, reached, width):
    page = new_page(width=width)
    log_in(page, live_server, cast.lead)

    response = page.goto(staff_url(live_server, cast, "channels/reach/?period=30&sort=impressions"))
    assert response.status == 200
    assert page.locator("#reach-organisation-table tbody tr").count() == 2
    assert page.locator("#reach-personal-table tbody tr").count() == 1
    assert_accessible(page, "reach page")
    assert_no_sideways_scroll(page, width)
    screenshot(page, f"staff-fi-reach-{width}")

    page.select_option("#id_voice", str(cast.voice.pk))
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_load_state()
    assert f"voice={cast.voice.pk}" in page.url
    assert page.locator("#reach-messages-table tbody tr").count() == 1
    assert_accessible(page, "one voice's reach")

    response = page.goto(staff_url(live_server, cast, f"messages/{reached.pk}/"))
    assert response.status == 200
    for summary in page.locator("details.reach-trend > summary").all():
        summary.click()
    assert page.locator("details.reach-trend[open] table tbody tr").count() == 5 + 2 + 1
    assert page.locator("details.reach-trend svg[role=img]").count() == 2
    assert page.locator(".post-links ol a").count() == 3
    assert_accessible(page, "message page with reach")
    assert_no_sideways_scroll(page, width)
    screenshot(page, f"staff-fi-message-reach-{width}")
