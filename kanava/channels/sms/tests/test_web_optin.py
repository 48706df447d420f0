"""Starting and stopping SMS news with the web form and a code sent by SMS."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.audience.models import Subscriber
from kanava.channels.sms.models import PhoneVerification
from kanava.core.models import AuditEvent

SUBSCRIBE = "/en/channels/sms/subscribe/"
UNSUBSCRIBE = "/en/channels/sms/unsubscribe/"
PHONE = "+358401234567"


def code_sent_to(gateway, number: str) -> str:
    texts = [r.text for r in gateway.messages_to(number)]
    assert texts, f"no SMS to {number}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def ask_code(client, **fields):
    data = {"phone": "040 123 4567", "language": "fi", "scope": "all", "consent": "on", **fields}
    return client.post(SUBSCRIBE, data)


def test_a_resident_subscribes_with_the_code_sent_to_their_phone(client, cast, gateway, sms_channel):
    page = client.get(SUBSCRIBE)
    assert page.status_code == 200 and 'name="phone"' in page.content.decode()

    response = ask_code(client, language="sv", scope="chosen", topics=[cast.topic.pk])
    verification = PhoneVerification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/channels/sms/confirm/{verification.token}/"
    code = code_sent_to(gateway, PHONE)
    assert gateway.messages_to(PHONE)[0].sender == "Pikkula"
    assert code not in (verification.code_hash, verification.token), "only a keyed hash of the code is kept"

    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302 and response["Location"] == "/en/channels/sms/done/subscribed/"
    subscriber = Subscriber.objects.get(organisation=cast.org, kind="sms")
    assert (subscriber.address, subscriber.state, subscriber.language, subscriber.source) == (
        PHONE, "confirmed", "sv", "web")
    assert not subscriber.all_topics and list(subscriber.topics.all()) == [cast.topic]
    assert subscriber.consent_ip == "127.0.0.1"
    event = AuditEvent.objects.get(action="subscriber.confirmed")
    assert event.organisation == cast.org and event.data["source"] == "web"
    assert client.get(response["Location"]).status_code == 200


def test_a_wrong_code_is_refused_and_five_wrong_codes_end_the_attempt(client, cast, gateway, sms_channel):
    confirm = ask_code(client)["Location"]
    code = code_sent_to(gateway, PHONE)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    response = client.post(confirm, {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right." in response.content.decode()
    assert f'value="{wrong}"' in response.content.decode()
    for _attempt in range(4):
        client.post(confirm, {"code": wrong})
    response = client.post(confirm, {"code": code})
    assert "Too many wrong codes." in response.content.decode()
    assert not Subscriber.objects.exists()


def test_an_expired_code_is_refused(client, cast, gateway, sms_channel):
    confirm = ask_code(client)["Location"]
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(confirm, {"code": code_sent_to(gateway, PHONE)})
    assert "This code has expired." in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_code_works_once(client, cast, gateway, sms_channel):
    confirm = ask_code(client)["Location"]
    code = code_sent_to(gateway, PHONE)
    client.post(confirm, {"code": code})
    response = client.post(confirm, {"code": code})
    assert "already been used" in response.content.decode()


@pytest.mark.parametrize("typed, error", [
    ("12345", "Enter a valid phone number"),
    ("abc", "Enter a valid phone number"),
    ("09 123 4567", "This number cannot receive text messages."),
    ("+358 800 123 456", "This number cannot receive text messages."),
])
def test_an_invalid_phone_number_gets_a_clear_error_and_keeps_what_was_typed(
        client, cast, gateway, sms_channel, typed, error):
    response = ask_code(client, phone=typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert f'value="{typed}"' in html
    assert 'aria-invalid="true"' in html
    assert gateway.records == []


def test_the_form_with_errors_is_served_in_the_language_of_its_address(client, cast, gateway, sms_channel):
    response = client.post("/sv/channels/sms/subscribe/", {"phone": "12345", "language": "sv", "consent": "on"})
    assert response.status_code == 200
    assert response["Content-Language"] == "sv"
    assert 'lang="sv"' in response.content.decode()


def test_consent_is_required(client, cast, gateway, sms_channel):
    response = ask_code(client, consent="")
    assert "Tick the box to agree to receive news by SMS." in response.content.decode()
    assert 'value="040 123 4567"' in response.content.decode()
    assert gateway.records == []


def test_choosing_topics_requires_at_least_one(client, cast, gateway, sms_channel):
    response = ask_code(client, scope="chosen")
    assert "Choose at least one topic" in response.content.decode()


def test_codes_for_one_number_are_limited(client, cast, gateway, sms_channel):
    for _request in range(3):
        assert ask_code(client).status_code == 302
    response = ask_code(client)
    assert response.status_code == 200
    assert "Too many codes were asked for." in response.content.decode()
    assert len(gateway.messages_to(PHONE)) == 3


def test_codes_from_one_address_are_limited(client, cast, gateway, sms_channel, settings):
    settings.SMS_CODES_PER_ADDRESS = 2
    assert ask_code(client, phone="0401000001").status_code == 302
    assert ask_code(client, phone="0401000002").status_code == 302
    response = ask_code(client, phone="0401000003")
    assert "Too many codes were asked for." in response.content.decode()
    assert len(gateway.accepted) == 2


def test_a_gateway_failure_is_explained_and_keeps_the_form(client, cast, gateway, sms_channel):
    gateway.fail(times=1)
    response = ask_code(client)
    assert response.status_code == 200
    assert "We could not send the code." in response.content.decode()
    assert 'value="040 123 4567"' in response.content.decode()


def test_without_an_sms_channel_the_page_says_so(client, cast):
    response = client.get(SUBSCRIBE)
    assert response.status_code == 200
    assert "SMS subscriptions are not available" in response.content.decode()
    assert 'name="phone"' not in response.content.decode()
    assert client.post(SUBSCRIBE, {"phone": "0401234567", "consent": "on"}).status_code == 200


def test_a_subscriber_stops_with_a_code(client, cast, gateway, sms_channel, subscribe):
    subscribe(PHONE)
    response = client.post(UNSUBSCRIBE, {"phone": "+358 40 123 4567"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": code_sent_to(gateway, PHONE)})
    assert response["Location"] == "/en/channels/sms/done/unsubscribed/"
    subscriber = Subscriber.objects.get(address=PHONE)
    assert subscriber.state == "unsubscribed" and subscriber.unsubscribed_at
    assert AuditEvent.objects.filter(action="subscriber.unsubscribed", object_id=str(subscriber.pk)).exists()


def test_stopping_a_number_that_is_not_subscribed_reveals_nothing_and_sends_nothing(
        client, cast, gateway, sms_channel):
    response = client.post(UNSUBSCRIBE, {"phone": "0401234567"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert gateway.records == []


def test_an_unknown_confirmation_address_is_not_found(client, cast, sms_channel):
    assert client.get("/en/channels/sms/confirm/nothing-here/").status_code == 404
