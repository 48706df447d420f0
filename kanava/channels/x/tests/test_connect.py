"""Connecting an X account through Kanava's connect page and X's OAuth 2.0 with PKCE."""

import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kanava.core.audit import AuditEvent
from kanava.testing.personas import login, make_channel


def press_connect(client, page):
    """What the browser sends: the connect page's form, with its CSRF token."""
    form = client.get(page)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    return client.post(page, {"csrfmiddlewaretoken": token})


def unconnected(cast, server):
    """An X channel with the app's settings (client id and secret) but no account yet."""
    config = {k: v for k, v in server.channel_config().items() if k not in ("user_id", "username")}
    return make_channel(cast.org, "x", "X", config=config, secrets={"client_secret": server.client_secret})


def test_a_lead_connects_the_x_account_through_xs_sign_in_with_pkce(client, cast, x_server):
    channel = unconnected(cast, x_server)
    login(client, cast.lead)
    page = reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": channel.pk})
    health = reverse("channels:health", kwargs={"org": cast.org.slug})  # in the same language as the page
    response = press_connect(client, page)
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{x_server.url}/i/oauth2/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert query["client_id"] == x_server.client_id
    assert query["scope"].split() == ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access",
                                      "tweet.moderate.write", "block.write", "dm.read", "dm.write"]
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"{settings.SITE_URL}/oauth/callback/"

    # The lead's browser at X, which approves at once and sends them back to Kanava.
    approved = requests.get(authorize, allow_redirects=False, timeout=10)
    assert approved.status_code == 302
    back = urlsplit(approved.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{settings.SITE_URL}/oauth/callback/"
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302
    assert done["Location"] == health

    (exchange,) = x_server.requests_to("POST", r"^/2/oauth2/token$")
    form = exchange.form()
    assert form["grant_type"] == "authorization_code"
    digest = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"].encode()).digest()).rstrip(b"=")
    assert digest.decode() == query["code_challenge"]
    assert exchange.headers["authorization"].startswith("Basic ") and "client_secret" not in form

    channel.refresh_from_db()
    user = x_server.user("kanavala")
    assert channel.account_name == "@kanavala"
    assert channel.account_url == f"{x_server.url}/kanavala"
    assert channel.config["user_id"] == user.id and channel.config["username"] == "kanavala"
    assert x_server.tokens[channel.secrets["access_token"]].valid()
    assert channel.secrets["refresh_token"] in x_server.refresh_tokens
    assert channel.secrets["client_secret"] == x_server.client_secret
    assert timezone.now() + timedelta(minutes=115) < channel.token_expires_at < timezone.now() + timedelta(hours=2)
    assert channel.connected_by == cast.lead
    assert AuditEvent.objects.filter(action="channel.connected", organisation=cast.org).exists()
    assert requests.get(channel.account_url, timeout=10).status_code == 200, "the account link works"

    channel.adapter.verify()


def test_a_refused_sign_in_leaves_the_channel_unconnected(client, cast, x_server):
    channel = unconnected(cast, x_server)
    x_server.client_secret = "the app's secret was changed on X"
    login(client, cast.lead)
    response = press_connect(client, reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": channel.pk}))
    approved = requests.get(response["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(approved.headers["Location"])
    done = client.get(f"{back.path}?{back.query}")

    shown = [str(m) for m in get_messages(done.wsgi_request)]
    assert len(shown) == 1 and "X was not connected" in shown[0] and "unauthorized_client" not in shown[0]
    channel.refresh_from_db()
    assert not channel.secrets.get("access_token")
    assert channel.account_name == ""
