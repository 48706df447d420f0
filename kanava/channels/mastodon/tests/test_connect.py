"""Connecting a Mastodon account from Kanava's pages: Kanava registers itself on the server, then OAuth with PKCE."""

from urllib.parse import parse_qs, urlsplit

import requests
from django.urls import reverse
from django.utils import translation

from kanava.channels.mastodon.adapter import SCOPES
from kanava.channels.social import actions as social_actions
from kanava.channels.social.adapter import Outgoing
from kanava.core.models import AuditEvent
from kanava.testing.personas import login, make_channel
from kanava.testing.platforms.mastodon import MastodonServer

from .conftest import SITE

CALLBACK = f"{SITE}/oauth/callback/"


def connect_url(cast, channel) -> str:
    with translation.override("en"):
        return reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": channel.pk})


def sign_in_on_mastodon(client, authorize_url: str, as_account: str = ""):
    """The person's browser on the Mastodon server (which approves at once) and back at Kanava's callback."""
    if as_account:
        authorize_url += f"&login_hint={as_account}"
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(f"{CALLBACK}?")
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_lead_connects_the_organisations_account_after_kanava_registers_itself_on_the_server(
        client, cast, mastodon):
    mastodon.domain = "kanavala.social"  # the server's own domain, not its web address
    channel = make_channel(cast.org, "mastodon", "Mastodon")
    login(client, cast.lead)

    response = client.post(connect_url(cast, channel), {"config_instance_url": f" {mastodon.url}/ "})
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{mastodon.url}/oauth/authorize?")
    channel.refresh_from_db()
    app = mastodon.apps[channel.config["client_id"]]
    assert (app.name, app.redirect_uris, app.scopes) == ("Kanava", [CALLBACK], SCOPES)
    assert channel.config["instance_url"] == mastodon.url
    assert channel.secrets == {"client_secret": app.client_secret}
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == [app.client_id] and query["redirect_uri"] == [CALLBACK]
    assert query["scope"][0].split() == SCOPES and query["code_challenge_method"] == ["S256"]

    assert sign_in_on_mastodon(client, authorize).status_code == 302
    channel.refresh_from_db()
    assert channel.account_name == "@kanavala@kanavala.social"
    assert channel.account_url == f"{mastodon.url}/@kanavala"
    assert channel.connected_by == cast.lead and channel.last_error == ""
    assert channel.token_expires_at is None and "refresh_token" not in channel.secrets
    assert channel.platform_state["limits"]["max_characters"] == 500
    token = channel.secrets["access_token"]
    assert mastodon.tokens[token].account == "kanavala" and mastodon.tokens[token].scopes == SCOPES
    exchange = parse_qs(mastodon.requests_to("POST", r"^/oauth/token$")[0].body.decode())
    assert exchange["code_verifier"] and exchange["client_secret"] == [app.client_secret]
    assert AuditEvent.objects.filter(action="channel.connected", organisation=cast.org).exists()
    ref = channel.adapter.post(Outgoing(text="Yhdistetty.", index=0, total=1, key="k", language="fi"))
    assert mastodon.find_post(ref.id).account == "kanavala"


def test_connecting_again_reuses_the_app_and_a_new_server_address_registers_kanava_there(client, cast, mastodon):
    channel = make_channel(cast.org, "mastodon", "Mastodon")
    login(client, cast.lead)
    client.post(connect_url(cast, channel), {"config_instance_url": mastodon.url})
    again = client.post(connect_url(cast, channel), {"config_instance_url": mastodon.url})
    assert again.status_code == 302
    assert len(mastodon.requests_to("POST", r"^/api/v1/apps$")) == 1

    with MastodonServer() as other:
        moved = client.post(connect_url(cast, channel), {"config_instance_url": f"{other.url}/@pikkula"})
        assert moved["Location"].startswith(f"{other.url}/oauth/authorize?")
        channel.refresh_from_db()
        assert channel.config["client_id"] in other.apps and channel.config["client_id"] not in mastodon.apps
        assert sign_in_on_mastodon(client, moved["Location"], as_account="pikkula").status_code == 302
    channel.refresh_from_db()
    assert channel.account_name == f"@pikkula@{other.local_domain}"


def test_a_wrong_server_address_is_explained_on_the_connect_page(client, cast, mastodon):
    channel = make_channel(cast.org, "mastodon", "Mastodon")
    login(client, cast.lead)

    with translation.override("en"):
        plain = client.post(connect_url(cast, channel), {"config_instance_url": "http://mastodon.example"})
        nobody = client.post(connect_url(cast, channel), {"config_instance_url": "http://127.0.0.1:9"})

    assert plain.status_code == 200
    assert "Enter the server address as https://server.example" in plain.content.decode()
    assert nobody.status_code == 200
    assert "Could not reach http://127.0.0.1:9 to register Kanava" in nobody.content.decode()
    channel.refresh_from_db()
    assert not channel.secrets and mastodon.requests_to("POST", r"^/api/v1/apps$") == []


def test_a_voice_connects_their_own_account_with_consent_and_it_is_named_after_them(
        client, cast, actor_of, mastodon, channel):
    mastodon.account("ville", "Ville Voice")
    personal = social_actions.do_add_personal_channel(actor_of(cast.voice), cast.org, "mastodon")
    assert personal.config["instance_url"] == mastodon.url
    login(client, cast.voice)

    refused = client.post(connect_url(cast, personal), {"config_instance_url": mastodon.url})
    assert refused.status_code == 200, "consent first"
    response = client.post(connect_url(cast, personal), {"config_instance_url": mastodon.url, "consent": "on"})
    assert sign_in_on_mastodon(client, response["Location"], as_account="ville").status_code == 302

    personal.refresh_from_db()
    assert personal.account_name == f"@ville@{mastodon.local_domain}" and personal.consent_at
    assert personal.owner == cast.voice
    ref = personal.adapter.post(Outgoing(text="Terveisiä kunnanjohtajalta.", index=0, total=1, key="v", language="fi"))
    assert mastodon.find_post(ref.id).account == "ville"


def test_an_app_registered_before_the_inbox_scopes_is_registered_again_when_reconnecting(client, cast, mastodon):
    from kanava.testing.platforms.mastodon import App

    old_scopes = ["read:accounts", "read:statuses", "write:statuses", "write:media"]
    mastodon.apps["old-client"] = App("old-client", "old-secret", "Kanava", [CALLBACK], old_scopes)
    channel = make_channel(cast.org, "mastodon", "Mastodon",
                           config={"instance_url": mastodon.url, "client_id": "old-client"},
                           secrets={"client_secret": "old-secret"})
    channel.platform_state = {"app": {"instance": mastodon.url, "redirect_uri": CALLBACK, "client_id": "old-client"}}
    channel.save(update_fields=["platform_state"])
    login(client, cast.lead)

    response = client.post(connect_url(cast, channel), {"config_instance_url": mastodon.url})

    channel.refresh_from_db()
    assert channel.config["client_id"] != "old-client"
    assert mastodon.apps[channel.config["client_id"]].scopes == SCOPES
    assert sign_in_on_mastodon(client, response["Location"]).status_code == 302
    channel.refresh_from_db()
    assert mastodon.tokens[channel.secrets["access_token"]].scopes == SCOPES
