"""Mail pushed to us: the inbound-mail endpoint's token and what one posted message becomes.

A mail provider or the organisation's own mail server can post each message
to the feedback address, as it is (``Content-Type: message/rfc822``), to
``POST /hooks/email/inbound/<token>/`` instead of (or as well as) the inbox
reading the mailbox over IMAP; a message arriving both ways is stored once
(by its Message-ID).

The token is ``<channel id>-<40 hex digits>``: the digits are an HMAC of the
channel's ``inbound_secret`` (kept encrypted in ``Channel.secrets``), so the
secret itself never appears in an address or a log, any secret an
administrator types makes a usable address, and changing the secret retires
the old address.  ``manage.py email_inbound_url <channel id>`` prints the
address (``--new`` first sets a new random secret).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets as random_secrets
from dataclasses import dataclass

from kanava.channels.email import bounces, intake
from kanava.channels.email.config import INBOUND_SECRET

logger = logging.getLogger("kanava.email")

_TOKEN = re.compile(r"^(\d{1,18})-([0-9a-f]{40})$")
_PURPOSE = b"kanava-email-inbound-v1"


def token_for(channel) -> str:
    """The channel's inbound token, or ``""`` when it has no inbound secret."""
    secret = (channel.secrets or {}).get(INBOUND_SECRET, "")
    return f"{channel.pk}-{_digest(secret)}" if secret else ""


def inbound_url(channel) -> str:
    """The full address to post the channel's mail to (on the installation's own address), or ``""``."""
    from django.urls import reverse

    from kanava.core.sites import site_base_url

    token = token_for(channel)
    if not token:
        return ""
    return site_base_url(None) + reverse("channel_email_hooks:inbound", kwargs={"token": token})


def do_new_inbound_secret(actor, channel) -> str:
    """Give the channel a new random inbound secret (the old address stops working); returns the new token.

    For administrators (``Cap.MANAGE_CHANNELS``) and the command line (an
    actor without a person: whoever runs ``manage.py`` runs the installation).
    """
    from django.db import transaction

    from kanava.channels.models import Channel
    from kanava.core.access import can
    from kanava.core.audit import record
    from kanava.core.roles import Cap
    from kanava.publishing.errors import PermissionDenied

    if actor.person is not None and not can(actor.person, channel.organisation, Cap.MANAGE_CHANNELS):
        raise PermissionDenied("You are not allowed to manage channels.")
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        channel.secrets = {**(channel.secrets or {}), INBOUND_SECRET: random_secrets.token_urlsafe(32)}
        channel.save(update_fields=["secrets"])
        # The secret itself is never written to the audit log.
        record(actor, channel.organisation, "channel.inbound_secret_changed", channel)
    return token_for(channel)


def _digest(secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), _PURPOSE, hashlib.sha256).hexdigest()[:40]


def channel_for(token: str):
    """The enabled email channel this token belongs to, or None (a wrong token and an unknown channel look alike)."""
    from kanava.channels.models import Channel

    match = _TOKEN.match(token or "")
    channel = None
    if match:
        channel = (Channel.objects.select_related("organisation")
                   .filter(pk=int(match.group(1)), kind="email", enabled=True).first())
    secret = (channel.secrets or {}).get(INBOUND_SECRET, "") if channel is not None else ""
    given = match.group(2) if match else ""
    # Compared even when there is nothing to compare with, so the time taken tells nothing.
    same = hmac.compare_digest(_digest(secret or "-").encode("ascii"), given.encode("ascii", "replace"))
    return channel if same and secret else None


@dataclass
class Outcome:
    """What one posted message became: ``"stored"``, ``"duplicate"`` or skipped with a reason."""

    result: str
    item_id: int | None = None


def receive(channel, raw: bytes) -> Outcome:
    """Take one raw message into the channel's organisation's inbox."""
    from kanava.inbox.intake import take_in
    from kanava.inbox.models import Source

    from django.utils import timezone

    found = intake.read(raw, received_at=timezone.now())
    if isinstance(found, intake.Skipped):
        if found.reason == "bounce":
            record_bounce(raw)
        return Outcome(found.reason)
    item = take_in(channel.organisation, Source.EMAIL, found, channel=channel)
    return Outcome("stored", item.pk) if item is not None else Outcome("duplicate")


def record_bounce(raw: bytes) -> None:
    """A bounce of our newsletter that reached the feedback mailbox: recorded only by its VERP token.

    Anybody can write to the feedback address, so a bounce that only names
    an address is not believed (see :mod:`.bounces`).
    """
    from kanava.audience.actions import SubscriptionError

    try:
        outcome = bounces.handle(raw)
    except SubscriptionError as error:
        logger.info("A bounce in the feedback mail was refused: %s", error)
        return
    logger.info("A bounce in the feedback mail: %s, %s subscriber(s) changed", outcome.kind, outcome.changed)
