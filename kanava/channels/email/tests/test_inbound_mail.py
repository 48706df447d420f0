"""Mail pushed to POST /hooks/email/inbound/<token>/: the right token stores it once, anything else stores nothing."""

import pytest
from django.core.management import call_command

from kanava.channels.email import inbound
from kanava.channels.email.tests.conftest import feedback_config, mail_fixture
from kanava.inbox.models import Conversation, Item
from kanava.testing.personas import make_channel


@pytest.fixture
def channel(cast, smtp):
    return make_channel(cast.org, "email", "Palaute", config=feedback_config(smtp.port),
                        secrets={"inbound_secret": "inbound-test-secret"})


def post(client, token: str, raw: bytes, content_type="message/rfc822"):
    return client.post(f"/hooks/email/inbound/{token}/", data=raw, content_type=content_type)


def test_a_message_posted_with_the_right_token_reaches_the_inbox(client, channel, cast):
    response = post(client, inbound.token_for(channel), mail_fixture("plain_fi.eml"))

    assert response.status_code == 200, response.content
    assert response.json()["result"] == "stored"
    item = Item.objects.get(pk=response.json()["item"])
    assert item.organisation == cast.org and item.channel == channel and item.source == "email"
    assert item.external_id == "CAF2kq7x0B1=plain@mail.example.fi"
    assert item.author_name == "Matti Meikäläinen" and item.author_handle == "matti.meikalainen@example.fi"
    assert item.subject == "Katuvalo rikki Kirkkotiellä"
    assert "katuvalo numero 12" in item.text


def test_the_same_message_posted_twice_is_stored_once(client, channel):
    token = inbound.token_for(channel)
    assert post(client, token, mail_fixture("plain_fi.eml")).json()["result"] == "stored"
    assert post(client, token, mail_fixture("plain_fi.eml")).json()["result"] == "duplicate"
    assert Item.objects.count() == 1


@pytest.mark.parametrize("token", [
    "wrong",
    "1-" + "0" * 40,
    "{pk}-" + "0" * 40,
    "{pk}-{digest}x",
    "{other}-{digest}",
])
def test_a_wrong_token_gets_404_and_stores_nothing(client, channel, cast, smtp, token):
    other = make_channel(cast.other_org, "email", config=feedback_config(smtp.port),
                         secrets={"inbound_secret": "another-secret"})
    digest = inbound.token_for(channel).split("-", 1)[1]
    token = token.format(pk=channel.pk, other=other.pk, digest=digest)

    response = post(client, token, mail_fixture("plain_fi.eml"))

    assert response.status_code == 404
    assert not Item.objects.exists() and not Conversation.objects.exists()


def test_a_channel_without_an_inbound_secret_takes_no_mail(client, cast, smtp):
    channel = make_channel(cast.org, "email", config=feedback_config(smtp.port))
    assert inbound.token_for(channel) == ""
    assert post(client, f"{channel.pk}-" + "0" * 40, mail_fixture("plain_fi.eml")).status_code == 404
    assert not Item.objects.exists()


def test_a_disabled_channel_takes_no_mail(client, channel):
    token = inbound.token_for(channel)
    channel.enabled = False
    channel.save()
    assert post(client, token, mail_fixture("plain_fi.eml")).status_code == 404


def test_changing_the_secret_retires_the_old_address(client, channel):
    old = inbound.token_for(channel)
    channel.secrets = {**channel.secrets, "inbound_secret": "a-new-secret"}
    channel.save()
    assert post(client, old, mail_fixture("plain_fi.eml")).status_code == 404
    assert post(client, inbound.token_for(channel), mail_fixture("plain_fi.eml")).status_code == 200


def test_a_message_over_ten_megabytes_gets_413(client, channel):
    raw = mail_fixture("plain_fi.eml") + b"x" * (10 * 1024 * 1024)
    response = post(client, inbound.token_for(channel), raw)
    assert response.status_code == 413
    assert not Item.objects.exists()


def test_a_message_of_five_megabytes_is_taken(client, channel):
    # More than Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the body is read from the stream.
    attachment = b"QUFB" * (5 * 1024 * 1024 // 4)
    raw = (b"From: iso@example.fi\r\nMessage-ID: <five@example.fi>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
           b"Liitteena kartta.\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=kartta.png\r\n\r\n" + attachment + b"\r\n--b--\r\n")
    response = post(client, inbound.token_for(channel), raw)
    assert response.status_code == 200 and response.json()["result"] == "stored"
    item = Item.objects.get()
    assert item.text == "Liitteena kartta." and item.extra["attachments"] == 1


def test_an_empty_body_gets_400(client, channel):
    assert post(client, inbound.token_for(channel), b"").status_code == 400


def test_an_auto_reply_is_answered_but_not_stored(client, channel):
    response = post(client, inbound.token_for(channel), mail_fixture("auto_reply.eml"))
    assert response.status_code == 200 and response.json()["result"] == "automatic"
    assert not Item.objects.exists()


def test_a_bounce_is_answered_but_not_stored(client, channel):
    response = post(client, inbound.token_for(channel), mail_fixture("dsn.eml"))
    assert response.json()["result"] == "bounce"
    assert not Item.objects.exists()


def test_only_post_is_accepted(client, channel):
    assert client.get(f"/hooks/email/inbound/{inbound.token_for(channel)}/").status_code == 405


@pytest.mark.parametrize("name", ["html_only.eml", "multipart_attachment.eml", "no_message_id.eml",
                                  "mixed_scripts.eml", "emoji_only.eml"])
def test_bad_input_is_stored_safely(client, channel, name):
    response = post(client, inbound.token_for(channel), mail_fixture(name))
    assert response.status_code == 200 and response.json()["result"] == "stored"
    item = Item.objects.get()
    assert "<script" not in item.text and "\x00" not in item.text


def test_binary_garbage_is_stored_safely(client, channel):
    garbage = bytes(range(256)) * 8 + b"\x00\r\n\r\n\x00\xff binary"
    response = post(client, inbound.token_for(channel), garbage, content_type="application/octet-stream")
    assert response.status_code == 200 and response.json()["result"] == "stored"
    assert "\x00" not in Item.objects.get().text


def test_the_inbound_address_is_printed_and_a_new_secret_can_be_set(channel, capsys, settings):
    settings.SITE_URL = "https://kanava.example"
    call_command("email_inbound_url", str(channel.pk))
    assert capsys.readouterr().out.strip() == (
        f"https://kanava.example/hooks/email/inbound/{inbound.token_for(channel)}/")

    call_command("email_inbound_url", str(channel.pk), "--new")
    channel.refresh_from_db()
    assert channel.secrets["inbound_secret"] != "inbound-test-secret"
    assert inbound.token_for(channel) in capsys.readouterr().out
