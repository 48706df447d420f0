"""The staff flow in headless Chromium: write, check, review, publish, see the deliveries.

The pages are driven through their markup (field ids, form actions, data
attributes), not their translated texts, so the tests hold in every language.
Every page the flow passes is checked with axe-core and saved as a screenshot
under test-artifacts/screenshots/ for a person to look at.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.core.tests.helpers import code_for
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery, Message
from kanava.publishing.tests.conftest import BILINGUAL
from kanava.testing.browser import axe_violations, describe, screenshot
from kanava.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING = '#check-panel .problem[data-code="language_missing"][data-language="{language}"]'
CHECK_ERRORS = "#check-panel .problem--error"


def staff_url(live_server, cast, path: str = "", language: str = "fi") -> str:
    return f"{live_server.url}/{language}/staff/{cast.org.slug}/{path}"


def log_in(page, live_server, person, language: str = "fi") -> None:
    """Sign in through the login form; a person with an authenticator also types its current code."""
    page.goto(f"{live_server.url}/{language}/staff/login/")
    page.fill("#id_email", person.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    if device is not None:
        page.locator("input[name=code]").fill(code_for(device))
        page.locator("main form button[type=submit]").click()
    page.locator(".user-menu").wait_for()
    assert "/login/" not in page.url and "/two-factor/" not in page.url, page.url


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name} ({page.url}):\n{describe(violations)}"


def assert_no_sideways_scroll(page, width: int) -> None:
    # Measured once the page and its style sheets have loaded: a form post returns
    # control as soon as the new document commits, before its CSS applies.
    page.wait_for_load_state("load")
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls sideways: {wide}"


def click_step(page, step: str) -> None:
    """Press the button of a review step on the message page (submit, approve, publish...)."""
    page.locator(f'#review form[action$="/{step}/"] button[type=submit]').click()
    page.wait_for_load_state()


def test_an_editor_writes_and_the_lead_publishes_in_the_browser(live_server, new_page, cast, website):
    # The editor writes the Finnish version; the live checks (htmx) say Swedish is still missing.
    editor = new_page(width=1280)
    log_in(editor, live_server, cast.editor)
    editor.goto(staff_url(live_server, cast, "messages/new/"))
    assert editor.locator(f'input[name=channels][value="{website.pk}"]').is_checked()
    editor.fill("#id_title_fi", BILINGUAL["fi"]["title"])
    editor.fill("#id_body_fi", BILINGUAL["fi"]["body"])
    editor.locator(MISSING.format(language="sv")).wait_for()
    assert editor.locator(MISSING.format(language="fi")).count() == 0
    assert_accessible(editor, "editor with checks")
    screenshot(editor, "staff-fi-editor-checks-1280")

    # Typing the Swedish version makes the problem go away, without a page load.
    editor.fill("#id_title_sv", BILINGUAL["sv"]["title"])
    editor.fill("#id_body_sv", BILINGUAL["sv"]["body"])
    editor.locator(MISSING.format(language="sv")).wait_for(state="detached")
    assert editor.locator(CHECK_ERRORS).count() == 0
    editor.locator(".editor__form > .button-row button[type=submit]:not([name])").click()
    editor.locator(".message-meta").wait_for()
    message = Message.objects.get(organisation=cast.org, author=cast.editor)
    assert editor.url.endswith(f"/messages/{message.pk}/")
    assert {v.language: v.title for v in message.versions.all()} == {
        "fi": BILINGUAL["fi"]["title"], "sv": BILINGUAL["sv"]["title"]}

    click_step(editor, "submit")
    assert editor.locator(".message-state .badge--in_review").count() == 1
    message.refresh_from_db()
    assert message.state == Message.State.IN_REVIEW

    # The lead signs in with a real TOTP code, approves and publishes.
    lead = new_page(width=1280)
    log_in(lead, live_server, cast.lead)
    lead.goto(staff_url(live_server, cast, f"messages/{message.pk}/"))
    click_step(lead, "approve")
    click_step(lead, "publish")
    message.refresh_from_db()
    assert message.state in (Message.State.PUBLISHING, Message.State.PUBLISHED)
    assert message.approved_by == cast.lead

    # After the outbox has run, the message page shows the website deliveries as delivered.
    outbox.drain()
    assert set(Delivery.objects.filter(message=message).values_list("language", "state")) == {
        ("fi", Delivery.State.DELIVERED), ("sv", Delivery.State.DELIVERED)}
    lead.goto(staff_url(live_server, cast, f"messages/{message.pk}/"))
    rows = lead.locator(f"table:has(#deliveries-{website.pk}) tbody tr")
    assert rows.count() == 2
    assert rows.locator("xpath=self::*[@data-state='delivered']").count() == 2
    assert rows.locator(".badge--delivered").count() == 2
    assert rows.locator("a[href*='/news/']").count() == 2
    assert lead.locator(".message-state .badge--published").count() == 1
    assert_accessible(lead, "message page with deliveries")
    screenshot(lead, "staff-fi-message-delivered-1280")

    lead.goto(staff_url(live_server, cast))
    assert lead.locator(f'.dashboard-section a[href$="/messages/{message.pk}/"]').count() >= 1
    assert_accessible(lead, "dashboard")
    screenshot(lead, "staff-fi-dashboard-1280")


def test_the_editor_checks_a_message_without_javascript(live_server, new_page, cast, website):
    page = new_page(width=375, javascript=False)
    log_in(page, live_server, cast.editor)
    page.goto(staff_url(live_server, cast, "messages/new/"))
    page.fill("#id_title_fi", BILINGUAL["fi"]["title"])
    page.fill("#id_body_fi", BILINGUAL["fi"]["body"])
    with page.expect_navigation(wait_until="load"):  # without JavaScript the button posts the whole form
        page.locator(".editor__form button[name=check]").click()

    # The server answers with the same form, what was typed kept, and the checks filled in.
    assert page.locator(MISSING.format(language="sv")).count() == 1
    assert page.locator(MISSING.format(language="fi")).count() == 0
    assert page.input_value("#id_title_fi") == BILINGUAL["fi"]["title"]
    assert page.input_value("#id_body_fi") == BILINGUAL["fi"]["body"]
    assert not Message.objects.filter(organisation=cast.org).exists()
    assert_no_sideways_scroll(page, 375)
    screenshot(page, "staff-fi-editor-nojs-checked-375")


@pytest.fixture
def delivered(cast, actor_of, website):
    """A bilingual message published on the website, its deliveries done."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, topic=cast.topic,
                                        channels=[website])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    return message


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_editors_pages_are_accessible_and_fit_a_phone(live_server, new_page, cast, delivered, language, width):
    page = new_page(width=width, locale=f"{language}-FI")
    log_in(page, live_server, cast.editor, language=language)
    pages = {
        "dashboard": "",
        "messages": "messages/",
        "editor": "messages/new/",
        "message": f"messages/{delivered.pk}/",
        "calendar": "calendar/",
    }
    for name, path in pages.items():
        response = page.goto(staff_url(live_server, cast, path, language=language))
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, name)
        assert_no_sideways_scroll(page, width)
        screenshot(page, f"staff-{language}-{name}-{width}")
