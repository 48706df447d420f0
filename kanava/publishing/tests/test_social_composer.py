"""Too long for a social platform: the editor chooses a thread or a shortened version; nothing is cut silently.

Against a local Mastodon server (500 characters, every link 23), through
the staff pages and the outbox.
"""

import re

import pytest
from django.utils import timezone

from kanava.channels.social.text import shorten_with_link, split_thread
from kanava.core.models import AuditEvent
from kanava.publishing import actions, outbox
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import Message, Variant
from kanava.publishing.tests.conftest import BILINGUAL, editor_post
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer

pytestmark = pytest.mark.outbox
SITE = "https://uutiset.pikkula.fi"
LONG = " ".join(f"Kirkkotien vesijohto uusitaan osuudella {i}, ja vesi on poikki klo 9–12." for i in range(1, 21))


@pytest.fixture(scope="module")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server, settings):
    settings.SITE_URL = SITE
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture
def toot(cast, mastodon):
    return make_channel(cast.org, "mastodon", "Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets("kanavala"), account_name="@kanavala")


@pytest.fixture
def too_long(cast, actor_of, toot):
    """A draft whose Finnish Mastodon post was edited by hand to 20 sentences (far over 500)."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, topic=cast.topic,
                                        channels=[toot])
    variant = Variant.objects.get(message=message, channel=toot, language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=LONG)
    return variant


def composer_buttons(page: str) -> list[str]:
    return re.findall(r'name="choice" value="(\w+)"', page)


def test_a_too_long_post_blocks_publishing_until_the_editor_chooses(cast, actor_of, too_long):
    with pytest.raises(WorkflowError, match="Too long for Mastodon"):
        actions.do_submit_for_review(actor_of(cast.editor), too_long.message)
    assert Message.objects.get(pk=too_long.message_id).state == Message.State.DRAFT


def test_the_variant_page_offers_a_thread_or_a_shortened_version_next_to_the_too_long_text(
        cast, as_person, url, too_long):
    page = as_person(cast.editor).get(url("variant_edit", pk=too_long.message_id, variant_pk=too_long.pk))
    page = page.content.decode()
    count = len(split_thread(LONG, 500, too_long.channel.adapter.count))
    assert count > 2
    assert f"{len(LONG)} of 500 characters" in page and "Too long." in page
    assert f"Publish as a thread ({count} posts)" in page
    assert "Use a shortened version with a link" in page
    assert composer_buttons(page) == ["thread", "shorten"]
    assert 'form="variant-form"' in page and 'id="variant-form"' in page
    assert f"… {SITE}/fi/m/{too_long.message_id}/" in page  # the shortened version, to look at first


def test_choosing_a_thread_saves_the_typed_text_and_shows_the_parts_as_they_go_out(
        cast, actor_of, as_person, url, too_long):
    typed = LONG + " Kiitos kärsivällisyydestä!"
    client = as_person(cast.editor)
    address = url("variant_edit", pk=too_long.message_id, variant_pk=too_long.pk)
    response = client.post(address, {"title": too_long.title, "text": typed, "choice": "thread"})
    assert response.status_code == 302 and response["Location"] == address
    too_long.refresh_from_db()
    assert too_long.thread and too_long.text == typed and too_long.edited
    event = AuditEvent.objects.get(action="variant.thread_set")
    assert event.actor == cast.editor and event.data == {"channel": too_long.channel_id, "language": "fi",
                                                         "thread": True}

    page = client.get(address).content.decode()
    parts = split_thread(typed, 500, too_long.channel.adapter.count)
    assert f"Goes out as a thread of {len(parts)} posts." in page
    for part in parts:
        assert part.split()[-1] in page  # each "n/N"
    assert composer_buttons(page) == ["single"]
    detail = client.get(url("message_detail", pk=too_long.message_id)).content.decode()
    assert "The thread on Mastodon (Finnish)" in detail and "Too long." not in detail

    actions.do_submit_for_review(actor_of(cast.editor), too_long.message)  # nothing blocks any more


def test_the_thread_goes_out_on_mastodon_each_part_replying_to_the_previous(cast, actor_of, too_long, mastodon):
    actions.do_set_variant_thread(actor_of(cast.editor), too_long, True)
    message = too_long.message
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    finnish = [post for post in mastodon.posts if post.language == "fi"]
    expected = split_thread(LONG, 500, too_long.channel.adapter.count)
    assert [post.text for post in finnish] == expected
    assert [post.reply_to for post in finnish] == [None] + [post.id for post in finnish[:-1]]


def test_using_the_shortened_version_replaces_the_text_with_its_beginning_and_a_link(
        cast, as_person, url, too_long):
    client = as_person(cast.editor)
    response = client.post(url("variant_edit", pk=too_long.message_id, variant_pk=too_long.pk),
                           {"choice": "shorten"})
    assert response["Location"].endswith("#checks")
    too_long.refresh_from_db()
    link = f"{SITE}/fi/m/{too_long.message_id}/"
    adapter = too_long.channel.adapter
    assert too_long.text == shorten_with_link(LONG, 500, link, adapter.count)
    assert too_long.text.endswith(f"… {link}") and adapter.count(too_long.text) <= 500
    assert too_long.edited and not too_long.thread
    assert LONG.startswith(too_long.text.removesuffix(f" … {link}"))
    assert AuditEvent.objects.filter(action="variant.edited").count() == 2


def test_the_message_page_offers_the_choices_and_a_thread_can_be_turned_back_into_one_post(
        cast, as_person, url, too_long):
    client = as_person(cast.editor)
    detail = url("message_detail", pk=too_long.message_id)
    page = client.get(detail).content.decode()
    assert composer_buttons(page) == ["thread", "shorten"]
    choose = url("variant_edit", pk=too_long.message_id, variant_pk=too_long.pk)
    assert page.count(f'action="{choose}"') == 2

    client.post(choose, {"choice": "thread"})
    assert Variant.objects.get(pk=too_long.pk).thread
    page = client.get(detail).content.decode()
    assert composer_buttons(page) == ["single"]
    client.post(choose, {"choice": "single"})
    variant = Variant.objects.get(pk=too_long.pk)
    assert not variant.thread and variant.text == LONG
    assert [e.data["thread"] for e in AuditEvent.objects.filter(action="variant.thread_set").order_by("id")] == [
        True, False]


def test_the_choices_are_not_offered_to_someone_who_cannot_edit(cast, as_person, url, too_long):
    page = as_person(cast.moderator).get(url("message_detail", pk=too_long.message_id)).content.decode()
    assert composer_buttons(page) == [] and "Too long for Mastodon" in page
    response = as_person(cast.moderator).post(
        url("variant_edit", pk=too_long.message_id, variant_pk=too_long.pk), {"choice": "thread"})
    assert response.status_code == 403
    assert not Variant.objects.get(pk=too_long.pk).thread


def test_the_editor_tells_to_save_first_instead_of_acting_on_unsaved_text(cast, as_person, url, too_long, toot):
    page = as_person(cast.editor).get(url("message_edit", pk=too_long.message_id)).content.decode()
    assert "Save the message, then choose on the message page" in page
    assert composer_buttons(page) == []


def test_choosing_a_thread_in_review_withdraws_the_voices_approval(cast, actor_of, as_person, url, toot):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, topic=cast.topic,
                                        voice=cast.voice, channels=[toot])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.voice), message)
    variant = Variant.objects.get(message=message, channel=toot, language="fi")
    response = as_person(cast.editor).post(url("variant_edit", pk=message.pk, variant_pk=variant.pk),
                                           {"title": variant.title, "text": LONG, "choice": "thread"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == Message.State.IN_REVIEW and message.voice_approved_at is None


def test_a_channel_without_threads_cannot_be_set_to_publish_one(cast, actor_of, website):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, channels=[website])
    variant = message.variants.get(language="fi")
    with pytest.raises(WorkflowError, match="Verkkosivut cannot publish a thread."):
        actions.do_set_variant_thread(actor_of(cast.editor), variant, True)
    assert not Variant.objects.get(pk=variant.pk).thread
    assert not AuditEvent.objects.filter(action="variant.thread_set").exists()


@pytest.mark.parametrize("kind, text, used", [
    ("bluesky", "Hyvää joulua 👨‍👩‍👧‍👦 kaikille!", 24),  # the family is one grapheme
    ("x", "Lue lisää: https://uutiset.pikkula.fi/fi/m/1/hyvin-pitka-osoite-joka-lyhenee", 34),  # a link is 23
])
def test_the_length_is_the_platforms_own_count(cast, actor_of, as_person, url, kind, text, used):
    channel = make_channel(cast.org, kind, kind.title())
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, channels=[channel])
    variant = message.variants.get(language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=text)
    page = as_person(cast.editor).get(url("variant_edit", pk=message.pk, variant_pk=variant.pk)).content.decode()
    limit = channel.adapter.limit()
    assert f"{used} of {limit} {channel.adapter.unit}" in page


def test_a_scheduled_thread_keeps_the_choice_and_it_cannot_change_after_approval(cast, actor_of, too_long):
    actions.do_set_variant_thread(actor_of(cast.editor), too_long, True)
    message = too_long.message
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_schedule(actor_of(cast.lead), message, timezone.now() + timezone.timedelta(minutes=5))
    assert Variant.objects.get(pk=too_long.pk).thread
    with pytest.raises(WorkflowError):
        actions.do_set_variant_thread(actor_of(cast.editor), too_long, False)


def test_the_editor_page_with_a_too_long_channel_keeps_the_typed_text_on_check(cast, as_person, url, too_long, toot):
    data = editor_post(cast, channels=[toot], check="1")
    data["title_fi"] = "Uusi otsikko"
    page = as_person(cast.editor).post(url("message_check", pk=too_long.message_id), data).content.decode()
    assert 'value="Uusi otsikko"' in page and "Too long for Mastodon" in page
