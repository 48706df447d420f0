"""Voting in headless Chromium: by keyboard without JavaScript (POST and redirect), by keyboard with htmx
(only the card is swapped and the focus moves to the next statement), axe-core on the voting and writing
pages in Finnish and Swedish at 1280 and 375 px."""

from __future__ import annotations

import pytest

from kanava.participation.kinds.opinions.models import Statement, Vote
from kanava.participation.kinds.opinions.tests.test_vote import make_conversation
from kanava.testing.browser import axe_violations, describe, screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def statement_text(page) -> str:
    return page.locator(".opinions-statement").inner_text()


def test_voting_by_keyboard_without_javascript(live_server, new_page, cast):
    process = make_conversation(cast.org, statements=["Kyläkoulut pitää säilyttää.", "Isot koulut ovat parempia."])
    page = new_page(width=375, javascript=False, locale="fi-FI")
    page.goto(live_server.url + f"/fi/participate/{process.slug}/opinions/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    first = statement_text(page)
    tab_to(page, "button.opinions-disagree")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "voted=1" in page.url
    second = statement_text(page)
    assert second != first
    tab_to(page, "button.opinions-agree")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".opinions-done h2").count() == 1
    assert page.locator(".opinions-done a[href$='/opinions/results/']").count() == 1
    screenshot(page, "opinions-vote-done-fi-375")
    votes = {v.statement.text["fi"]: v.value for v in Vote.objects.select_related("statement")}
    assert votes == {first: -1, second: 1}


def test_voting_by_keyboard_with_htmx_swaps_only_the_card(live_server, new_page, cast):
    process = make_conversation(cast.org)
    page = new_page(width=1280, locale="sv-SE")
    page.goto(live_server.url + f"/sv/participate/{process.slug}/opinions/")
    page.evaluate("window.__marker = 1")  # gone if the page were loaded again
    url = page.url
    first = statement_text(page)
    tab_to(page, "button.opinions-pass")
    page.keyboard.press("Enter")
    page.wait_for_function("(t) => { const s = document.querySelector('.opinions-statement');"
                           " return s && s.innerText !== t; }", arg=first)
    assert page.evaluate("window.__marker") == 1 and page.url == url
    # htmx settles the swap a moment later; then opinions.js moves the focus to the new statement
    page.wait_for_function("() => document.activeElement.classList.contains('opinions-statement')")
    assert page.locator(".opinions-status").count() == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the focus went from the statement to "Agree"
    page.wait_for_function("() => document.querySelectorAll('.opinions-progress')[0]"
                           ".innerText.includes('2')")
    assert Vote.objects.count() == 2
    assert sorted(Vote.objects.values_list("value", flat=True)) == [0, 1]
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_vote_and_write_pages_have_no_axe_violations(live_server, new_page, cast, width):
    process = make_conversation(cast.org)
    Statement.objects.filter(process=process, number=0).update(text={"fi": "Kyläkoulut pitää säilyttää.",
                                                                     "sv": "Byskolorna ska bevaras."})
    page = new_page(width=width)
    for language in ("fi", "sv"):
        for path in ("", "write/"):
            page.goto(live_server.url + f"/{language}/participate/{process.slug}/opinions/{path}")
            violations = axe_violations(page)
            assert violations == [], f"{language} {path} {width}:\n{describe(violations)}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        # the write page with an error
        page.goto(live_server.url + f"/{language}/participate/{process.slug}/opinions/write/")
        page.fill("textarea[name=text]", "   ")  # maxlength keeps a long text at the limit: send a blank one
        with page.expect_navigation():
            page.click("form.opinions-write button[type=submit]")
        assert page.locator(".error-summary").count() == 1
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        screenshot(page, f"opinions-write-error-{language}-{width}")
