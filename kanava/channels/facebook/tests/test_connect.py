"""Connecting a Facebook Page through Facebook Login, from Kanava's connect page to the callback."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from django.contrib.messages import get_messages
from django.utils import timezone

from kanava.channels.social.health import OK, check_channel
from kanava.core.models import AuditEvent
from kanava.testing.personas import login, make_channel

SIXTY_DAYS = timedelta(days=60)


def app_channel(cast, meta, kind="facebook", **config):
    """A channel with the organisation's Meta app set up (App ID and Secret), not yet connected."""
    settings = {k: v for k, v in meta.channel_config(kind).items() if k not in ("page_id", "ig_user_id")}
    return make_channel(cast.org, kind, kind.title(), config={**settings, **config},
                        secrets={"client_secret": meta.client_secret})


def sign_in(client, cast, channel, meta):
    """The lead presses Connect, Facebook's dialog (which approves at once) sends them back.

    Returns the dialog's address and Kanava's answer at the callback.
    """
    login(client, cast.lead)
    response = client.post(f"/en/staff/{cast.org.slug}/channels/{channel.pk}/connect/", {"connect": "1"})
    assert response.status_code == 302, response.content
    dialog = response["Location"]
    answer = requests.get(dialog, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/oauth/callback/"
    done = client.get(f"{back.path}?{back.query}", HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 302
    return dialog, done


def test_a_lead_connects_the_page_through_facebook_login_and_the_page_token_is_kept_for_sixty_days(
        client, cast, meta, settings):
    channel = app_channel(cast, meta)
    dialog, done = sign_in(client, cast, channel, meta)
    assert done["Location"] == f"/en/staff/{cast.org.slug}/channels/health/"

    asked = parse_qs(urlsplit(dialog).query)
    assert dialog.startswith(f"{meta.url}/v21.0/dialog/oauth?")
    assert asked["client_id"] == [meta.client_id]
    assert asked["redirect_uri"] == [f"{settings.SITE_URL}/oauth/callback/"]
    assert {"pages_manage_posts", "pages_read_engagement", "pages_show_list", "read_insights"} <= set(
        asked["scope"][0].split(","))
    channel.refresh_from_db()
    assert meta.page_tokens[channel.secrets["access_token"]] == meta.page_id, "the Page's own token posts"
    user_token = meta.tokens[channel.secrets["user_token"]]
    assert user_token.expires_at > time.time() + (SIXTY_DAYS - timedelta(minutes=5)).total_seconds()
    assert channel.config["page_id"] == meta.page_id
    assert channel.account_name == "Kanavalan kunta"
    left = channel.token_expires_at - timezone.now()
    assert SIXTY_DAYS - timedelta(minutes=5) < left <= SIXTY_DAYS, "the long-lived user token's life"
    assert channel.secrets["client_secret"] == meta.client_secret
    exchanges = [r for r in meta.log if r.path == "/v21.0/oauth/access_token"]
    assert [r.method for r in exchanges] == ["POST", "GET"]
    assert exchanges[1].query["grant_type"] == "fb_exchange_token"
    event = AuditEvent.objects.get(organisation=cast.org, action="channel.connected")
    assert event.data["account"] == "Kanavalan kunta"

    assert check_channel(channel).status == OK


def test_the_configured_page_must_be_one_the_person_manages(client, cast, meta):
    other = meta.add_page("Toinen sivu", "toinensivu", admins=["someone-else"])
    channel = app_channel(cast, meta, page_id=other.id)
    _dialog, done = sign_in(client, cast, channel, meta)

    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")
    shown = [str(m) for m in get_messages(done.wsgi_request)]
    assert any(f"does not manage the Page {other.id}" in m for m in shown)


def test_connecting_without_the_app_secret_says_what_to_enter_first(client, cast, meta):
    channel = app_channel(cast, meta)
    channel.secrets = {}
    channel.save()
    login(client, cast.lead)
    response = client.post(f"/en/staff/{cast.org.slug}/channels/{channel.pk}/connect/", {"connect": "1"})
    assert response.status_code == 200
    assert "App Secret" in response.content.decode()


def test_a_voice_connects_their_own_public_page_with_their_consent(client, cast, meta, actor_of):
    from kanava.channels.social.actions import do_add_personal_channel

    app_channel(cast, meta)  # the organisation's app, whose settings the voice's channel reuses
    channel = do_add_personal_channel(actor_of(cast.voice), cast.org, "facebook")
    own_page = meta.page_for("director")
    meta.signed_in = "director"
    login(client, cast.voice)
    response = client.post(f"/en/staff/{cast.org.slug}/channels/{channel.pk}/connect/", {"consent": "on"})
    assert response.status_code == 302
    answer = requests.get(response["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    done = client.get(f"{back.path}?{back.query}", HTTP_ACCEPT_LANGUAGE="en")

    assert done["Location"] == f"/en/staff/{cast.org.slug}/channels/mine/"
    channel.refresh_from_db()
    assert channel.config["page_id"] == own_page.id and channel.account_name == own_page.name
    assert meta.page_tokens[channel.secrets["access_token"]] == own_page.id
    assert channel.consent_at is not None and channel.owner == cast.voice
