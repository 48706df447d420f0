"""A copy in the mail server's hands when the connection broke is never sent again without a person."""

from datetime import timedelta

from django.utils import timezone, translation

from kanava.channels.press.models import PressReceipt
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery

D = Delivery.State


def publish(cast, actor_of, message) -> Delivery:
    actions.do_publish(actor_of(cast.lead), message)
    return drain(message)


def drain(message) -> Delivery:
    """Run every due attempt now, the backoff skipped."""
    for _round in range(5):
        Delivery.objects.filter(message=message, state=D.PENDING).update(next_attempt_at=timezone.now())
        with translation.override("en"):
            outbox.drain()
    return Delivery.objects.get(message=message, channel__kind="press", language="fi")


def receipt_state(delivery, email) -> str:
    return PressReceipt.objects.get(delivery=delivery, email=email).state


def test_the_copy_in_flight_becomes_uncertain_and_the_others_still_get_it(cast, actor_of, smtp, newsrooms, release):
    smtp.handler.hang_up_after = {"toimitus@sanomat.example"}  # the first Finnish newsroom

    delivery = publish(cast, actor_of, release)

    assert len(smtp.handler.to("toimitus@sanomat.example")) == 1  # never a second, blind copy
    assert len(smtp.handler.to("uutiset@yle.example")) == 1
    assert receipt_state(delivery, "toimitus@sanomat.example") == "uncertain"
    assert receipt_state(delivery, "uutiset@yle.example") == "sent"
    assert delivery.state == D.UNCERTAIN
    assert "Pikkulan Sanomat" in delivery.last_error
    assert delivery.detail["uncertain"] == 1 and delivery.detail["sent"] == 1


def test_when_the_last_copy_is_in_flight_the_delivery_is_left_for_a_person_at_once(
        cast, actor_of, smtp, newsrooms, release):
    smtp.handler.hang_up_after = {"uutiset@yle.example"}  # the last Finnish newsroom

    delivery = publish(cast, actor_of, release)

    assert delivery.state == D.UNCERTAIN and delivery.attempts == 1
    assert len(smtp.handler.to("uutiset@yle.example")) == 1


def test_a_person_sends_the_uncertain_copy_again_and_only_it(cast, actor_of, smtp, newsrooms, release):
    smtp.handler.hang_up_after = {"toimitus@sanomat.example"}
    delivery = publish(cast, actor_of, release)
    smtp.handler.hang_up_after = set()

    actions.do_resolve_uncertain(actor_of(cast.lead), delivery, "resend")
    delivery = drain(release)

    assert delivery.state == D.DELIVERED
    assert len(smtp.handler.to("toimitus@sanomat.example")) == 2
    assert len(smtp.handler.to("uutiset@yle.example")) == 1


def test_a_person_who_knows_it_arrived_closes_the_delivery_without_a_resend(
        cast, actor_of, smtp, newsrooms, release):
    smtp.handler.hang_up_after = {"toimitus@sanomat.example"}
    delivery = publish(cast, actor_of, release)

    actions.do_resolve_uncertain(actor_of(cast.lead), delivery, "delivered")
    delivery = drain(release)

    assert delivery.state == D.DELIVERED
    assert len(smtp.handler.to("toimitus@sanomat.example")) == 1


def test_after_a_crash_with_only_uncertain_copies_left_the_delivery_waits_for_a_person(
        cast, actor_of, smtp, newsrooms, release):
    delivery = publish(cast, actor_of, release)
    Delivery.objects.filter(pk=delivery.pk).update(state=D.SENDING, claimed_by="dead-worker",
                                                   claimed_at=timezone.now() - timedelta(minutes=5))
    PressReceipt.objects.filter(delivery=delivery, email="uutiset@yle.example").update(state="uncertain")
    delivery.refresh_from_db()

    assert outbox.recover(delivery) == D.UNCERTAIN
    assert len(smtp.handler.to("uutiset@yle.example")) == 1
