"""Kill a real worker in the middle of a fan-out: nothing lost, nothing sent twice."""

from collections import Counter

import pytest
from django.utils import timezone

from kanava.audience.models import Subscriber
from kanava.channels.registry import manifests
from kanava.channels.website.models import SitePost
from kanava.publishing import actions
from kanava.publishing.models import Delivery, Recipient
from kanava.testing.personas import make_cast, make_channel
from kanava.testing.sms_gateway import SmsGateway
from kanava.testing.smtp import SMTPServer
from kanava.testing.workers import WorkerProcess, wait_for

pytestmark = [pytest.mark.outbox, pytest.mark.slow]

EMAILS = 2400
PHONES = 240
FINAL = {"delivered", "failed", "uncertain"}
VERSIONS = {
    "fi": {"title": "Vesikatko tiistaina", "body": "Vesi on poikki Kirkkotiellä tiistaina klo 9–12."},
    "sv": {"title": "Vattenavbrott på tisdag", "body": "Vattnet är avstängt på Kyrkvägen på tisdag kl. 9–12."},
}
WORKER_ENV = {"EMAIL_BATCH_SIZE": "150", "SMS_BATCH_SIZE": "40"}


@pytest.fixture
def cast(transactional_db):
    return make_cast()


@pytest.fixture
def servers():
    with SMTPServer() as smtp, SmsGateway() as gateway:
        yield smtp, gateway


def subscribe_many(org):
    now = timezone.now()
    rows = [Subscriber(organisation=org, kind="email", address=f"asukas{i}@example.fi", language="sv" if i % 3 == 0 else "fi",
                       state="confirmed", confirmed_at=now) for i in range(EMAILS)]
    rows += [Subscriber(organisation=org, kind="sms", address=f"+35840{7000000 + i}", language="sv" if i % 3 == 0 else "fi",
                        state="confirmed", confirmed_at=now) for i in range(PHONES)]
    Subscriber.objects.bulk_create(rows)


def owned_channels(org, smtp, gateway):
    channels = [
        make_channel(org, "website", "Web"),
        make_channel(org, "email", "Newsletter", config={"smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                                         "from_address": "uutiset@pikkula.fi"}),
        make_channel(org, "sms", "SMS", config=gateway.channel_config(), secrets=gateway.channel_secrets()),
    ]
    if "print" in manifests():
        channels.append(make_channel(org, "print", "Bulletin"))
    return channels


def publish(cast, actor_of, channels):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=channels)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    return message


def all_final(message):
    states = set(Delivery.objects.filter(message=message).values_list("state", flat=True))
    return states and states <= FINAL


@pytest.mark.parametrize("kill_after", [300, 1500])
def test_a_worker_killed_mid_fan_out_neither_loses_nor_repeats_a_delivery(cast, actor_of, servers, kill_after):
    smtp, gateway = servers
    subscribe_many(cast.org)
    channels = owned_channels(cast.org, smtp, gateway)

    first = WorkerProcess("first", env=WORKER_ENV).start()
    message = publish(cast, actor_of, channels)
    wait_for(lambda: smtp.handler.count >= kill_after, timeout=120, message=f"{kill_after} emails sent")
    first.kill()
    received_at_kill = smtp.handler.count
    assert received_at_kill < EMAILS, "the kill must land in the middle of the fan-out"

    with WorkerProcess("second", env=WORKER_ENV), WorkerProcess("third", env=WORKER_ENV):
        wait_for(lambda: all_final(message), timeout=180, message="every delivery final after the restart")

    # Email: nobody twice; everyone marked sent got exactly one; only in-flight ones are uncertain.
    per_address = Counter(rcpt for m in smtp.messages for rcpt in m.rcpt_tos)
    assert max(per_address.values()) == 1
    recipients = Recipient.objects.filter(delivery__message=message, delivery__channel__kind="email")
    states = Counter(recipients.values_list("state", flat=True))
    assert set(states) <= {"sent", "uncertain"}, states
    assert states["uncertain"] <= 2, "at most the messages in flight when the worker died"
    sent = set(recipients.filter(state="sent").values_list("address", flat=True))
    assert sent <= set(per_address)
    assert len(per_address) - len(sent) <= states["uncertain"]
    assert states["sent"] + states["uncertain"] == EMAILS

    # SMS: the gateway is asked after a crash, so every phone gets exactly one message.
    texts = Counter(record.to for record in gateway.accepted)
    assert len(texts) == PHONES and set(texts.values()) == {1}
    assert set(Recipient.objects.filter(delivery__message=message, delivery__channel__kind="sms")
               .values_list("state", flat=True)) == {"sent"}

    # Website (and the bulletin): written once per language, found again after the crash.
    assert SitePost.objects.filter(message=message).count() == 2
    if "print" in manifests():
        from kanava.channels.print.models import Bulletin

        assert Bulletin.objects.filter(message=message).count() == 1
    uncertain = Delivery.objects.filter(message=message, state="uncertain")
    assert all(d.channel.kind == "email" for d in uncertain)
