"""What the staff editor and other apps may call for SMS counts and costs.

    count_segments(text)                      -> segments.Segments
    estimate_text(channel, text, language,
                  message=None)               -> adapter.Estimate
    estimate_variant(variant, recipients=None) -> adapter.Estimate
    estimate_message(message)                 -> list[(variant, Estimate)]
"""

from kanava.audience.models import Subscriber
from kanava.channels.sms import segments
from kanava.channels.sms.adapter import Estimate


def count_segments(text: str) -> segments.Segments:
    """Encoding, units, segments and room left, as the network counts them."""
    return segments.count(text or "")


def subscriber_count(organisation, language: str, message=None) -> int:
    """Confirmed SMS subscribers in ``language``; with ``message``, those following its topic."""
    if message is not None:
        from kanava.publishing.outbox import subscribers_for

        return subscribers_for(message, Subscriber.Kind.SMS, language).count()
    return Subscriber.objects.filter(organisation=organisation, kind=Subscriber.Kind.SMS,
                                     state=Subscriber.State.CONFIRMED, language=language).count()


def estimate_text(channel, text: str, language: str, message=None) -> Estimate:
    """Estimate for text typed but not yet saved (the live counter)."""
    recipients = subscriber_count(channel.organisation, language, message)
    return channel.adapter.estimate_text(text, recipients)


def estimate_variant(variant, recipients: int | None = None) -> Estimate:
    """Estimate for a saved variant of an SMS channel, counting its language's subscribers."""
    return variant.channel.adapter.estimate(variant, recipients)


def estimate_message(message) -> list[tuple]:
    """Every SMS variant of the message with its estimate, channel and language order."""
    variants = message.variants.filter(channel__kind="sms", channel__in=message.channels.all()) \
        .select_related("channel", "message", "message__organisation").order_by("channel_id", "language")
    return [(variant, estimate_variant(variant)) for variant in variants]
