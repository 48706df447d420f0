"""A budget ballot cast in Finnish by keyboard only in headless Chromium, and the Swedish pages without JavaScript."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kanava.participation.kinds.budgeting.models import Ballot, Proposal
from kanava.participation.kinds.budgeting.tests.conftest import (close_vote, make_process, make_resident,
                                                                 session_cookie_for)
from kanava.testing.browser import axe_violations, describe, screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server, participant):
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie_for(participant),
                               "url": live_server.url}])


def url_in(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)



def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_a_resident_casts_a_budget_ballot_in_finnish_by_keyboard(live_server, new_page, cast):
    process = make_process(cast.org)
    first, second, third, fourth = Proposal.objects.filter(process=process).order_by("pk")
    page = new_page()
    signed_in(page, live_server, make_resident(cast.org, 1)[0])
    page.goto(live_server.url + url_in("fi", "budgeting:ballot", process.slug))
    assert page.locator("html").get_attribute("lang") == "fi"
    assert_accessible(page)
    screenshot(page, "budgeting-ballot-fi")

    tab_to(page, f"#proposal-{first.pk}")
    page.keyboard.press("Space")
    for proposal in (second, third, fourth):
        tab_to(page, f"#proposal-{proposal.pk}")
        page.keyboard.press("Space")
    summary = page.locator("[data-ballot-summary]")
    assert "115\u202f000" in summary.inner_text() and "15\u202f000" in summary.inner_text()  # over by 15 000 €
    screenshot(page, "budgeting-ballot-over-the-cap-fi")
    page.keyboard.press("Space")  # the fourth one off again: 95 000 € of 100 000 €
    assert "95\u202f000" in summary.inner_text() and "5\u202f000" in summary.inner_text()
    tab_to(page, "button[name=cast]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ballot/done/")
    assert_accessible(page)
    screenshot(page, "budgeting-ballot-done-fi")
    ballot = Ballot.objects.get(process=process)
    assert set(ballot.choices.values_list("proposal_id", flat=True)) == {first.pk, second.pk, third.pk}

    # Swedish, without JavaScript: the server checks the ballot and keeps the choices.
    plain = new_page(javascript=False, locale="sv-SE")
    signed_in(plain, live_server, make_resident(cast.org, 2)[0])
    plain.goto(live_server.url + url_in("sv", "budgeting:ballot", process.slug))
    for proposal in (first, second, third, fourth):
        plain.check(f"#proposal-{proposal.pk}")
    plain.click("button[name=check]")
    assert plain.is_checked(f"#proposal-{fourth.pk}")
    assert "15\u202f000" in plain.locator("[role=alert]").inner_text()
    screenshot(plain, "budgeting-ballot-check-sv")
    for name, args in (("budgeting:proposals", [process.slug]), ("budgeting:proposal", [process.slug, first.pk])):
        plain.goto(live_server.url + url_in("sv", name, *args))
        screenshot(plain, f"budgeting-{name.split(':')[1]}-sv")
    close_vote(process)
    for language in ("fi", "sv"):
        plain.goto(live_server.url + url_in(language, "budgeting:results", process.slug))
        assert plain.locator("table caption").count() == 1
        screenshot(plain, f"budgeting-results-{language}")
    for path in (url_in("sv", "budgeting:proposals", process.slug), url_in("sv", "budgeting:results", process.slug)):
        page.goto(live_server.url + path)
        assert_accessible(page)
