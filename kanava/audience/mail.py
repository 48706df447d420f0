"""Transactional emails to subscribers: the double opt-in confirmation.

These go through Django's configured email backend (one message each, not
the newsletter's batched SMTP path).  They are sent after the transaction
commits; a mail failure is logged, never shown as a 500 to the resident.
"""

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from kanava.audience import links
from kanava.audience.models import Subscriber
from kanava.core.sites import site_base_url

logger = logging.getLogger("kanava.audience")

#: The same address gets at most one confirmation email per this many
#: seconds, however often someone types it into the form.
RESEND_COOLDOWN = 300


def _from_address(organisation) -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((organisation.display_name() or name, address))


def _once_per_cooldown(subscriber: Subscriber, kind: str) -> bool:
    key = f"kanava:audience:{kind}:{subscriber.organisation_id}:{subscriber.address}"
    return cache.add(key, 1, RESEND_COOLDOWN)


def send_confirmation(subscriber_id: int) -> bool:
    """Email the confirmation link in the subscriber's language.

    Returns False when nothing was sent (cooldown, gone, or the mail server
    failed; the last is logged).
    """
    subscriber = Subscriber.objects.select_related("organisation").filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.state != Subscriber.State.PENDING:
        return False
    return _send(subscriber, "confirm", {"confirm_url": links.confirm_url(
        site_base_url(subscriber.organisation), subscriber.language, subscriber.pk)})


def send_already_subscribed(subscriber_id: int) -> bool:
    """Tell a confirmed subscriber who subscribed again that nothing changed."""
    subscriber = Subscriber.objects.select_related("organisation").filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.state != Subscriber.State.CONFIRMED:
        return False
    return _send(subscriber, "already", {})


def _send(subscriber: Subscriber, kind: str, context: dict) -> bool:
    if not _once_per_cooldown(subscriber, kind):
        return False
    organisation = subscriber.organisation
    base = site_base_url(organisation)
    with translation.override(subscriber.language):
        context = {
            **context,
            "organisation_name": organisation.display_name(subscriber.language),
            "unsubscribe_url": links.unsubscribe_url(base, subscriber.pk),
            "subscribe_url": links.subscribe_url(base, subscriber.language),
        }
        subject = render_to_string(f"audience/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"audience/email/{kind}_body.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, from_email=_from_address(organisation),
                           to=[subscriber.address], headers={"Auto-Submitted": "auto-generated"})
    try:
        message.send()
    except Exception:  # the subscription is saved; the person can ask again
        logger.exception("Could not send the %s email to subscriber %s", kind, subscriber.pk)
        return False
    return True
