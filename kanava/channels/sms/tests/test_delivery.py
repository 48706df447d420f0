"""Publishing to SMS subscribers through the outbox and a real local gateway."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kanava.audience.models import Subscriber
from kanava.channels.sms.adapter import SmsAdapter
from kanava.core.models import Alert, Topic
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery, Recipient

pytestmark = pytest.mark.outbox

VERSIONS = {
    "fi": {"title": "Vesikatko", "body": "Vesi on poikki **tiistaina** klo 9-12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott", "body": "Vattnet är avstängt **på tisdag** kl. 9-12 på Kyrkvägen."},
}
FI_TEXT = "Vesi on poikki tiistaina klo 9-12 Kirkkotiellä."
SV_TEXT = "Vattnet är avstängt på tisdag kl. 9-12 på Kyrkvägen."


def publish(cast, actor_of, channel, versions=VERSIONS):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                        channels=[channel])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    return message


def per_number(gateway) -> Counter:
    return Counter(record.to for record in gateway.accepted)


def make_due(message) -> None:
    Delivery.objects.filter(message=message, state="pending").update(next_attempt_at=timezone.now())


def test_a_bilingual_message_reaches_each_sms_subscriber_once_in_their_language(
        cast, actor_of, gateway, sms_channel, subscribe, settings):
    settings.SMS_BATCH_SIZE = 2  # several batches per language
    sms_channel.config["max_recipients_per_request"] = 1
    sms_channel.save()
    finns = [subscribe(f"+35840100000{i}", "fi") for i in range(3)]
    swedes = [subscribe(f"+35850200000{i}", "sv") for i in range(2)]
    other_topic = Topic.objects.create(organisation=cast.org, slug="koulut", name={"fi": "Koulut"})
    subscribe("+358403000000", "fi", topics=[other_topic])
    subscribe("+358403000001", "fi", state=Subscriber.State.UNSUBSCRIBED)

    message = publish(cast, actor_of, sms_channel)
    outbox.drain()

    assert per_number(gateway) == Counter({s.address: 1 for s in finns + swedes})
    for record in gateway.accepted:
        assert record.sender == "Pikkula"
        assert record.text == (FI_TEXT if record.to.startswith("+35840") else SV_TEXT)
    deliveries = Delivery.objects.filter(message=message).order_by("language", "batch")
    assert [(d.language, d.batch, d.recipient_count, d.state) for d in deliveries] == [
        ("fi", 0, 2, "delivered"), ("fi", 1, 1, "delivered"), ("sv", 0, 2, "delivered")]
    recipients = Recipient.objects.filter(delivery__message=message)
    assert set(recipients.values_list("state", flat=True)) == {"sent"}
    ids = {record.to: record.id for record in gateway.accepted}
    assert all(r.external_id == ids[r.address] for r in recipients)


def test_it_honours_retry_after_on_429_and_sends_nobody_twice(cast, actor_of, gateway, sms_channel, subscribe):
    sms_channel.config["max_recipients_per_request"] = 2
    sms_channel.save()
    numbers = [subscribe(f"+35840100000{i}").address for i in range(5)]
    gateway.throttle(times=1, retry_after=120, after=1)  # the second request of the batch
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    before = timezone.now()
    outbox.drain()

    delivery = Delivery.objects.get(message=message, language="fi")
    assert delivery.state == "pending"
    assert delivery.next_attempt_at >= before + timedelta(seconds=120)
    assert "429" in delivery.last_error
    states = Counter(delivery.recipients.values_list("state", flat=True))
    assert states == Counter({"sent": 2, "queued": 3})
    assert len(gateway.accepted) == 2

    make_due(message)
    outbox.drain()
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert per_number(gateway) == Counter({number: 1 for number in numbers})


def test_refused_credentials_fail_permanently_and_alert_the_lead(cast, actor_of, gateway, sms_channel, subscribe):
    sms_channel.secrets = {"password": "not the password"}
    sms_channel.save()
    subscribe("+358401000000")
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    outbox.drain()

    delivery = Delivery.objects.get(message=message, language="fi")
    assert delivery.state == "failed"
    assert delivery.attempts == 1
    assert "401" in delivery.last_error
    assert list(delivery.recipients.values_list("state", flat=True)) == ["queued"]
    assert gateway.accepted == []
    alert = Alert.objects.get(organisation=cast.org, text__contains="401")
    assert sms_channel.name in alert.text
    assert any(cast.lead.email in m.to for m in mail.outbox)


def test_a_gateway_error_500_is_retried_and_nothing_is_sent_twice(cast, actor_of, gateway, sms_channel, subscribe):
    numbers = [subscribe(f"+35840100000{i}").address for i in range(3)]
    gateway.fail(times=1)
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    outbox.drain()
    delivery = Delivery.objects.get(message=message, language="fi")
    assert delivery.state == "pending"
    assert set(delivery.recipients.values_list("state", flat=True)) == {"queued"}

    make_due(message)
    outbox.drain()
    assert per_number(gateway) == Counter({number: 1 for number in numbers})


def test_an_accepted_request_whose_answer_is_lost_is_looked_up_not_resent(
        cast, actor_of, gateway, sms_channel, subscribe):
    numbers = [subscribe(f"+35840100000{i}").address for i in range(3)]
    gateway.drop_after_accepting(times=1)
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    outbox.drain()

    delivery = Delivery.objects.get(message=message, language="fi")
    assert delivery.state == "delivered"
    assert gateway.state.lookups == 3, "each recipient of the unanswered request was looked up"
    assert set(delivery.recipients.values_list("state", flat=True)) == {"sent"}
    assert per_number(gateway) == Counter({number: 1 for number in numbers})


def test_after_a_crash_the_gateway_is_asked_which_recipients_it_accepted(
        cast, actor_of, gateway, sms_channel, subscribe):
    accepted, missing = subscribe("+358401000001"), subscribe("+358401000002")
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message, language="fi")
    # The worker claimed the batch, handed both over, the gateway took the
    # first one, and the worker died before recording anything.
    assert outbox.claim(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_by="dead-worker",
                                                   claimed_at=timezone.now() - timedelta(minutes=5))
    recipients = {r.address: r for r in delivery.recipients.all()}
    outbox.DbRecipientLog(delivery).sending(list(recipients.values()))
    gateway.accept_directly(accepted.address, FI_TEXT, SmsAdapter.reference(delivery, recipients[accepted.address]))

    adapter = sms_channel.adapter
    assert adapter.lookup_recipient(delivery, recipients[accepted.address]) is True
    assert adapter.lookup_recipient(delivery, recipients[missing.address]) is False

    delivery.refresh_from_db()  # as the sweep sees it: claimed by the dead worker
    assert outbox.recover(delivery) == "pending"
    states = dict(delivery.recipients.values_list("address", "state"))
    assert states == {accepted.address: "sent", missing.address: "queued"}

    outbox.drain()
    assert per_number(gateway) == Counter({accepted.address: 1, missing.address: 1})
    delivery.refresh_from_db()
    assert delivery.state == "delivered"


def test_lookup_cannot_tell_when_the_gateway_is_unreachable(cast, actor_of, gateway, sms_channel, subscribe):
    subscribe("+358401000001")
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message, language="fi")
    recipient = delivery.recipients.get()
    gateway.stop()
    assert sms_channel.adapter.lookup_recipient(delivery, recipient) is None


def test_a_number_the_gateway_rejects_as_invalid_stops_receiving(cast, actor_of, gateway, sms_channel, subscribe):
    good, bad = subscribe("+358401000001"), subscribe("+358401000002")
    gateway.reject_number(bad.address)
    message = publish(cast, actor_of, sms_channel, versions={"fi": VERSIONS["fi"], "sv": VERSIONS["sv"]})
    outbox.drain()

    delivery = Delivery.objects.get(message=message, language="fi")
    assert delivery.state == "delivered"
    assert dict(delivery.recipients.values_list("address", "state")) == {good.address: "sent",
                                                                         bad.address: "bounced"}
    bad.refresh_from_db()
    assert bad.state == Subscriber.State.BOUNCED
    assert per_number(gateway) == Counter({good.address: 1})
