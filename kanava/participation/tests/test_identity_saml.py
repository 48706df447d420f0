"""Strong identification: a real SAML 2.0 round trip with the local test identity provider."""

import base64
import html
import logging
import re
from datetime import date
from urllib.parse import urlencode

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kanava.core.models import AuditEvent
from kanava.participation import identify, identity, saml
from kanava.participation.manifest import Level
from kanava.participation.models import Participant
from kanava.testing.saml_idp import SamlTestIdP

NEXT = "/en/participate/"
HETU = "210281-9988"  # Nordea Demo, a test identity code


@pytest.fixture(scope="module")
def sp_keys(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sp")
    saml.make_key_pair(directory / "sp.key", directory / "sp.crt", "Kanava test SP")
    return str(directory / "sp.key"), str(directory / "sp.crt")


@pytest.fixture
def idp(settings, sp_keys, tmp_path):
    settings.SITE_URL = "http://testserver"
    settings.SUOMIFI_SP_KEY_FILE, settings.SUOMIFI_SP_CERT_FILE = sp_keys
    settings.SUOMIFI_IDP_METADATA = ""
    settings.VAR_DIR = tmp_path  # no development IdP metadata here
    with SamlTestIdP(sp_metadata=saml.metadata_xml(), directory=tmp_path / "idp") as server:
        settings.SUOMIFI_IDP_METADATA = str(server.metadata_path)
        with translation.override("en"):
            yield server


def identify_url():
    return f"{reverse('participation:identify')}?{urlencode({'level': 'strong', 'next': NEXT})}"


def log_in_at_idp(client, person="nordea") -> dict:
    """Start at Kanava, pick ``person`` at the IdP; the form fields the browser would post to the ACS."""
    started = client.post(identify_url(), {"step": "strong"})
    assert started.status_code == 302
    login_page = requests.get(started["Location"], timeout=10)
    assert login_page.status_code == 200, login_page.text
    key = re.search(r'name="key" value="([^"]+)"', login_page.text).group(1)
    answer = requests.post(login_page.url.split("/sso")[0] + "/login", data={"key": key, "person": person},
                           timeout=10)
    action = html.unescape(re.search(r'action="([^"]+)"', answer.text).group(1))
    assert action == "http://testserver/saml/acs/"
    return {name: html.unescape(value) for name, value in
            re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', answer.text)}


def test_a_resident_identifies_strongly_through_the_test_identity_provider(client, cast, idp, caplog):
    caplog.set_level(logging.DEBUG)
    page = client.get(identify_url())
    assert b"Identify with Suomi.fi" in page.content
    assert b"email-email" not in page.content  # a code is not enough here

    fields = log_in_at_idp(client)
    done = client.post("/saml/acs/", fields)
    assert done.status_code == 302 and done["Location"] == NEXT
    participant = Participant.objects.get(organisation=cast.org)
    assert participant.strong_id_digest == identity.digest("hetu", HETU)
    assert participant.birth_date == date(1981, 2, 21)
    assert participant.name == "Demo Nordea"
    assert participant.home_municipality == "091"
    assert participant.strong_verified_at is not None
    assert client.session[identity.SESSION_KEY][str(cast.org.pk)]["level"] == Level.STRONG
    assert HETU not in caplog.text
    assert not any(HETU in str(event.data) or HETU in event.object_repr for event in AuditEvent.objects.all())


def test_the_same_person_is_the_same_participant_next_time(client, cast, idp):
    client.post("/saml/acs/", log_in_at_idp(client))
    second = Client()
    second.post("/saml/acs/", log_in_at_idp(second))
    assert Participant.objects.filter(organisation=cast.org).count() == 1


def test_the_assertion_comes_encrypted_like_suomi_fi_sends_it(client, cast, idp):
    fields = log_in_at_idp(client)
    document = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "EncryptedAssertion" in document and HETU not in document
    assert client.post("/saml/acs/", fields).status_code == 302


def test_a_tampered_response_is_refused(client, cast, idp):
    idp.encrypt = False  # to change a signed attribute value in place
    fields = log_in_at_idp(client)
    document = base64.b64decode(fields["SAMLResponse"]).decode()
    assert "091" in document
    forged = document.replace(">091<", ">049<")
    refused = client.post("/saml/acs/", {**fields, "SAMLResponse": base64.b64encode(forged.encode()).decode()})
    assert refused.status_code == 400
    assert b"Identification did not succeed" in refused.content
    assert not Participant.objects.exists()
    assert identity.SESSION_KEY not in client.session


def test_a_replayed_response_is_refused(client, cast, idp):
    fields = log_in_at_idp(client)
    assert client.post("/saml/acs/", fields).status_code == 302
    client.post(reverse("participation:my_data"), {"do": "sign_out"})

    again = client.post("/saml/acs/", {**fields, "bounced": "1"})
    assert again.status_code == 400
    # Even in a session that is waiting for an answer, an old response answers another request.
    client.post(identify_url(), {"step": "strong"})
    stale = client.post("/saml/acs/", fields)
    assert stale.status_code == 400
    assert identity.SESSION_KEY not in client.session or not client.session[identity.SESSION_KEY]


def test_a_response_for_another_audience_is_refused(client, cast, idp):
    idp.audience = "https://other-service.example/saml/metadata/"
    refused = client.post("/saml/acs/", log_in_at_idp(client))
    assert refused.status_code == 400
    assert not Participant.objects.exists()


def test_an_expired_assertion_is_refused(client, cast, idp):
    idp.expired = True
    refused = client.post("/saml/acs/", log_in_at_idp(client))
    assert refused.status_code == 400
    assert not Participant.objects.exists()


def test_an_answer_posted_without_the_session_cookie_is_posted_again_from_our_page(client, cast, idp):
    fields = log_in_at_idp(client)
    cookieless = Client()
    bounce = cookieless.post("/saml/acs/", fields)
    assert bounce.status_code == 200
    assert b'name="bounced" value="1"' in bounce.content
    reposted = {name: html.unescape(value) for name, value in
                re.findall(r'name="(SAMLResponse|RelayState|bounced)" value="([^"]*)"', bounce.content.decode())}
    done = client.post("/saml/acs/", reposted)
    assert done.status_code == 302 and done["Location"] == NEXT


def test_our_metadata_says_requests_are_signed_and_where_answers_go(client, idp):
    response = client.get("/saml/metadata/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'entityID="http://testserver/saml/metadata/"' in text
    assert 'AuthnRequestsSigned="true"' in text
    assert 'WantAssertionsSigned="true"' in text
    assert "http://testserver/saml/acs/" in text
    assert "urn:oid:1.2.246.21" in text


def test_strong_identification_is_not_offered_when_not_configured(client, cast, settings, tmp_path):
    settings.SUOMIFI_IDP_METADATA = ""
    settings.VAR_DIR = tmp_path
    with translation.override("en"):
        page = client.get(identify_url())
    assert b"Identify with Suomi.fi" not in page.content
    assert b"not available at the moment" in page.content


@pytest.mark.parametrize("code,born", [
    ("210281-9988", date(1981, 2, 21)),
    ("150515A940W", date(2015, 5, 15)),
    ("010150-960A", date(1950, 1, 1)),
    ("010100+123H", None),
    ("210281-9989", None),
    ("<script>", None),
])
def test_the_birth_date_is_read_from_a_checked_identity_code(code, born):
    if born is None:
        with pytest.raises(ValueError):
            identify.hetu_birth_date(code)
    else:
        assert identify.hetu_birth_date(code) == born


def test_a_response_signed_by_an_identity_provider_we_do_not_trust_is_refused(client, cast, idp, tmp_path):
    started = client.post(identify_url(), {"step": "strong"})
    idp.stop()  # an impostor at the same address and entity id, with its own key
    with SamlTestIdP(sp_metadata=saml.metadata_xml(), port=idp.port, directory=tmp_path / "rogue") as rogue:
        login_page = requests.get(started["Location"], timeout=10)
        key = re.search(r'name="key" value="([^"]+)"', login_page.text).group(1)
        answer = requests.post(f"{rogue.url}/login", data={"key": key, "person": "nordea"}, timeout=10)
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', answer.text)}
    refused = client.post("/saml/acs/", fields)
    assert refused.status_code == 400
    assert not Participant.objects.exists()


def test_age_is_counted_in_full_years_from_the_birth_date():
    person = Participant(birth_date=date(2015, 5, 15))
    assert identity.age_on(person, date(2030, 5, 14)) == 14
    assert identity.age_on(person, date(2030, 5, 15)) == 15
    assert identity.age_on(Participant(), date(2030, 5, 15)) is None
