"""The resident pages of moderation in headless Chromium: no axe-core violations, no JavaScript needed,
no sideways scrolling on a phone; and abusive text stays blurred on the staff page until opened."""

import pytest

from kanava.inbox import moderation
from kanava.inbox.models import Source
from kanava.inbox.tests.moderation_support import (  # noqa: F401 (fixtures)
    REASON,
    fresh_site_cache_fixture,
    make_rule,
    received,
)
from kanava.publishing.tests.test_staff_browser import assert_accessible, assert_no_sideways_scroll, log_in
from kanava.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Pitkä" + "a" * 300


@pytest.fixture
def moderated(cast, actor_of):
    """Two rules, a page of decisions (one with a very long reason word), an appeal link."""
    rule = make_rule(actor_of(cast.lead), cast.org)
    make_rule(actor_of(cast.lead), cast.org, number=2, title={"fi": "Ei mainoksia", "sv": "Ingen reklam"},
              text={"fi": "Mainokset poistetaan.", "sv": "Reklam tas bort."})
    for number in range(3):
        moderation.do_moderate(actor_of(cast.moderator), received(cast.org), "report", rule, f"{REASON} {number}")
    moderation.do_moderate(actor_of(cast.moderator), received(cast.org, source=Source.WEB, handle=""), "hide", rule,
                           LONG_WORD)
    item = received(cast.org, source=Source.WEB, handle="", text="Senkin <b>idiootti</b> " + "x" * 400)
    return moderation.do_moderate(actor_of(cast.moderator), item, "hide", rule, REASON)


def public_pages(language: str, decision) -> dict[str, str]:
    return {
        "rules": f"/{language}/discussion-rules/",
        "log": f"/{language}/moderation-log/",
        "appeal": f"/{language}/appeal/{decision.appeal_token}/",
    }


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_public_moderation_pages_have_no_accessibility_violations(live_server, new_page, moderated, language):
    page = new_page(width=1280)  # axe-core needs JavaScript to run; the pages themselves do not
    for name, path in public_pages(language, moderated).items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, name)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_public_moderation_pages_do_not_scroll_sideways_on_a_phone(live_server, new_page, moderated, language):
    page = new_page(width=375, javascript=False)
    for name, path in public_pages(language, moderated).items():
        page.goto(live_server.url + path)
        assert_no_sideways_scroll(page, 375)
        assert screenshot(page, f"moderation-{language}-{name}-375").stat().st_size > 0


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_resident_reads_the_log_and_the_rules_and_appeals_without_javascript(live_server, new_page, moderated,
                                                                               language):
    page = new_page(width=375, javascript=False)
    page.goto(f"{live_server.url}/{language}/moderation-log/")
    page.locator('.public-log a[href$="#rule-1"]').first.click()
    assert page.url.endswith(f"/{language}/discussion-rules/#rule-1")
    assert page.locator("#rule-1 h2").inner_text().startswith("1. ")

    page.goto(f"{live_server.url}/{language}/appeal/{moderated.appeal_token}/")
    assert "idiootti" in page.locator(".item-text").inner_text(), "the writer sees what they wrote"
    page.locator("form.appeal-form button[type=submit]").click()  # empty: refused with an error summary
    assert page.locator(".error-summary").count() == 1
    page.locator("form.appeal-form textarea").fill("Kirjoitin vain totuuden.")
    page.locator("form.appeal-form button[type=submit]").click()
    assert page.locator(".hds-notification--success[role=status]").count() == 1
    assert page.locator("form.appeal-form").count() == 0
    assert_no_sideways_scroll(page, 375)


def test_the_appeal_page_with_errors_and_after_sending_has_no_accessibility_violations(live_server, new_page,
                                                                                       moderated):
    page = new_page(width=375)
    page.goto(live_server.url + f"/sv/appeal/{moderated.appeal_token}/")
    page.locator("form.appeal-form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert_accessible(page, "appeal with errors")
    page.locator("form.appeal-form textarea").fill("Jag skrev bara sanningen.")
    page.locator("form.appeal-form button[type=submit]").click()
    page.locator("[role=status]").wait_for()
    assert_accessible(page, "appeal sent")


def test_a_moderator_opens_blurred_abuse_without_javascript(live_server, new_page, cast, moderated):
    checked = new_page(width=1280)
    log_in(checked, live_server, cast.moderator, language="en")
    address = f"{live_server.url}/en/staff/{cast.org.slug}/moderation/items/{moderated.item_id}/"
    checked.goto(address)
    assert_accessible(checked, "moderation item page")

    page = new_page(width=375, javascript=False)
    page.context.add_cookies(checked.context.cookies())  # the same session: a code works only once
    page.goto(address)
    preview, body = page.locator(".item-text__preview"), page.locator(".item-text__body")
    assert preview.is_visible() and "blur" in preview.evaluate("e => getComputedStyle(e).filter")
    assert not body.is_visible()
    page.locator(".item-text__summary").click()
    assert body.is_visible() and not preview.is_visible()
    assert "<b>idiootti</b>" in body.inner_text(), "shown as text, never as markup"
    assert_no_sideways_scroll(page, 375)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_staff_pages_of_moderation_have_no_accessibility_violations(live_server, new_page, cast, moderated,
                                                                        language):
    appeal = moderation.do_appeal(moderation.Actor.system("resident"), moderated, "Miksi?", "")
    page = new_page(width=1280)
    log_in(page, live_server, cast.lead, language=language)
    base = f"{live_server.url}/{language}/staff/{cast.org.slug}/moderation/"
    for name, path in (("log", ""), ("rules", "rules/"), ("new-rule", "rules/new/"), ("appeals", "appeals/"),
                       ("appeal", f"appeals/{appeal.pk}/"), ("item", f"items/{moderated.item_id}/")):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_accessible(page, f"staff {name}")
    page.set_viewport_size({"width": 375, "height": 900})
    for path in ("rules/new/", f"items/{moderated.item_id}/"):
        page.goto(base + path)
        assert_no_sideways_scroll(page, 375)
