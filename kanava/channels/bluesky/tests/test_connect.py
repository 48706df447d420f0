"""Connecting a Bluesky account on Kanava's connect page with a handle and an app password."""

from datetime import timedelta

from django.utils import timezone

from kanava.channels.models import Channel
from kanava.channels.social import actions as social_actions
from kanava.core.models import AuditEvent
from kanava.testing.personas import login, make_channel


def connect_url(channel) -> str:
    return f"/en/staff/{channel.organisation.slug}/channels/{channel.pk}/connect/"


def test_the_lead_connects_the_organisations_account_with_handle_and_app_password(client, cast, bluesky):
    channel = make_channel(cast.org, "bluesky", "Bluesky", config=bluesky.channel_config())
    account = bluesky.account("kanavala")
    login(client, cast.lead)

    page = client.get(connect_url(channel)).content.decode()
    assert "App password" in page and "Hosting provider address" in page
    response = client.post(connect_url(channel), {
        "identifier": "@kanavala.bsky.social", "password": account.app_password,
        "config_api_base_url": bluesky.url})

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.account_name == "@kanavala.bsky.social"
    assert channel.account_url == f"{bluesky.url}/profile/kanavala.bsky.social"
    assert channel.secrets["did"] == account.did and channel.secrets["handle"] == account.handle
    assert channel.secrets["pds_url"] == bluesky.url
    assert account.app_password not in str(channel.secrets)  # the session is kept, never the password
    assert timezone.now() + timedelta(minutes=110) < channel.token_expires_at < timezone.now() + timedelta(hours=3)
    assert channel.refresh_expires_at > timezone.now() + timedelta(days=80)
    assert AuditEvent.objects.filter(action="channel.connected", object_id=str(channel.pk)).exists()
    assert len(bluesky.requests_to("POST", r"createSession$")) == 1
    channel.adapter.verify()  # the stored session works without signing in again
    assert len(bluesky.requests_to("POST", r"createSession$")) == 1


def test_a_wrong_app_password_is_refused_with_the_reason_on_the_page(client, cast, bluesky):
    channel = make_channel(cast.org, "bluesky", "Bluesky", config=bluesky.channel_config())
    login(client, cast.lead)

    response = client.post(connect_url(channel), {
        "identifier": "kanavala.bsky.social", "password": "aaaa-bbbb-cccc-dddd", "config_api_base_url": bluesky.url})

    assert response.status_code == 200
    assert "did not accept this handle and app password" in response.content.decode()
    assert "Invalid identifier or password" in response.content.decode()
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")


def test_the_accounts_own_password_is_refused_and_its_session_signed_out(client, cast, bluesky):
    channel = make_channel(cast.org, "bluesky", "Bluesky", config=bluesky.channel_config())
    account = bluesky.account("kanavala")
    login(client, cast.lead)

    response = client.post(connect_url(channel), {
        "identifier": account.handle, "password": account.password, "config_api_base_url": bluesky.url})

    assert response.status_code == 200
    assert "own password" in response.content.decode()
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")
    assert bluesky.requests_to("POST", r"deleteSession$")
    assert not bluesky.refresh_tokens  # the full-access session cannot be refreshed by anyone


def test_a_voice_connects_their_own_account_only_with_their_consent(client, cast, bluesky, actor_of):
    make_channel(cast.org, "bluesky", "Bluesky", config=bluesky.channel_config())
    personal = social_actions.do_add_personal_channel(actor_of(cast.voice), cast.org, "bluesky")
    director = bluesky.account("ville-voice")
    login(client, cast.voice)
    form = {"identifier": director.handle, "password": director.app_password, "config_api_base_url": bluesky.url}

    refused = client.post(connect_url(personal), form)
    assert refused.status_code == 200 and not bluesky.requests_to("POST", r"createSession$")

    assert client.post(connect_url(personal), {**form, "consent": "on"}).status_code == 302
    personal = Channel.objects.get(pk=personal.pk)
    assert personal.owner == cast.voice and personal.consent_at is not None
    assert personal.account_name == "@ville-voice.bsky.social"
    assert personal.secrets["did"] == director.did


def test_nobody_else_may_connect_a_voices_account(client, cast, bluesky, actor_of):
    personal = social_actions.do_add_personal_channel(actor_of(cast.voice), cast.org, "bluesky",
                                                      config=bluesky.channel_config())
    login(client, cast.lead)

    assert client.get(connect_url(personal)).status_code == 403


def test_the_lead_adds_a_bluesky_channel_whose_addresses_are_checked(client, cast, bluesky):
    login(client, cast.lead)
    url = f"/en/staff/{cast.org.slug}/channels/new/bluesky/"
    page = client.get(url).content.decode()
    assert "https://bsky.social" in page and "https://bsky.app" in page

    refused = client.post(url, {"name": "Bluesky", "enabled": "on", "config_api_base_url": "bsky.social",
                                "config_web_url": "https://bsky.app", "config_timeout_seconds": "30"})
    assert "starting with https://" in refused.content.decode()
    saved = client.post(url, {"name": "Bluesky", "enabled": "on", "config_api_base_url": bluesky.url,
                              "config_web_url": bluesky.url, "config_timeout_seconds": "30"})

    assert saved.status_code == 302
    channel = Channel.objects.get(organisation=cast.org, kind="bluesky")
    assert channel.adapter.config.api_base_url == bluesky.url
    assert "not_connected" in [p.code for p in channel.adapter.validate(_variant_for(channel, cast))]


def _variant_for(channel, cast):
    from kanava.publishing.models import Message, Variant

    message = Message.objects.create(organisation=cast.org, author=cast.editor)
    return Variant(message=message, channel=channel, language="fi", text="Hei!")
