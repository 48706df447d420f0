"""Identification by an SMS code through the organisation's SMS channel (the gateway stand-in)."""

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from kanava.participation import identity
from kanava.participation.manifest import Level
from kanava.participation.models import Participant
from kanava.testing.personas import make_channel
from kanava.testing.sms_gateway import SmsGateway

NEXT = "/en/participate/"
PHONE = "+358401234567"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def gateway():
    with SmsGateway() as server:
        yield server


@pytest.fixture
def sms_channel(cast, gateway):
    return make_channel(cast.org, "sms", "Tekstiviesti", config=gateway.channel_config(sender="Pikkula"),
                        secrets=gateway.channel_secrets())


def identify_url(level="sms"):
    return f"{reverse('participation:identify')}?{urlencode({'level': level, 'next': NEXT})}"


def texted_code(gateway) -> str:
    return re.search(r"\b(\d{6})\b", gateway.messages_to(PHONE)[-1].text).group(1)


def test_a_resident_confirms_a_phone_with_an_sms_code(client, cast, gateway, sms_channel):
    page = client.get(identify_url())
    assert b"sms-phone" in page.content and b"email-email" not in page.content

    sent = client.post(identify_url(), {"step": "sms", "sms-phone": "040 123 4567"})
    assert sent.status_code == 302
    code = texted_code(gateway)
    assert "15 minutes" in gateway.messages_to(PHONE)[-1].text

    done = client.post(identify_url(), {"step": "code", "code-code": code})
    assert done.status_code == 302 and done["Location"] == NEXT
    participant = Participant.objects.get(organisation=cast.org)
    assert participant.phone == PHONE and participant.phone_verified_at is not None
    assert participant.phone_digest == identity.digest("sms", PHONE)
    assert client.session[identity.SESSION_KEY][str(cast.org.pk)]["level"] == Level.SMS


def test_an_sms_code_also_satisfies_an_email_level(client, cast, gateway, sms_channel):
    page = client.get(identify_url(level="email"))
    assert b"sms-phone" in page.content and b"email-email" in page.content


def test_a_replayed_sms_code_is_refused_with_a_clear_error(client, cast, gateway, sms_channel):
    client.post(identify_url(), {"step": "sms", "sms-phone": PHONE})
    code = texted_code(gateway)
    pending = dict(client.session["participation_identify"])
    client.post(identify_url(), {"step": "code", "code-code": code})

    attacker = client.__class__()
    session = attacker.session
    session["participation_identify"] = pending
    session.save()
    replayed = attacker.post(identify_url(), {"step": "code", "code-code": code})
    assert replayed.status_code == 400
    assert b"already been used" in replayed.content
    assert identity.SESSION_KEY not in attacker.session


def test_sms_is_not_offered_without_an_sms_channel(client, cast):
    page = client.get(identify_url())
    assert b"sms-phone" not in page.content
    assert b"not available at the moment" in page.content
    forced = client.post(identify_url(), {"step": "sms", "sms-phone": PHONE})
    assert forced.status_code == 400


def test_a_landline_is_refused_and_kept_in_the_form(client, cast, gateway, sms_channel):
    page = client.post(identify_url(), {"step": "sms", "sms-phone": "09 310 1641"})
    assert page.status_code == 400
    assert b"09 310 1641" in page.content
    assert not gateway.messages_to("+35893101641")


def test_sms_codes_to_one_number_are_limited(client, cast, gateway, sms_channel, settings):
    settings.PARTICIPATION_CODES_PER_TARGET = 1
    assert client.post(identify_url(), {"step": "sms", "sms-phone": PHONE}).status_code == 302
    client.post(identify_url(), {"step": "again"})
    limited = client.post(identify_url(), {"step": "sms", "sms-phone": PHONE})
    assert limited.status_code == 400 and b"Too many codes" in limited.content
    assert len(gateway.messages_to(PHONE)) == 1


def test_a_gateway_failure_is_told_and_the_code_cannot_be_used(client, cast, gateway, sms_channel):
    gateway.fail(times=10)
    failed = client.post(identify_url(), {"step": "sms", "sms-phone": PHONE})
    assert failed.status_code == 400 and b"could not send the code" in failed.content
    assert "participation_identify" not in client.session
