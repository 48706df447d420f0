"""Starting and stopping SMS news by sending a keyword from the phone."""

import json

import pytest

from kanava.audience.models import Subscriber
from kanava.channels.sms.hooks import sign
from kanava.channels.sms.keywords import parse
from kanava.channels.sms.tests.conftest import WEBHOOK_SECRET
from kanava.core.models import AuditEvent

PHONE = "+358401234567"


def inbound(client, channel, text, sender="040 123 4567", secret=WEBHOOK_SECRET, signature=None):
    body = json.dumps({"from": sender, "text": text}).encode()
    headers = {} if signature == "" else {"X-Kanava-Signature": signature or sign(secret, body)}
    return client.post(f"/hooks/sms/{channel.pk}/inbound", body, content_type="application/json", headers=headers)


def subscriber():
    return Subscriber.objects.get(kind="sms", address=PHONE)


@pytest.mark.parametrize("text, action, language, topic", [
    ("TILAA", "subscribe", "fi", ""),
    ("tilaa tiet", "subscribe", "fi", "tiet"),
    ("Beställ vägar!", "subscribe", "sv", "vägar"),
    ("BESTALL", "subscribe", "sv", ""),
    ("start", "subscribe", "en", ""),
    ("Subscribe", "subscribe", "en", ""),
    ("LOPETA kiitos", "stop", "fi", ""),
    ("Stopp", "stop", "sv", ""),
    ("STOP", "stop", "en", ""),
])
def test_keywords_are_read_from_the_first_word_in_any_case(text, action, language, topic):
    command = parse(text)
    assert (command.action, command.language, command.topic) == (action, language, topic)


@pytest.mark.parametrize("text", ["", "Kiitos tiedosta!", "  ", "STOPPED", "tilaan"])
def test_other_messages_are_not_commands(text):
    assert parse(text) is None


def test_tilaa_subscribes_the_number_at_once_in_finnish_and_replies(client, cast, gateway, sms_channel):
    response = inbound(client, sms_channel, "Tilaa")
    assert response.status_code == 200
    assert response.json() == {"status": "subscribed", "reply_sent": True}
    found = subscriber()
    assert (found.state, found.language, found.source, found.all_topics) == ("confirmed", "fi", "sms_keyword", True)
    assert found.confirmed_at is not None
    reply = gateway.messages_to(PHONE)
    assert len(reply) == 1 and "LOPETA" in reply[0].text
    event = AuditEvent.objects.get(action="subscriber.confirmed")
    assert event.data["source"] == "sms_keyword" and event.object_id == str(found.pk)


def test_bestall_with_a_topic_subscribes_in_swedish_to_that_topic(client, cast, gateway, sms_channel):
    assert inbound(client, sms_channel, "BESTÄLL vägar").json()["status"] == "subscribed"
    found = subscriber()
    assert found.language == "sv" and not found.all_topics
    assert list(found.topics.all()) == [cast.topic]
    assert "STOPP" in gateway.messages_to(PHONE)[0].text


def test_an_english_keyword_subscribes_in_the_majority_language_when_english_is_not_published(
        client, cast, gateway, sms_channel):
    inbound(client, sms_channel, "SUBSCRIBE")
    assert subscriber().language == "fi"
    assert "To stop, send STOP." in gateway.messages_to(PHONE)[0].text


def test_an_unknown_topic_changes_nothing_and_says_so(client, cast, gateway, sms_channel):
    assert inbound(client, sms_channel, "TILAA jalkapallo").json()["status"] == "unknown_topic"
    assert not Subscriber.objects.exists()
    assert "TILAA" in gateway.messages_to(PHONE)[0].text


def test_stop_unsubscribes_and_is_audited(client, cast, gateway, sms_channel, subscribe):
    subscribe(PHONE, "sv")
    assert inbound(client, sms_channel, "stopp").json()["status"] == "unsubscribed"
    assert subscriber().state == "unsubscribed"
    assert AuditEvent.objects.filter(action="subscriber.unsubscribed", data__source="sms_keyword").count() == 1
    assert "BESTÄLL" in gateway.messages_to(PHONE)[0].text


def test_stop_works_even_when_the_channel_is_switched_off(client, cast, gateway, sms_channel, subscribe):
    subscribe(PHONE)
    sms_channel.enabled = False
    sms_channel.save()
    assert inbound(client, sms_channel, "LOPETA").status_code == 200
    assert subscriber().state == "unsubscribed"


def test_a_message_that_is_not_a_keyword_gets_no_reply(client, cast, gateway, sms_channel):
    assert inbound(client, sms_channel, "Kiitos!").json()["status"] == "ignored"
    assert gateway.records == [] and not Subscriber.objects.exists()


def test_a_wrong_signature_is_refused(client, cast, gateway, sms_channel):
    response = inbound(client, sms_channel, "TILAA", secret="guessed")
    assert response.status_code == 403
    assert not Subscriber.objects.exists() and gateway.records == []


def test_a_missing_signature_is_refused(client, cast, gateway, sms_channel):
    assert inbound(client, sms_channel, "TILAA", signature="").status_code == 403
    assert not Subscriber.objects.exists()


def test_a_channel_without_a_webhook_secret_refuses_everything(client, cast, gateway, sms_channel):
    sms_channel.secrets = {"password": "x"}
    sms_channel.save()
    assert inbound(client, sms_channel, "TILAA", secret="").status_code == 403


def test_another_channels_secret_does_not_open_this_channel(client, cast, gateway, sms_channel):
    from kanava.testing.personas import make_channel

    theirs = make_channel(cast.other_org, "sms", "SMS", config=gateway.channel_config(),
                          secrets={"webhook_secret": "their-secret"})
    response = inbound(client, sms_channel, "TILAA", secret="their-secret")
    assert response.status_code == 403
    assert inbound(client, theirs, "TILAA", secret="their-secret").status_code == 200
    assert Subscriber.objects.get().organisation == cast.other_org


def test_a_signed_but_malformed_body_is_a_bad_request(client, cast, sms_channel):
    body = b"not json"
    response = client.post(f"/hooks/sms/{sms_channel.pk}/inbound", body, content_type="application/json",
                           headers={"X-Kanava-Signature": sign(WEBHOOK_SECRET, body)})
    assert response.status_code == 400


def test_a_signed_message_from_a_landline_is_a_bad_request(client, cast, gateway, sms_channel):
    assert inbound(client, sms_channel, "TILAA", sender="09 123 4567").status_code == 400
    assert not Subscriber.objects.exists()


def test_the_signature_may_carry_a_sha256_prefix(client, cast, gateway, sms_channel):
    body = json.dumps({"from": PHONE, "text": "TILAA"}).encode()
    response = client.post(f"/hooks/sms/{sms_channel.pk}/inbound", body, content_type="application/json",
                           headers={"X-Kanava-Signature": "sha256=" + sign(WEBHOOK_SECRET, body)})
    assert response.status_code == 200


def test_only_post_is_accepted(client, cast, sms_channel):
    assert client.get(f"/hooks/sms/{sms_channel.pk}/inbound").status_code == 405
