"""Shared pieces of the social foundation's tests: a real local OAuth 2.0 server and an adapter using it."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kanava.channels.social import oauth
from kanava.channels.social.adapter import SocialAdapter
from kanava.testing.personas import make_channel
from kanava.testing.platforms.base import PlatformServer, Response


class OAuthServer(PlatformServer):
    """Only the OAuth 2.0 provider of :class:`PlatformServer` (authorisation, PKCE S256, rotating refresh
    tokens), and "who am I" so a connection can be verified."""

    routes = [("GET", r"^/me$", "me")]
    token_lifetime = 3600
    refresh_lifetime = None

    def me(self, request) -> Response:
        return Response(200, {"id": "42", "name": request.token.account})


class OAuthAdapter(SocialAdapter):
    """The generic parts of SocialAdapter (OAuth refresh, verification) against :class:`OAuthServer`.

    ``channel.config["server"]`` is the server's address.  Used on a channel of
    a real kind so labels and the registry work; only the hooks the tests need.
    """

    def oauth_spec(self):
        base = self.channel.config["server"]
        return oauth.OAuthSpec(authorize_url=f"{base}/oauth/authorize", token_url=f"{base}/oauth/token",
                               client_id=OAuthServer.client_id, client_secret=OAuthServer.client_secret,
                               scopes=["publish"], pkce=True)

    def verify(self) -> None:
        import requests

        from kanava.channels.social.errors import error_for

        answer = requests.get(f"{self.channel.config['server']}/me", timeout=10,
                              headers={"Authorization": f"Bearer {self.secrets.get('access_token', '')}"})
        if answer.status_code != 200:
            raise error_for(self.channel, answer.status_code, answer.headers, answer.text)


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """Requests to /en/... leave English active in this thread (LocaleMiddleware): put back what was there."""
    previous = translation.get_language()
    yield
    translation.activate(previous)


@pytest.fixture
def oauth_server():
    with OAuthServer() as server:
        yield server


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://kanava.pikkula.fi"
    return settings.SITE_URL


def token_channel(organisation, server, *, expires_in: timedelta, kind: str = "linkedin", refresh: bool = True,
                  **extra):
    """A channel whose access token (issued by ``server``) expires in ``expires_in``."""
    secrets = {"access_token": server.issue_token("kanavala", lifetime=max(1, int(expires_in.total_seconds())))}
    if refresh:
        secrets["refresh_token"] = server.issue_refresh_token("kanavala", ["publish"])
    return make_channel(organisation, kind, extra.pop("name", kind.title()), config={"server": server.url},
                        secrets=secrets, account_name="@kanavala", token_expires_at=timezone.now() + expires_in,
                        **extra)


@pytest.fixture
def client():
    """A browser that asks for English where the address has no language (the OAuth callback)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording (the Finnish and Swedish catalogues are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield
