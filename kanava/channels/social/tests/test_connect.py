"""Connecting an account with OAuth 2.0: PKCE, a state bound to the session and used once, refusals.

The flow itself is tested against the local OAuth server; the views with
X's adapter and its stand-in (any platform with an OAuth sign-in would do).
"""

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import translation

from kanava.channels.base import ChannelError
from kanava.channels.social import oauth
from kanava.channels.social.views import OAUTH_ERRORS
from kanava.core.audit import AuditEvent
from kanava.core.models import Membership
from kanava.core.roles import Role
from kanava.testing.personas import login, make_channel
from kanava.testing.platforms.x import XServer

from .conftest import OAuthAdapter


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -- the flow against a real OAuth server -------------------------------------------------------

def test_pkce_s256_is_sent_and_verified_by_the_server(cast, oauth_server, site_url):
    channel = make_channel(cast.org, "linkedin", config={"server": oauth_server.url})
    spec = OAuthAdapter(channel).oauth_spec()
    session = SessionStore()
    address = oauth.begin(session, spec, channel, next_url="/fi/", language="fi")

    query = query_of(address)
    assert address.startswith(f"{oauth_server.url}/oauth/authorize?")
    assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
    assert query["redirect_uri"] == f"{site_url}/oauth/callback/"
    pending = session[oauth.SESSION_KEY][query["state"]]
    verifier = pending["verifier"]
    assert 43 <= len(verifier) <= 128, "RFC 7636: 43 to 128 characters"
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == digest and verifier not in address

    back = requests.get(address, allow_redirects=False, timeout=10).headers["Location"]
    assert query_of(back)["state"] == query["state"]
    token = oauth.exchange_code(spec, query_of(back)["code"], verifier)
    assert oauth_server.tokens[token["access_token"]].valid()
    (exchange,) = oauth_server.requests_to("POST", r"^/oauth/token$")
    assert exchange.form()["code_verifier"] == verifier


def test_a_code_with_the_wrong_verifier_is_refused_by_the_server(cast, oauth_server, site_url):
    channel = make_channel(cast.org, "linkedin", config={"server": oauth_server.url})
    spec = OAuthAdapter(channel).oauth_spec()
    address = oauth.begin(SessionStore(), spec, channel, next_url="/", language="fi")
    back = requests.get(address, allow_redirects=False, timeout=10).headers["Location"]

    with pytest.raises(ChannelError) as caught:
        oauth.exchange_code(spec, query_of(back)["code"], "x" * 64)
    assert caught.value.permanent and "PKCE" in str(caught.value)


def test_a_state_is_taken_once_and_only_from_its_own_session(cast, oauth_server, site_url):
    channel = make_channel(cast.org, "linkedin", config={"server": oauth_server.url})
    spec = OAuthAdapter(channel).oauth_spec()
    mine, someone_elses = SessionStore(), SessionStore()
    state = query_of(oauth.begin(mine, spec, channel, next_url="/", language="fi", consent=True))["state"]

    assert oauth.take_state(someone_elses, state) is None
    taken = oauth.take_state(mine, state)
    assert taken["channel"] == channel.pk and taken["consent"] is True
    assert oauth.take_state(mine, state) is None
    assert oauth.take_state(mine, "") is None


def test_a_state_older_than_15_minutes_is_refused(cast, oauth_server, site_url):
    channel = make_channel(cast.org, "linkedin", config={"server": oauth_server.url})
    session = SessionStore()
    state = query_of(oauth.begin(session, OAuthAdapter(channel).oauth_spec(), channel, next_url="/",
                                 language="fi"))["state"]
    session[oauth.SESSION_KEY][state]["started"] -= oauth.STATE_LIFETIME + 1
    assert oauth.take_state(session, state) is None


def test_the_token_endpoint_under_load_is_a_transient_error(cast, oauth_server, site_url):
    channel = make_channel(cast.org, "linkedin", config={"server": oauth_server.url})
    oauth_server.fail_next(429, {"error": "slow_down"}, headers={"Retry-After": "30"}, path=r"^/oauth/token$")
    with pytest.raises(ChannelError) as caught:
        oauth.refresh_token(OAuthAdapter(channel).oauth_spec(), channel, "whatever")
    assert not caught.value.permanent and caught.value.retry_after == 30


def test_a_server_that_is_not_there_is_a_transient_error(cast, site_url):
    spec = oauth.OAuthSpec(authorize_url="http://127.0.0.1:9/a", token_url="http://127.0.0.1:9/t", client_id="c")
    with pytest.raises(ChannelError) as caught:
        oauth.exchange_code(spec, "code", "v" * 43)
    assert not caught.value.permanent


# -- the connect page and the callback ----------------------------------------------------------

@pytest.fixture
def x_server(settings):
    settings.SITE_URL = "https://kanava.pikkula.fi"
    with XServer() as server:
        yield server


def x_channel(organisation, server, owner=None):
    config = {k: v for k, v in server.channel_config().items() if k not in ("user_id", "username")}
    return make_channel(organisation, "x", "X" if owner is None else f"X – {owner}", config=config,
                        secrets={"client_secret": server.client_secret}, owner=owner,
                        selected_by_default=owner is None)


def start(client, channel, language="en", consent=None) -> str:
    """Press Connect on the connect page; the address of the platform's sign-in."""
    with translation.override(language):
        page = reverse("channels:connect", kwargs={"org": channel.organisation.slug, "pk": channel.pk})
    form = client.get(page)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    data = {"csrfmiddlewaretoken": token}
    if consent:
        data["consent"] = "on"
    response = client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def come_back(client, sign_in: str):
    """The person's browser at the platform, which approves and sends them back to the callback."""
    back = urlsplit(requests.get(sign_in, allow_redirects=False, timeout=10).headers["Location"])
    return back, client.get(f"{back.path}?{back.query}")


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_lead_connects_and_the_callback_goes_back_to_the_health_page(client, cast, x_server):
    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    _back, done = come_back(client, start(client, channel))

    assert done.status_code == 302
    assert done["Location"] == reverse("channels:health", kwargs={"org": cast.org.slug})
    channel.refresh_from_db()
    assert channel.account_name == "@kanavala" and channel.connected_by == cast.lead
    assert AuditEvent.objects.filter(action="channel.connected", object_id=str(channel.pk)).count() == 1
    assert shown(done) == ["X is connected."]


def test_the_same_callback_a_second_time_is_refused(client, cast, x_server):
    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    back, _done = come_back(client, start(client, channel))

    replay = client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400
    assert "expired or was already used" in replay.content.decode()
    assert len(x_server.requests_to("POST", r"^/2/oauth2/token$")) == 1


def test_a_callback_in_another_session_is_refused(client, cast, x_server):
    from django.test import Client

    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    sign_in = start(client, channel)
    back = urlsplit(requests.get(sign_in, allow_redirects=False, timeout=10).headers["Location"])
    other = Client()
    login(other, cast.admin)  # may manage channels too, but did not start this attempt

    assert other.get(f"{back.path}?{back.query}").status_code == 400
    assert x_server.requests_to("POST", r"^/2/oauth2/token$") == []
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")


def test_an_expired_attempt_is_refused_with_a_clear_message(client, cast, x_server):
    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    sign_in = start(client, channel)
    session = client.session
    pending = session[oauth.SESSION_KEY]
    for attempt in pending.values():
        attempt["started"] -= oauth.STATE_LIFETIME + 60
    session[oauth.SESSION_KEY] = pending
    session.save()

    _back, done = come_back(client, sign_in)

    assert done.status_code == 302 and done["Location"].endswith("/channels/health/")
    (message,) = shown(done)
    assert "15 minutes" in message and "again" in message
    assert x_server.requests_to("POST", r"^/2/oauth2/token$") == []
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_person_who_says_no_on_the_platform_is_told_so_in_their_language(client, cast, x_server, language):
    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    sign_in = start(client, channel, language=language)
    x_server.auto_approve = False  # the platform shows its Allow / Deny page; the person denies
    denied = requests.post(sign_in.split("?")[0], data={**query_of(sign_in), "decision": "deny"},
                           allow_redirects=False, timeout=10)
    back = urlsplit(denied.headers["Location"])
    assert query_of(denied.headers["Location"])["error"] == "access_denied"

    done = client.get(f"{back.path}?{back.query}")

    assert done["Location"] == f"/{language}/staff/{cast.org.slug}/channels/health/"
    with translation.override(language):
        expected = str(OAUTH_ERRORS["access_denied"]) % {"platform": "X", "channel": "X"}
    assert shown(done) == [expected]
    assert "access_denied" not in expected
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")


def test_an_unknown_platform_error_is_shown_with_the_platforms_description(client, cast, x_server):
    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    state = query_of(start(client, channel))["state"]
    done = client.get("/oauth/callback/?" + urlencode({"state": state, "error": "invalid_request",
                                                       "error_description": "Redirect URI mismatch"}))
    assert shown(done) == ["X was not connected: Redirect URI mismatch"]


def test_the_callback_without_signing_in_is_refused(client, cast, x_server):
    response = client.get("/oauth/callback/?code=abc&state=def")
    assert response.status_code == 400
    assert "Sign in" in response.content.decode()


def test_someone_from_another_organisation_cannot_open_the_connect_page(client, cast, x_server):
    channel = x_channel(cast.org, x_server)
    login(client, cast.outsider)
    page = reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": channel.pk})
    assert client.get(page).status_code == 404
    own_org_page = reverse("channels:connect", kwargs={"org": cast.other_org.slug, "pk": channel.pk})
    assert client.get(own_org_page).status_code == 404
    assert client.post(own_org_page).status_code == 404


def test_a_lead_cannot_connect_a_voices_personal_account(client, cast, x_server):
    personal = x_channel(cast.org, x_server, owner=cast.voice)
    login(client, cast.lead)
    page = reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": personal.pk})
    assert client.get(page).status_code == 403
    assert client.post(page, {"consent": "on"}).status_code == 403


def test_the_voice_connects_their_own_account_with_consent(client, cast, x_server):
    personal = x_channel(cast.org, x_server, owner=cast.voice)
    login(client, cast.voice)
    _back, done = come_back(client, start(client, personal, consent=True))

    assert done["Location"] == reverse("channels:my_accounts", kwargs={"org": cast.org.slug})
    personal.refresh_from_db()
    assert personal.consent_at is not None and personal.connected_by == cast.voice
    assert personal.account_name == "@kanavala"


def test_a_callback_after_the_person_lost_the_right_to_connect_is_forbidden(client, cast, x_server):
    channel = x_channel(cast.org, x_server)
    login(client, cast.lead)
    sign_in = start(client, channel)
    Membership.objects.filter(person=cast.lead, organisation=cast.org).update(role=Role.EDITOR)

    _back, done = come_back(client, sign_in)

    assert done.status_code == 403
    assert x_server.requests_to("POST", r"^/2/oauth2/token$") == []
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")
