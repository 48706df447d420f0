import re
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from django.test import Client
from django.utils import translation

from kanava.audience.models import Subscriber
from kanava.audience.tokens import read_address_token
from kanava.channels.email.tests.conftest import publish, subscribe
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, Recipient
from kanava.testing.smtp import free_port

pytestmark = pytest.mark.outbox


def _parts(received):
    message = received.message
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return message, text, html


def test_a_bilingual_message_reaches_each_subscriber_in_their_own_language(cast, actor_of, newsletter, smtp):
    subscribe(cast.org, "matti@example.fi", "fi")
    subscribe(cast.org, "greta@example.fi", "sv")
    subscribe(cast.org, "pending@example.fi", "fi", state=Subscriber.State.PENDING)
    subscribe(cast.other_org, "muu@example.fi", "fi")

    publish(cast, actor_of)
    outbox.drain()

    assert sorted(a for m in smtp.messages for a in m.rcpt_tos) == ["greta@example.fi", "matti@example.fi"]
    finnish, text_fi, html_fi = _parts(smtp.handler.to("matti@example.fi")[0])
    swedish, text_sv, html_sv = _parts(smtp.handler.to("greta@example.fi")[0])
    assert finnish["Subject"] == "Vesikatko Kirkkotiellä"
    assert swedish["Subject"] == "Vattenavbrott på Kyrkvägen"
    assert "tiistaina" in text_fi and "<strong>tiistaina</strong>" in html_fi
    assert "på tisdag" in text_sv and "Vattnet är avstängt" in html_sv
    assert "Pikkula kommun" in html_sv and finnish["Content-Language"] == "fi"
    assert set(Recipient.objects.values_list("state", flat=True)) == {"sent"}
    assert set(Delivery.objects.filter(channel=newsletter).values_list("state", flat=True)) == {"delivered"}


def test_every_message_carries_one_click_unsubscribe_headers_and_links(cast, actor_of, newsletter, smtp):
    subscriber = subscribe(cast.org, "matti@example.fi", "fi")
    publish(cast, actor_of)
    outbox.drain()

    received = smtp.handler.to("matti@example.fi")[0]
    message, text, html = _parts(received)
    https_url, mailto = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert urlparse(https_url).scheme == "https" and https_url.startswith("https://kanava.example/u/")
    assert mailto.startswith("mailto:unsubscribe+") and mailto.endswith("@bounce.pikkula.fi?subject=unsubscribe")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Precedence"] == "bulk"
    assert message["List-Id"].endswith(f"<{newsletter.pk}.pikkula.pikkula.fi>")
    assert https_url in text and f'href="{https_url}"' in html
    assert "/fi/channels/email/view/" in html

    # The envelope sender is the VERP address that names this subscriber.
    token = re.fullmatch(r"bounces\+(.+)@bounce\.pikkula\.fi", received.mail_from).group(1)
    assert read_address_token(token) == subscriber.pk

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert message["Message-ID"] == f"<{delivery.idempotency_key}.{subscriber.pk}@pikkula.fi>"

    # The link in the message unsubscribes with one POST, no login, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(urlparse(https_url).path,
                                                     {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED


def test_a_refused_address_is_marked_bounced_and_skipped_next_time(cast, actor_of, newsletter, smtp):
    subscribe(cast.org, "matti@example.fi", "fi")
    gone = subscribe(cast.org, "gone@example.fi", "fi")
    smtp.handler.refuse.add("gone@example.fi")

    publish(cast, actor_of)
    outbox.drain()

    gone.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED and "550" in gone.last_error
    receipt = Recipient.objects.get(subscriber=gone)
    assert receipt.state == Recipient.State.BOUNCED
    assert Delivery.objects.get(channel=newsletter, language="fi").state == Delivery.State.DELIVERED

    smtp.handler.refuse.clear()
    publish(cast, actor_of)
    outbox.drain()
    assert len(smtp.handler.to("matti@example.fi")) == 2
    assert smtp.handler.to("gone@example.fi") == []
    assert Recipient.objects.filter(subscriber=gone).count() == 1


def test_a_busy_server_leaves_the_batch_waiting_and_nobody_is_mailed_twice(cast, actor_of, newsletter, smtp,
                                                                           settings):
    settings.OUTBOX_BACKOFF_BASE = 0.001
    for number in range(5):
        subscribe(cast.org, f"asukas{number}@example.fi", "fi")
    smtp.handler.busy = True

    publish(cast, actor_of)
    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert delivery.state == Delivery.State.PENDING and "421" in delivery.last_error
    assert set(delivery.recipients.values_list("state", flat=True)) == {Recipient.State.QUEUED}
    assert smtp.messages == []

    smtp.handler.busy = False
    # The first drain stops once the next attempt lies in the future (backoff): make it due now.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    outbox.drain()
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    addresses = sorted(a for m in smtp.messages for a in m.rcpt_tos)
    assert addresses == [f"asukas{number}@example.fi" for number in range(5)]


def test_a_server_that_turns_busy_midway_gets_only_the_rest_on_retry(cast, actor_of, newsletter, smtp, settings):
    settings.OUTBOX_BACKOFF_BASE = 0.001
    for number in range(4):
        subscribe(cast.org, f"asukas{number}@example.fi", "fi")
    original = smtp.handler.handle_DATA

    async def busy_after_two(server, session, envelope):
        answer = await original(server, session, envelope)
        if len(smtp.messages) == 2:
            smtp.handler.busy = True
        return answer

    smtp.handler.handle_DATA = busy_after_two
    publish(cast, actor_of)
    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    states = dict(delivery.recipients.values_list("address", "state"))
    assert sorted(states.values()) == ["queued", "queued", "sent", "sent"]

    smtp.handler.busy = False
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # past its backoff
    outbox.drain()
    addresses = sorted(a for m in smtp.messages for a in m.rcpt_tos)
    assert addresses == [f"asukas{number}@example.fi" for number in range(4)]
    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED


def test_an_unreachable_mail_server_is_a_transient_error(cast, actor_of, newsletter, smtp):
    subscribe(cast.org, "matti@example.fi", "fi")
    newsletter.config["smtp_port"] = free_port()  # nothing listens there
    newsletter.save()

    publish(cast, actor_of)
    with translation.override("en"):
        outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert delivery.state == Delivery.State.PENDING and "connect" in delivery.last_error.lower()
    assert delivery.recipients.get().state == Recipient.State.QUEUED


def test_someone_who_unsubscribes_after_planning_is_not_mailed(cast, actor_of, newsletter, smtp):
    subscribe(cast.org, "matti@example.fi", "fi")
    leaver = subscribe(cast.org, "leaver@example.fi", "fi")
    message = publish(cast, actor_of)
    outbox.fan_out(message.pk)
    Subscriber.objects.filter(pk=leaver.pk).update(state=Subscriber.State.UNSUBSCRIBED)

    outbox.drain()

    assert [a for m in smtp.messages for a in m.rcpt_tos] == ["matti@example.fi"]
    assert Recipient.objects.get(subscriber=leaver).state == Recipient.State.FAILED


def test_subscribers_of_one_topic_get_only_that_topics_news(cast, actor_of, newsletter, smtp):
    from kanava.core.models import Topic

    schools = Topic.objects.create(organisation=cast.org, slug="koulut", name={"fi": "Koulut"})
    roads_fan = subscribe(cast.org, "tiet@example.fi", "fi", all_topics=False)
    roads_fan.topics.set([cast.topic])
    schools_fan = subscribe(cast.org, "koulut@example.fi", "fi", all_topics=False)
    schools_fan.topics.set([schools])

    publish(cast, actor_of)  # a message about roads
    outbox.drain()

    assert [a for m in smtp.messages for a in m.rcpt_tos] == ["tiet@example.fi"]


def test_a_connection_lost_after_the_hand_over_leaves_that_recipient_uncertain(cast, actor_of, newsletter, smtp,
                                                                             settings):
    settings.OUTBOX_BACKOFF_BASE = 0.001
    for number in range(3):
        subscribe(cast.org, f"asukas{number}@example.fi", "fi")
    original = smtp.handler.handle_DATA

    async def accept_then_hang_up(server, session, envelope):
        answer = await original(server, session, envelope)
        if len(smtp.messages) == 1:
            server.transport.close()
        return answer

    smtp.handler.handle_DATA = accept_then_hang_up
    publish(cast, actor_of)
    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    states = dict(delivery.recipients.values_list("address", "state"))
    assert states == {"asukas0@example.fi": "uncertain", "asukas1@example.fi": "sent",
                      "asukas2@example.fi": "sent"}
    # Retried after the hang-up, but the uncertain one was not mailed again:
    assert sorted(a for m in smtp.messages for a in m.rcpt_tos) == [f"asukas{n}@example.fi" for n in range(3)]
    assert delivery.state == Delivery.State.UNCERTAIN
