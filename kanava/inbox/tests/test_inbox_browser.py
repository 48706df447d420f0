"""The inbox in headless Chromium without JavaScript: queue -> conversation -> check -> send, on a phone and a desk.

Pages are driven through their markup (field names, data attributes), not
their translated texts.  Every page is checked with axe-core, must not
scroll sideways, and is saved under test-artifacts/screenshots/.
"""

import pytest
from django.utils import timezone

from kanava.inbox import replies
from kanava.inbox.intake import poll_channel
from kanava.inbox.models import Conversation, Item, Kind, Status
from kanava.inbox.tests.queue_support import BAD_INPUTS, conversation, ensure_targets
from kanava.publishing import outbox
from kanava.publishing.models import Delivery
from kanava.publishing.tests.test_staff_browser import assert_no_sideways_scroll, log_in
from kanava.testing.browser import axe_violations, describe, screenshot
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer
from kanava.testing.social import publish_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VERSIONS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki tiistaina klo 9–12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt på tisdag kl. 9–12."},
}
QUESTION = "Koskeeko vesikatko myös Koulukatua? Asun siellä ja tarvitsen vettä aamulla."
DEFENSIVE = "Kuten jo aiemmin totesimme, asia ei kuulu kunnalle. Kyseisen asian johdosta emme voi tehdä mitään."
ANSWER = "Vesikatko ei koske Koulukatua. Vesi on poikki vain Kirkkotiellä tiistaina klo 9–12."


@pytest.fixture
def assert_accessible(new_page):
    """axe-core on a page as it is.  axe needs scripts and timers, so a page seen without JavaScript is
    replayed, markup as it is and at its own address (its styles load alike), in a page with JavaScript."""
    checker = new_page(width=1280)

    def check(page, name: str) -> None:
        html, url = page.content(), page.url
        checker.set_viewport_size(page.viewport_size)
        checker.route(url, lambda route: route.fulfill(status=200, body=html, content_type="text/html"))
        checker.goto(url)
        checker.unroute(url)
        violations = axe_violations(checker)
        assert violations == [], f"{name} ({url}):\n{describe(violations)}"

    return check


@pytest.fixture(scope="module")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def asked(cast, actor_of, mastodon_server, settings, tmp_path):
    """A resident's question on Mastodon under our post, polled into the inbox, among other conversations."""
    settings.MEDIA_ROOT = tmp_path / "media"
    mastodon_server.reset()
    ensure_targets(cast.org)
    channel = make_channel(cast.org, "mastodon", "Mastodon", config=mastodon_server.channel_config(),
                           secrets=mastodon_server.channel_secrets("kanavala"),
                           account_name=f"@kanavala@{mastodon_server.local_domain}")
    publish_message(cast, actor_of, channel, VERSIONS)
    outbox.drain()
    post_id = Delivery.objects.get(channel=channel, language="fi").external_id
    question = mastodon_server.add_reply(post_id, QUESTION, author="matti", display_name="Matti Meikäläinen")
    earlier = timezone.now() - timezone.timedelta(hours=2)
    conversation(cast.org, "Olet täysi idiootti", kind=Kind.ATTACK, received_at=earlier)
    conversation(cast.org, BAD_INPUTS["html"], name="x" * 150, received_at=earlier)
    conversation(cast.org, "a" * 3000, received_at=earlier, status=Status.IN_PROGRESS, owner=cast.voice)
    conversation(cast.org, BAD_INPUTS["mixed_script"], language="", kind="", received_at=earlier)
    assert poll_channel(channel) == 1
    found = Conversation.objects.get(organisation=cast.org, source="mastodon")
    return found, question


@pytest.mark.parametrize("width", [375, 1280])
def test_a_moderator_answers_from_the_queue_without_javascript(live_server, new_page, cast, asked, mastodon_server,
                                                               assert_accessible, width):
    found, question = asked
    page = new_page(width=width, javascript=False)
    log_in(page, live_server, cast.moderator)

    page.goto(f"{live_server.url}/fi/staff/{cast.org.slug}/inbox/")
    assert page.locator("tr[data-conversation]").count() == 5
    assert page.locator("tr[data-abusive] .blurred").count() == 1
    assert "idiootti" not in page.content()
    assert_accessible(page, "queue")
    assert_no_sideways_scroll(page, width)
    screenshot(page, f"inbox-fi-queue-{width}")

    page.locator(f'tr[data-conversation="{found.pk}"] th a').click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/inbox/{found.pk}/")
    assert page.locator("#history [data-direction=in]").count() == 1
    assert_accessible(page, "conversation")
    assert_no_sideways_scroll(page, width)
    screenshot(page, f"inbox-fi-conversation-{width}")

    # Without JavaScript "Check" posts the text and the page comes back with it kept and checked.
    page.fill("textarea[name=text]", DEFENSIVE)
    page.locator("#composer button[name=check]").click()
    page.wait_for_load_state()
    assert page.input_value("textarea[name=text]") == DEFENSIVE
    assert page.locator('#reply-check .problem[data-code="defensive"]').count() >= 1
    assert page.locator("#reply-check [data-readability]").count() == 1
    assert not found.items.filter(direction=Item.Direction.OUT).exists()
    assert_accessible(page, "conversation checked")
    assert_no_sideways_scroll(page, width)
    screenshot(page, f"inbox-fi-conversation-checked-{width}")

    page.fill("textarea[name=text]", ANSWER)
    page.locator("#composer button[name=send]").click()
    page.wait_for_load_state()
    assert page.locator("#history [data-send-state=pending]").count() == 1

    assert replies.send_due() == 1
    page.reload()
    assert page.locator("#history [data-send-state=sent] a[data-sent-link]").count() == 1
    assert_accessible(page, "conversation answered")
    assert_no_sideways_scroll(page, width)
    screenshot(page, f"inbox-fi-conversation-sent-{width}")
    posted, = mastodon_server.replies_to(question.id)
    assert ANSWER in posted.text and "– Maija Moderator" in posted.text


@pytest.mark.parametrize("width", [375, 1280])
def test_the_record_and_targets_pages_are_accessible_and_fit(live_server, new_page, cast, assert_accessible, width):
    page = new_page(width=width, javascript=False)
    log_in(page, live_server, cast.lead)
    for name, path in {"record": "record/", "targets": "targets/"}.items():
        response = page.goto(f"{live_server.url}/fi/staff/{cast.org.slug}/inbox/{path}")
        assert response.status == 200
        assert_accessible(page, name)
        assert_no_sideways_scroll(page, width)
        screenshot(page, f"inbox-fi-{name}-{width}")


def test_with_javascript_the_check_follows_the_typing(live_server, new_page, cast, asked, assert_accessible):
    found, _question = asked
    page = new_page(width=1280)
    log_in(page, live_server, cast.moderator)
    page.goto(f"{live_server.url}/fi/staff/{cast.org.slug}/inbox/{found.pk}/")
    page.fill("textarea[name=text]", DEFENSIVE)
    page.locator('#reply-check .problem[data-code="defensive"]').first.wait_for()
    assert page.url.endswith(f"/inbox/{found.pk}/")  # no page load: htmx swapped the panel
    page.fill("textarea[name=text]", ANSWER)
    page.locator('#reply-check .problem[data-code="defensive"]').first.wait_for(state="detached")
    assert_accessible(page, "conversation, live check")
    screenshot(page, "inbox-fi-conversation-live-check-1280")
