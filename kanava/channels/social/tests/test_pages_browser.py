"""The health page and the post-by-hand checklist in headless Chromium: accessible, and usable on a phone.

Checked with axe-core (WCAG 2.1 A and AA) at 1280 and 375 px; screenshots go
to test-artifacts/screenshots/ for a person to look at.
"""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kanava.publishing.models import Delivery
from kanava.publishing.tests.test_staff_browser import assert_accessible, assert_no_sideways_scroll, log_in
from kanava.testing.browser import screenshot

from .test_pages import LONG, connected, failed_delivery, noon_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def problems(cast, actor_of, settings, tmp_path):
    """Connections in every state, a voice's account, and three posts to make by hand."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from kanava.channels.social.errors import mark_broken

    broken = connected(cast, "x", "X", account_url="https://x.example/kanavala")
    mark_broken(broken, "The X connection no longer works (it was revoked or its password changed): reconnect it "
                        "on the Connections page.")
    mastodon = connected(cast, "mastodon", "Mastodon", account_name="@kanavala@mastodon.example",
                         account_url="https://mastodon.example/@kanavala")
    connected(cast, "facebook", "Facebook", token_expires_at=noon_in(cast, 4))
    connected(cast, "linkedin", "LinkedIn", token_expires_at=timezone.now() - timezone.timedelta(days=2))
    connected(cast, "bluesky", "Bluesky", secrets={}, account_name="")
    voice = connected(cast, "mastodon", "Kunnanjohtaja Mastodonissa", owner=cast.voice,
                      token_expires_at=noon_in(cast, 6))
    return {
        "thread": failed_delivery(cast, actor_of, mastodon, text=LONG, thread=True, parts=[1]),
        "image": failed_delivery(cast, actor_of, mastodon, image=True, language="sv", state=Delivery.State.UNCERTAIN),
        "voice": failed_delivery(cast, actor_of, voice),
    }


def address(live_server, cast, name: str, language: str = "fi") -> str:
    with translation.override(language):
        return live_server.url + reverse(f"channels:{name}", kwargs={"org": cast.org.slug})


@pytest.mark.parametrize("width", [1280, 375])
def test_the_health_page_and_the_checklist_are_accessible_and_fit_a_phone(live_server, new_page, cast, problems,
                                                                         width):
    page = new_page(width=width)
    log_in(page, live_server, cast.lead)
    for name in ("health", "by_hand"):
        response = page.goto(address(live_server, cast, name))
        assert response.status == 200
        assert page.locator("html").get_attribute("lang") == "fi"
        assert_accessible(page, name)
        assert_no_sideways_scroll(page, width)
        screenshot(page, f"staff-fi-channels-{name}-{width}")
    assert page.locator("section.by-hand").count() == 3


def test_the_lead_marks_a_post_done_by_hand_on_a_phone_without_javascript(live_server, new_page, cast, problems):
    page = new_page(width=375, javascript=False)
    log_in(page, live_server, cast.lead)
    page.goto(address(live_server, cast, "by_hand"))
    delivery = problems["image"]
    section = page.locator(f'section[data-delivery="{delivery.pk}"]')
    section.locator('input[name="url"]').fill("https://mastodon.example/@kanavala/4242")
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()

    assert page.locator(f'section[data-delivery="{delivery.pk}"]').count() == 0
    assert page.locator(".messages").count() == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.url.endswith("/4242")
    assert_no_sideways_scroll(page, 375)
