"""Connecting a LinkedIn page, or a voice's own profile, through LinkedIn's sign-in (OAuth 2.0)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from django.urls import reverse
from django.utils import timezone, translation

from kanava.channels.linkedin.adapter import MEMBER_SCOPES, ORGANIZATION_SCOPES
from kanava.channels.social import actions as social_actions
from kanava.channels.social.adapter import Outgoing
from kanava.channels.social.health import check_channel
from kanava.testing.personas import login, make_channel


def connect_url(cast, channel) -> str:
    with translation.override("en"):
        return reverse("channels:connect", kwargs={"org": cast.org.slug, "pk": channel.pk})


def sign_in_on_linkedin(client, authorize_url: str, settings, as_account: str = ""):
    """The person's browser at LinkedIn (which approves at once) and back at Kanava's callback."""
    if as_account:
        authorize_url += f"&login_hint={as_account}"
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = answer.headers["Location"]
    assert back.startswith(settings.SITE_URL.rstrip("/") + "/oauth/callback/?")
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


#: What a browser sends when the Connect button is pressed (the form has no other field for a page).
BUTTON = {"csrfmiddlewaretoken": "from-the-page"}


def app_channel(cast, linkedin, **config):
    return make_channel(cast.org, "linkedin", "LinkedIn",
                        config={**linkedin.channel_config(organization=False), **config},
                        secrets={"client_secret": linkedin.client_secret})


def test_a_lead_connects_the_page_they_administer_and_its_expiry_times_are_kept(client, cast, linkedin, settings):
    linkedin.add_organization("Toisen kunnan sivu", "toinen", admins=["someone-else"])
    channel = app_channel(cast, linkedin)
    login(client, cast.lead)

    response = client.post(connect_url(cast, channel), BUTTON)
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{linkedin.url}/oauth/v2/authorization?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"][0].split() == ORGANIZATION_SCOPES
    assert query["client_id"] == [linkedin.client_id] and "code_challenge" not in query
    before = timezone.now()
    assert sign_in_on_linkedin(client, authorize, settings).status_code == 302

    channel.refresh_from_db()
    assert channel.account_name == "Kanavalan kunta"
    assert channel.account_url == f"{linkedin.url}/company/kanavala/"
    assert channel.config["organization_id"] == linkedin.organization_id
    assert channel.connected_by == cast.lead and channel.last_error == ""
    assert before + timedelta(days=60) <= channel.token_expires_at <= timezone.now() + timedelta(days=60)
    assert before + timedelta(days=365) <= channel.refresh_expires_at <= timezone.now() + timedelta(days=365)
    assert channel.secrets["refresh_token"] and channel.secrets["client_secret"] == linkedin.client_secret
    exchange = parse_qs(linkedin.requests_to("POST", r"^/oauth/v2/accessToken$")[0].body.decode())
    assert exchange["client_secret"] == [linkedin.client_secret] and "code_verifier" not in exchange
    ref = channel.adapter.post(Outgoing(text="Yhdistetty.", index=0, total=1, key="k"))
    assert linkedin.posts[-1].author == f"urn:li:organization:{linkedin.organization_id}" and ref.id


def test_a_page_the_person_does_not_administer_is_not_connected(client, cast, linkedin, settings):
    other = linkedin.add_organization("Toisen kunnan sivu", "toinen", admins=["someone-else"])
    channel = app_channel(cast, linkedin, organization_id=other.id)
    login(client, cast.lead)

    authorize = client.post(connect_url(cast, channel), BUTTON)["Location"]
    response = sign_in_on_linkedin(client, authorize, settings)

    channel.refresh_from_db()
    assert not channel.secrets.get("access_token") and channel.account_name == ""
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(f"not an administrator of the page {other.id}" in m for m in messages)


def test_a_voice_connects_their_own_profile_and_posts_appear_in_their_name(client, cast, actor_of, linkedin,
                                                                           settings):
    app_channel(cast, linkedin)
    linkedin.add_member("director", "Ville Voice")
    channel = social_actions.do_add_personal_channel(actor_of(cast.voice), cast.org, "linkedin")
    login(client, cast.voice)

    authorize = client.post(connect_url(cast, channel), {**BUTTON, "consent": "on"})["Location"]
    assert parse_qs(urlsplit(authorize).query)["scope"][0].split() == MEMBER_SCOPES
    assert sign_in_on_linkedin(client, authorize, settings, as_account="director").status_code == 302

    channel.refresh_from_db()
    assert channel.account_name == "Ville Voice" and channel.consent_at is not None
    assert "organization_id" not in channel.config
    assert channel.platform_state["member_id"] == linkedin.member("director").sub
    channel.adapter.post(Outgoing(text="Terveisiä kunnanjohtajalta!", index=0, total=1, key="k"))
    assert linkedin.posts[-1].author == linkedin.person_urn("director")
    assert linkedin.requests_to("GET", r"^/rest/organizationAcls$") == []


def test_the_health_check_notices_when_the_person_no_longer_administers_the_page(cast, linkedin, page):
    assert check_channel(page).status == "ok"

    linkedin.organizations[linkedin.organization_id].admins = []
    health = check_channel(page)

    assert health.status == "broken"
    assert "no longer administers the page" in page.last_error
