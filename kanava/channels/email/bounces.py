"""Mail that comes back: delivery status notifications and unsubscribe requests.

A bounce is read from a delivery status notification (DSN, RFC 3464) or, for
servers that do not send one, from an ``X-Failed-Recipients`` header.  The
subscriber is found by the VERP token in the address the bounce was sent to
(``bounces+<token>@<bounce domain>``), which cannot be forged, or else by the
failed recipient's address, but only within an organisation the caller names:
anybody can write a DSN, so an address-only bounce without an organisation
changes nothing (:class:`Outcome` ``"refused"``), and a bounce address whose
token does not verify is never read by its address instead.  Mail to
``unsubscribe+<token>@<bounce domain>`` (the ``mailto:`` of
``List-Unsubscribe``) unsubscribes.

Auto-replies (holiday notices) also come back to the envelope sender; they
are not DSNs and are ignored, so they never end a subscription.
"""

import email
import email.policy
import re
from dataclasses import dataclass, field

from kanava.audience import actions
from kanava.core.audit import Actor

# Any token, well formed or not: a bad one is refused, never ignored.
_VERP = re.compile(r"\b(bounces|unsubscribe)\+([^@\s<>\"]+)@", re.I)
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


@dataclass
class Failure:
    address: str
    permanent: bool
    status: str = ""
    diagnostic: str = ""


@dataclass
class Outcome:
    """What an inbound mail was and what it changed."""

    kind: str  # "bounce", "unsubscribe", "ignored" or "refused"
    changed: int = 0
    failures: list[Failure] = field(default_factory=list)
    note: str = ""


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def failures_in(message) -> list[Failure]:
    """Failed or delayed recipients reported by a DSN or ``X-Failed-Recipients``."""
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload() or []:
            failure = _failure(block)
            if failure is not None:
                found.append(failure)
    if not found and message.get("X-Failed-Recipients"):
        for address in str(message["X-Failed-Recipients"]).split(","):
            if address.strip():
                found.append(Failure(address.strip(), permanent=True, diagnostic="X-Failed-Recipients"))
    return found


def _failure(block) -> Failure | None:
    if not hasattr(block, "get"):
        return None
    action = str(block.get("Action", "")).strip().lower()
    recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
    if action not in ("failed", "delayed") or not recipient:
        return None
    address = recipient.partition(";")[2].strip() or recipient.strip()
    status = str(block.get("Status", "")).strip()
    permanent = action == "failed" and not status.startswith("4")
    return Failure(address.strip("<>"), permanent, status, " ".join(str(block.get("Diagnostic-Code", "")).split()))


def verp_of(message, envelope_recipient: str = "") -> tuple[str, str] | None:
    """``("bounces" | "unsubscribe", token)`` from the envelope recipient or the headers."""
    candidates = [envelope_recipient] + [str(value) for name in _ENVELOPE_HEADERS
                                         for value in (message.get_all(name) or [])]
    for candidate in candidates:
        match = _VERP.search(candidate or "")
        if match:
            return match.group(1).lower(), match.group(2).lower()
    return None


def handle(data: bytes, *, envelope_recipient: str = "", organisation=None, actor: Actor | None = None) -> Outcome:
    """Record what one inbound mail says.  Raises ``SubscriptionError`` for a forged token.

    Without ``organisation`` only bounces and unsubscribe mails with a VERP
    token act; a DSN that names addresses only is ``"refused"``.
    """
    actor = actor or Actor.system("email bounce")
    message = parse(data)
    verp = verp_of(message, envelope_recipient)
    if verp and verp[0] == "unsubscribe":
        subscriber = actions.do_unsubscribe_by_address_token(actor, verp[1])
        return Outcome("unsubscribe", changed=int(subscriber is not None))
    failures = failures_in(message)
    if not failures:
        return Outcome("ignored", note="not a delivery status notification")
    if verp:
        # The token names the subscriber exactly; the DSN says how bad it is.
        permanent = any(f.permanent for f in failures)
        reason = next((f.diagnostic or f.status for f in failures if f.permanent == permanent), "")
        changed = actions.do_record_bounce(actor, token=verp[1], organisation=organisation, permanent=permanent,
                                           reason=reason)
        return Outcome("bounce", changed=len(changed), failures=failures)
    if organisation is None:
        return Outcome("refused", failures=failures,
                       note="it has no VERP token and no organisation was named, so anyone could have written it")
    changed = 0
    for failure in failures:
        try:
            changed += len(actions.do_record_bounce(actor, address=failure.address, organisation=organisation,
                                                    permanent=failure.permanent,
                                                    reason=failure.diagnostic or failure.status))
        except actions.SubscriptionError:
            continue  # not an address at all: nothing of ours
    return Outcome("bounce", changed=changed, failures=failures)
