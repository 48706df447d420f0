"""What a 5xx to RCPT means: a mailbox that does not exist, or a server that will not take the mail."""

import pytest
from django.utils import translation

from kanava.audience.models import Subscriber
from kanava.channels.email import sender
from kanava.channels.email.adapter import REFUSAL_LIMIT
from kanava.channels.email.tests.conftest import publish, relay_refusing, subscribe
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, Recipient

pytestmark = pytest.mark.outbox


@pytest.mark.parametrize("reply, mailbox", [
    ("550 5.1.1 <a@example.fi>: Recipient address rejected: User unknown", True),
    ("550 5.1.10 Recipient address rejected: null MX", True),
    ("550 Requested action not taken: mailbox unavailable", True),
    ("551 User not local", True),
    ("553 Mailbox name not allowed", True),
    ("554 5.7.1 <a@example.fi>: Relay access denied", False),
    ("550 5.7.1 Client host rejected: cannot find your hostname", False),
    ("550 5.1.8 <uutiset@pikkula.fi>: Sender address rejected: Domain not found", False),
    ("554 Transaction failed", False),
    ("552 5.2.2 Mailbox full", False),
])
def test_only_mailbox_errors_count_as_bounces(reply, mailbox):
    code, _space, text = reply.partition(" ")
    assert sender.is_mailbox_error(int(code), text) is mailbox


def test_a_relay_that_denies_access_rejects_the_recipient_without_ending_the_subscription(cast, actor_of,
                                                                                        newsletter, smtp):
    kept = subscribe(cast.org, "matti@example.fi")
    relay_refusing(smtp, "554 5.7.1 <{address}>: Relay access denied", only={"matti@example.fi"})

    publish(cast, actor_of)
    outbox.drain()

    kept.refresh_from_db()
    assert kept.state == Subscriber.State.CONFIRMED and kept.bounce_count == 0
    receipt = Recipient.objects.get(subscriber=kept)
    assert receipt.state == Recipient.State.FAILED and "Relay access denied" in receipt.error


def test_a_550_without_an_enhanced_code_is_still_a_bounce(cast, actor_of, newsletter, smtp):
    gone = subscribe(cast.org, "gone@example.fi")
    relay_refusing(smtp, "550 Requested action not taken: mailbox unavailable", only={"gone@example.fi"})

    publish(cast, actor_of)
    outbox.drain()

    gone.refresh_from_db()
    assert gone.state == Subscriber.State.BOUNCED
    assert Recipient.objects.get(subscriber=gone).state == Recipient.State.BOUNCED


def test_a_misconfigured_relay_stops_the_batch_instead_of_rejecting_the_whole_list(cast, actor_of, newsletter,
                                                                                  smtp):
    people = [subscribe(cast.org, f"asukas{n:02}@example.fi") for n in range(REFUSAL_LIMIT + 5)]
    relay_refusing(smtp, "554 5.7.1 <{address}>: Relay access denied")

    publish(cast, actor_of)
    with translation.override("en"):
        outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert delivery.state == Delivery.State.FAILED and "Relay access denied" in delivery.last_error
    states = list(delivery.recipients.order_by("id").values_list("state", flat=True))
    assert states == [Recipient.State.FAILED] * REFUSAL_LIMIT + [Recipient.State.QUEUED] * 5
    assert {p.state for p in Subscriber.objects.filter(pk__in=[p.pk for p in people])} == {
        Subscriber.State.CONFIRMED}


def test_refusals_between_accepted_messages_do_not_stop_the_batch(cast, actor_of, newsletter, smtp):
    refused = {f"asukas{n:02}@example.fi" for n in range(0, 2 * REFUSAL_LIMIT + 2, 2)}
    for n in range(2 * REFUSAL_LIMIT + 2):
        subscribe(cast.org, f"asukas{n:02}@example.fi")
    relay_refusing(smtp, "554 5.7.1 Message refused by policy", only=refused)

    publish(cast, actor_of)
    outbox.drain()

    delivery = Delivery.objects.get(channel=newsletter, language="fi")
    assert delivery.state == Delivery.State.DELIVERED
    assert delivery.recipients.filter(state=Recipient.State.FAILED).count() == len(refused)
    assert len(smtp.messages) == REFUSAL_LIMIT + 1
