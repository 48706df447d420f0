"""A voice's own pages: what waits for their approval, its preview, their accounts; and who sees nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from kanava.channels.models import Channel
from kanava.core.models import AuditEvent
from kanava.publishing import actions
from kanava.publishing.models import Message, Variant
from kanava.publishing.tests.conftest import BILINGUAL, png_bytes
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer

State = Message.State


@pytest.fixture(scope="module")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server, settings):
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture
def personal(cast, mastodon):
    return make_channel(cast.org, "mastodon", "Villen Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets("ville"), owner=cast.voice, selected_by_default=False,
                        account_name=f"@ville@{mastodon.local_domain}", consent_at=timezone.now())


@pytest.fixture
def channels_url(cast):
    def build(name, org=None, **kwargs):
        with translation.override("en"):
            return reverse(f"channels:{name}", kwargs={"org": (org or cast.org).slug, **kwargs})

    return build


@pytest.fixture
def waiting(cast, actor_of, website, personal):
    """A message the team prepared in the director's name, for their account and the website, in review."""

    def make(channels=None, thread_text=None):
        message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, topic=cast.topic,
                                            voice=cast.voice, channels=channels or [personal, website])
        upload = SimpleUploadedFile("kartta.png", png_bytes(), "image/png")
        actions.do_add_image(actor_of(cast.editor), message, upload, {"fi": "Kartta katkosalueesta",
                                                                      "sv": "Karta över området"})
        if thread_text:
            variant = Variant.objects.get(message=message, channel=personal, language="fi")
            actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=thread_text)
            actions.do_set_variant_thread(actor_of(cast.editor), variant, True)
        actions.do_submit_for_review(actor_of(cast.editor), message)
        return message

    return make


VOICE_PAGES = ("message_voice", "message_voice_approve", "message_voice_reject", "message_voice_publish",
               "message_voice_schedule")
LONG = " ".join(f"Kirkkotien vesijohto uusitaan osuudella {i}." for i in range(1, 31))


def test_the_list_shows_what_waits_for_the_voice_and_how_to_write_themselves(
        cast, as_person, url, waiting, actor_of):
    mine = waiting()
    not_mine = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL)
    actions.do_submit_for_review(actor_of(cast.editor), not_mine)
    page = as_person(cast.voice).get(url("voice_inbox")).content.decode()
    assert url("message_voice", pk=mine.pk) in page
    assert url("message_voice", pk=not_mine.pk) not in page
    assert f'{url("message_create")}?voice={cast.voice.pk}' in page
    assert "Villen Mastodon (your account)" in page


def test_only_a_voice_signed_in_with_two_factor_opens_the_voice_pages(cast, client, as_person, url, waiting):
    message = waiting()
    for name, kwargs in (("voice_inbox", {}), ("message_voice", {"pk": message.pk})):
        assert as_person(cast.lead).get(url(name, **kwargs)).status_code == 403
        assert as_person(cast.editor).get(url(name, **kwargs)).status_code == 403
        client.logout()
        client.force_login(cast.voice)  # signed in, but without the second factor
        response = client.get(url(name, **kwargs))
        assert response.status_code == 302 and "/two-factor/" in response["Location"]


def test_the_preview_shows_each_account_and_language_as_it_goes_out(cast, as_person, url, waiting, personal):
    message = waiting(thread_text=LONG)
    page = as_person(cast.voice).get(url("message_voice", pk=message.pk)).content.decode()

    # Their own account first, then the organisation's website.
    assert page.index("On your own accounts") < page.index("Villen Mastodon") < page.index(
        "On the organisation's channels, in your name") < page.index("Verkkosivut")
    parts = Variant.objects.get(message=message, channel=personal, language="fi")
    posts = personal.adapter.parts(parts)
    assert len(posts) > 1
    assert f"Post 1 of {len(posts)}" in page and f"Post {len(posts)} of {len(posts)}" in page
    for number, text in enumerate(posts, start=1):
        assert f" {number}/{len(posts)}" in text and text[:40] in page
    assert re.search(r"\d+ of 500 characters", page)
    assert 'alt="Kartta katkosalueesta"' in page and "Alternative text: Kartta katkosalueesta" in page
    assert 'alt="Karta över området"' in page
    assert ">Approve<" in page and "Ask for changes" in page and ">Publish now<" not in page


def test_after_approving_a_post_for_their_own_account_the_voice_publishes_it_from_the_phone(
        cast, as_person, url, waiting, personal):
    message = waiting(channels=[personal])
    client = as_person(cast.voice)
    response = client.post(url("message_voice_approve", pk=message.pk), follow=True)
    page = response.content.decode()
    assert "You approved the post. It goes only to your own accounts" in page
    assert url("message_voice_publish", pk=message.pk) in page and url("message_voice_schedule", pk=message.pk) in page
    assert Message.objects.get(pk=message.pk).state == State.APPROVED

    client.post(url("message_voice_publish", pk=message.pk))
    message.refresh_from_db()
    assert message.state == State.PUBLISHING
    assert AuditEvent.objects.get(action="message.published").actor == cast.voice


def test_a_post_also_for_the_organisation_waits_for_the_lead_after_the_voice_approves(
        cast, as_person, url, waiting):
    message = waiting()
    page = as_person(cast.voice).post(url("message_voice_approve", pk=message.pk), follow=True).content.decode()
    assert "It still needs a communications lead&#x27;s approval." in page
    assert url("message_voice_publish", pk=message.pk) not in page
    response = as_person(cast.voice).post(url("message_voice_publish", pk=message.pk), follow=True)
    assert "You are not allowed to publish this message." in response.content.decode()
    assert Message.objects.get(pk=message.pk).state == State.IN_REVIEW


def test_scheduling_keeps_the_typed_time_when_it_is_in_the_past(cast, as_person, url, waiting, personal):
    message = waiting(channels=[personal])
    client = as_person(cast.voice)
    client.post(url("message_voice_approve", pk=message.pk))
    page = client.post(url("message_voice_schedule", pk=message.pk), {"when": "2001-02-03T04:05"}).content.decode()
    assert "Choose a time in the future." in page and 'value="2001-02-03T04:05"' in page
    later = (timezone.localtime(timezone.now(), cast.org.tz) + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(url("message_voice_schedule", pk=message.pk), {"when": later})
    assert Message.objects.get(pk=message.pk).state == State.SCHEDULED


def test_asking_for_changes_needs_a_reason_and_keeps_what_was_typed(cast, as_person, url, waiting):
    message = waiting()
    client = as_person(cast.voice)
    page = client.post(url("message_voice_reject", pk=message.pk), {"reason": "   "}).content.decode()
    assert "Say what should be changed, so the team can fix it." in page
    assert Message.objects.get(pk=message.pk).state == State.IN_REVIEW

    response = client.post(url("message_voice_reject", pk=message.pk), {"reason": "Lisää kiitos asukkaille."})
    assert response.status_code == 302 and response["Location"] == url("voice_inbox")
    message.refresh_from_db()
    assert message.state == State.REJECTED and message.rejection_reason == "Lisää kiitos asukkaille."
    assert AuditEvent.objects.get(action="message.rejected").actor == cast.voice


def test_a_voice_does_not_open_messages_in_someone_elses_name(cast, as_person, url, actor_of, website):
    others = actions.do_create_message(actor_of(cast.editor), cast.org, versions=BILINGUAL, channels=[website])
    actions.do_submit_for_review(actor_of(cast.editor), others)
    client = as_person(cast.voice)
    for name in VOICE_PAGES:
        assert client.post(url(name, pk=others.pk), {"reason": "x"}).status_code == 403, name
    assert Message.objects.get(pk=others.pk).state == State.IN_REVIEW


# -- my accounts ------------------------------------------------------------------------------

def test_a_voice_sees_their_accounts_with_health_and_links_to_their_reach(
        cast, as_person, channels_url, personal, url):
    unconnected = make_channel(cast.org, "mastodon", "Villen toinen tili", owner=cast.voice)
    make_channel(cast.org, "mastodon", "Kunnan Mastodon")
    page = as_person(cast.voice).get(channels_url("my_accounts")).content.decode()
    assert "Villen Mastodon" in page and "Connected as @ville@" in page
    assert "Kunnan Mastodon" not in page
    assert channels_url("connect", pk=unconnected.pk) in page
    assert channels_url("disconnect", pk=personal.pk) in page
    assert f'{channels_url("reach")}?voice={cast.voice.pk}' in page
    assert url("voice_inbox") in page


def test_adding_an_account_needs_a_platform_and_keeps_the_typed_name(cast, as_person, channels_url, mastodon):
    make_channel(cast.org, "mastodon", "Kunnan Mastodon", config=mastodon.channel_config())
    client = as_person(cast.voice)
    page = client.post(channels_url("my_accounts"), {"kind": "", "name": "Johtaja Mastodonissa"}).content.decode()
    assert "Choose the platform of the account." in page and 'value="Johtaja Mastodonissa"' in page
    assert not Channel.objects.filter(owner=cast.voice).exists()

    response = client.post(channels_url("my_accounts"), {"kind": "mastodon", "name": "Johtaja Mastodonissa"})
    channel = Channel.objects.get(owner=cast.voice)
    assert response.status_code == 302 and response["Location"] == channels_url("connect", pk=channel.pk)
    assert channel.name == "Johtaja Mastodonissa" and channel.config["instance_url"] == mastodon.url
    connect = client.get(channels_url("connect", pk=channel.pk)).content.decode()
    assert "Your consent" in connect and "publish on it the posts you have approved yourself" in connect
    page = client.post(channels_url("connect", pk=channel.pk),
                       {"config_instance_url": mastodon.url}).content.decode()
    assert "Confirm that Kanava may publish on your account in your name." in page
    assert f'value="{mastodon.url}"' in page


def test_disconnecting_withdraws_the_voices_consent(cast, as_person, channels_url, personal):
    response = as_person(cast.voice).post(channels_url("disconnect", pk=personal.pk))
    assert response["Location"] == channels_url("my_accounts")
    personal.refresh_from_db()
    assert personal.consent_at is None and "access_token" not in personal.secrets
    assert AuditEvent.objects.get(action="channel.disconnected").actor == cast.voice


def test_nobody_but_the_voice_connects_their_account_and_only_leads_may_also_disconnect_it(
        cast, as_person, channels_url, personal):
    for person in (cast.lead, cast.admin, cast.editor):
        assert as_person(person).get(channels_url("connect", pk=personal.pk)).status_code == 403
    assert as_person(cast.editor).post(channels_url("disconnect", pk=personal.pk)).status_code == 403
    assert as_person(cast.lead).get(channels_url("my_accounts")).status_code == 403
    personal.refresh_from_db()
    assert personal.secrets.get("access_token")
    # A lead may cut the connection (the voice has left, say), never make one.
    assert as_person(cast.lead).post(channels_url("disconnect", pk=personal.pk)).status_code == 302
    personal.refresh_from_db()
    assert not personal.secrets.get("access_token")


# -- another organisation ---------------------------------------------------------------------

def test_another_organisation_gets_404_for_every_address_with_our_channels_and_messages(
        cast, as_person, url, channels_url, waiting, personal):
    from kanava.core.roles import Role
    from kanava.testing.personas import make_person

    make_person(cast.other_org, Role.VOICE, cast.outsider.email)  # a voice too, so nothing stops them earlier
    message = waiting()
    variant = message.variants.get(channel=personal, language="fi")
    client = as_person(cast.outsider)
    addresses = [channels_url(name, org=org, pk=personal.pk) for name in ("connect", "disconnect", "edit")
                 for org in (cast.org, cast.other_org)]
    addresses += [url(name, org=org, pk=message.pk) for org in (cast.org, cast.other_org) for name in VOICE_PAGES]
    addresses += [url("variant_edit", org=org, pk=message.pk, variant_pk=variant.pk)
                  for org in (cast.org, cast.other_org)]
    addresses += [url("voice_inbox"), channels_url("my_accounts")]
    for address in addresses:
        assert client.get(address).status_code in (404, 405), address
        assert client.post(address, {"choice": "thread", "reason": "x"}).status_code == 404, address
    personal.refresh_from_db()
    assert personal.secrets.get("access_token") and personal.consent_at


def test_another_organisations_personal_accounts_are_never_offered(cast, as_person, url, website):
    from kanava.core.roles import Role
    from kanava.testing.personas import make_person

    their_voice = make_person(cast.other_org, Role.VOICE, "johtaja@toinen.fi", "Toinen Johtaja")
    make_channel(cast.other_org, "mastodon", "Toisen johtajan Mastodon", owner=their_voice)
    page = as_person(cast.editor).get(url("message_create") + f"?voice={their_voice.pk}").content.decode()
    assert "Toisen johtajan Mastodon" not in page and "Toinen Johtaja" not in page

