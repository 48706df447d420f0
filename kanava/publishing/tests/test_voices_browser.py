"""The voice approves and publishes from a phone: 375 px wide, no JavaScript, checked with axe-core."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kanava.publishing import actions
from kanava.publishing.models import Message, Variant
from kanava.publishing.tests.conftest import BILINGUAL, png_bytes
from kanava.publishing.tests.test_staff_browser import assert_accessible, assert_no_sideways_scroll, log_in
from kanava.testing.browser import screenshot
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG = " ".join(f"Kirkkotien vesijohto uusitaan osuudella {i}." for i in range(1, 31))


@pytest.fixture
def mastodon(settings):
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    with MastodonServer() as server:
        yield server


def test_the_voice_approves_and_publishes_their_own_thread_on_a_phone(live_server, new_page, cast, actor_of,
                                                                        mastodon):
    personal = make_channel(cast.org, "mastodon", "Villen Mastodon", config=mastodon.channel_config(),
                            secrets=mastodon.channel_secrets("ville"), owner=cast.voice, selected_by_default=False,
                            account_name="@ville", consent_at=timezone.now())
    editor = actor_of(cast.editor)
    message = actions.do_create_message(editor, cast.org, versions=BILINGUAL, topic=cast.topic, voice=cast.voice,
                                        channels=[personal])
    actions.do_add_image(editor, message, SimpleUploadedFile("kartta.png", png_bytes(), "image/png"),
                         {"fi": "Kartta katkosalueesta", "sv": "Karta över området"})
    variant = Variant.objects.get(message=message, channel=personal, language="fi")
    actions.do_edit_variant(editor, variant, title=variant.title, text=LONG)
    actions.do_set_variant_thread(editor, variant, True)
    actions.do_submit_for_review(editor, message)

    inbox = f"{live_server.url}/fi/staff/{cast.org.slug}/voice/"
    detail = f"{inbox}{message.pk}/"

    # axe-core needs JavaScript to run; the page itself does not.
    checked = new_page(width=375, javascript=True)
    log_in(checked, live_server, cast.voice)
    for name, address in (("list", inbox), ("approve", detail)):
        checked.goto(address)
        assert_accessible(checked, f"voice {name} page")
        assert_no_sideways_scroll(checked, 375)
        screenshot(checked, f"staff-fi-voice-{name}-375")

    page = new_page(width=375, javascript=False)
    page.context.add_cookies(checked.context.cookies())  # the same session: a TOTP code works only once
    page.goto(inbox)
    page.locator(f'a[href$="/voice/{message.pk}/"]').first.click()
    assert page.locator(".thread-parts li[data-post]").count() == 4  # three Finnish parts and the Swedish post
    assert page.locator('img[alt="Kartta katkosalueesta"]').count() == 1
    assert_no_sideways_scroll(page, 375)
    page.locator('#decision form[action$="/approve/"] button').click()
    page.wait_for_load_state()
    assert Message.objects.get(pk=message.pk).state == Message.State.APPROVED
    assert_no_sideways_scroll(page, 375)

    checked.goto(detail)  # now with "Publish now" and the schedule form
    assert_accessible(checked, "voice page after approving")
    screenshot(checked, "staff-fi-voice-approved-375")

    page.locator('#decision form[action$="/publish/"] button').click()
    page.wait_for_load_state()
    assert Message.objects.get(pk=message.pk).state in (Message.State.PUBLISHING, Message.State.PUBLISHED)


def test_the_editor_chooses_a_thread_for_a_too_long_post_in_the_browser(live_server, new_page, cast, actor_of,
                                                                        mastodon):
    toot = make_channel(cast.org, "mastodon", "Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets("kanavala"), account_name="@kanavala")
    editor = actor_of(cast.editor)
    message = actions.do_create_message(editor, cast.org, versions=BILINGUAL, topic=cast.topic, channels=[toot])
    variant = Variant.objects.get(message=message, channel=toot, language="fi")
    actions.do_edit_variant(editor, variant, title=variant.title, text=LONG)

    page = new_page(width=375, javascript=True)
    log_in(page, live_server, cast.editor)
    page.goto(f"{live_server.url}/fi/staff/{cast.org.slug}/messages/{message.pk}/variants/{variant.pk}/")
    assert page.locator("#variant-check .counter--over").count() == 1
    assert_accessible(page, "variant page with the choices")
    assert_no_sideways_scroll(page, 375)
    screenshot(page, "staff-fi-variant-too-long-375")

    page.locator('#variant-check button[name=choice][value=thread]').click()
    page.locator("#variant-check .thread-parts li").first.wait_for()
    variant.refresh_from_db()
    assert variant.thread
    assert page.locator("#variant-check .thread-parts li").count() == len(toot.adapter.parts(variant))
    assert page.locator("#variant-check .counter--over").count() == 0
    assert_accessible(page, "variant page with the thread")
    assert_no_sideways_scroll(page, 375)
    screenshot(page, "staff-fi-variant-thread-375")
