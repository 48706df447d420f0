"""Sender settings end up in mail headers: they must be checked when saved and written safely."""

import email
import email.policy
from urllib.parse import unquote

import pytest
from django.utils import translation

from kanava.channels import actions as channel_actions
from kanava.channels.email.adapter import EmailConfig
from kanava.channels.email.tests.conftest import publish, subscribe
from kanava.publishing import outbox
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import Delivery, Recipient

pytestmark = pytest.mark.outbox


@pytest.mark.parametrize("config", [
    {"list_id": "uutiset.pikkula.fi\r\nBcc: everyone@example.org"},
    {"reply_to": "viestinta@pikkula.fi\nBcc: everyone@example.org"},
    {"from_name": "Pikkula\r\nBcc: everyone@example.org"},
    {"from_address": "uutiset@pikkula.fi\r\n"},
    {"from_address": "not an address"},
    {"from_address": "viestintä@pikkula.fi"},  # the envelope sender must be ASCII
    {"reply_to": "two@pikkula.fi, addresses@pikkula.fi"},
    {"list_id": "<uutiset.pikkula.fi>"},
    {"bounce_domain": "bounce pikkula.fi"},
    {"smtp_host": "mail.pikkula.fi\r\n"},
])
def test_settings_that_would_break_or_inject_headers_are_refused(config):
    with translation.override("en"):
        problems = EmailConfig.load(config).problems()
    assert problems and all(isinstance(p, str) and p.endswith(".") for p in problems)


def test_sound_settings_have_no_problems():
    config = EmailConfig.load({"from_name": "Pikkulan kunta", "from_address": "uutiset@pikkula.fi",
                               "reply_to": "viestintä@kunta.fi", "list_id": "uutiset.pikkula.fi",
                               "bounce_domain": "bounce.pikkulä.fi", "smtp_host": "mail.pikkula.fi"})
    assert config.problems() == []


def test_saving_a_channel_with_a_header_injection_is_refused(cast, actor_of):
    with pytest.raises(WorkflowError):
        channel_actions.do_create_channel(actor_of(cast.admin), cast.org, kind="email", name="Uutiskirje",
                                          config={"list_id": "x.pikkula.fi\r\nBcc: everyone@example.org"},
                                          secrets={})


def test_a_non_ascii_reply_to_address_reaches_every_subscriber(cast, actor_of, newsletter, smtp):
    newsletter.config.update(reply_to="viestintä@kunta.fi", bounce_domain="")
    newsletter.save()
    for number in range(3):
        subscribe(cast.org, f"asukas{number}@example.fi")

    publish(cast, actor_of)
    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert delivery.state == Delivery.State.DELIVERED
    assert set(delivery.recipients.values_list("state", flat=True)) == {Recipient.State.SENT}
    # The Reply-To is UTF-8 (RFC 6532): the rest of the message is ASCII.
    message = email.message_from_string(smtp.messages[0].data.decode("utf-8"), policy=email.policy.default)
    assert message["Reply-To"].addresses[0].addr_spec == "viestintä@kunta.fi"
    mailto = message["List-Unsubscribe"].split("<mailto:")[1].split(">")[0]
    assert mailto.isascii() and unquote(mailto) == "viestintä@kunta.fi?subject=unsubscribe"


def test_settings_saved_before_they_were_checked_stop_the_delivery_before_anyone_is_mailed(cast, actor_of,
                                                                                          newsletter, smtp):
    newsletter.config["list_id"] = "uutiset.pikkula.fi>\r\nBcc: everyone@example.org"
    newsletter.save()
    subscribe(cast.org, "matti@example.fi")

    publish(cast, actor_of)
    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert smtp.messages == []
    assert delivery.state == Delivery.State.FAILED
    assert set(delivery.recipients.values_list("state", flat=True)) == {Recipient.State.QUEUED}


def test_an_address_that_cannot_be_written_in_a_header_is_rejected_not_left_uncertain(cast, actor_of,
                                                                                     newsletter, smtp):
    subscribe(cast.org, "matti@example.fi")
    odd = subscribe(cast.org, "odd@example.fi")
    message = publish(cast, actor_of)
    outbox.fan_out(message.pk)
    Recipient.objects.filter(subscriber=odd).update(address="äiti@example.fi")  # written before addresses were checked

    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert dict(delivery.recipients.values_list("address", "state")) == {
        "matti@example.fi": Recipient.State.SENT, "äiti@example.fi": Recipient.State.FAILED}
    assert delivery.state == Delivery.State.DELIVERED
