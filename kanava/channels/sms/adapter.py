"""The SMS channel: plain text to subscribers' phones through an HTTP gateway.

Deliveries are batched (one per language and recipient batch, planned by the
outbox); each batch is sent in requests of at most
``max_recipients_per_request`` numbers.  Every recipient carries a reference
unique to it, so after a crash or an unanswered request the gateway can be
asked what it accepted, and no SMS is ever sent twice.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import Adapter, ChannelError, Draft, Length, Problem
from kanava.channels.sms import segments
from kanava.channels.sms.config import SmsConfig
from kanava.channels.sms.gateway import Answer, GatewayClient, GatewayError

#: A gateway error code meaning the number does not exist: stop sending to it.
INVALID_NUMBER = "invalid_number"


@dataclass(frozen=True)
class Estimate:
    """What sending one text to some recipients takes and costs.

    ``cost`` is in euros: recipients x segments x the channel's price per
    segment, rounded to the cent.
    """

    count: segments.Segments
    recipients: int
    price_per_segment_cents: Decimal
    cost: Decimal

    @property
    def segments(self) -> int:
        return self.count.segments

    @property
    def encoding(self) -> str:
        return self.count.encoding

    @property
    def total_segments(self) -> int:
        return self.count.segments * self.recipients


def _visible(character: str) -> str:
    """A character as an editor can see it in a warning (tabs and the like by code point)."""
    return character if character.isprintable() else f"U+{ord(character):04X}"


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SmsAdapter(Adapter):
    kind = "sms"
    batched = True
    subscriber_kind = "sms"
    config_class = SmsConfig
    config: SmsConfig
    secret_fields = {
        "password": gettext_lazy("Gateway password"),
        "token": gettext_lazy("Gateway API token (instead of a user name and password)"),
        "webhook_secret": gettext_lazy("Secret for signing incoming SMS (X-Kanava-Signature)"),
    }

    @property
    def batch_size(self) -> int:
        return settings.SMS_BATCH_SIZE

    # -- composing -----------------------------------------------------------
    def derive(self, message, version) -> Draft:
        return Draft(title="", text=version.plain_text())

    def length(self, variant) -> Length:
        count = segments.count(variant.text or "")
        return Length(used=count.segments, limit=int(self.config.max_segments), unit=str(_("SMS segments")),
                      detail=f"{count.encoding}, {count.units}")

    def validate(self, variant) -> list[Problem]:
        return self.validate_text(variant.text or "", variant.language)

    def validate_text(self, text: str, language: str = "") -> list[Problem]:
        """Problems of an SMS text: empty or too many segments (errors), UCS-2 (a warning naming the characters)."""
        if not text.strip():
            return [Problem("empty", _("The SMS text is empty."), language=language)]
        problems = []
        count = segments.count(text)
        if count.segments > int(self.config.max_segments):
            problems.append(Problem(
                "too_long",
                _("The SMS takes %(segments)s segments; %(channel)s allows at most %(limit)s. Shorten the text.")
                % {"segments": count.segments, "channel": self.channel.name, "limit": self.config.max_segments},
                language=language,
            ))
        odd = segments.non_gsm_characters(text)
        if odd:
            problems.append(Problem(
                "unicode",
                _("These characters are not in the GSM alphabet, so the SMS is sent as UCS-2 with 70 characters "
                  "per segment instead of 160: %(characters)s")
                % {"characters": " ".join(_visible(c) for c in odd)},
                severity="warning",
                language=language,
            ))
        return problems

    def estimate_text(self, text: str, recipients: int) -> Estimate:
        """Segments and cost of sending ``text`` to ``recipients`` numbers."""
        count = segments.count(text or "")
        price = Decimal(str(self.config.price_per_segment_cents))
        cost = (price * count.segments * recipients / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return Estimate(count=count, recipients=recipients, price_per_segment_cents=price, cost=cost)

    def estimate(self, variant, recipients: int | None = None) -> Estimate:
        """Segments, encoding, recipients and cost of one language's variant.

        Without ``recipients``, counts the confirmed SMS subscribers of the
        variant's language who follow the message's topic, exactly as the
        outbox will plan them.
        """
        if recipients is None:
            from kanava.publishing.outbox import subscribers_for

            recipients = subscribers_for(variant.message, self.subscriber_kind, variant.language).count()
        return self.estimate_text(variant.text, recipients)

    # -- delivering -----------------------------------------------------------
    def client(self) -> GatewayClient:
        return GatewayClient(self.config, self.secrets)

    @staticmethod
    def reference(delivery, recipient) -> str:
        """Unique per recipient of a delivery, and the same on every attempt."""
        return f"{delivery.idempotency_key}-r{recipient.id}"

    def _require_ready(self) -> None:
        problems = self.config.problems()
        if problems:
            raise ChannelError(" ".join(problems), permanent=True)

    def send_batch(self, delivery, variants, recipients) -> None:
        """Send the delivery's queued recipients their language's text.

        Follows the RecipientLog protocol: ``sending`` before each request,
        then ``sent`` or ``rejected`` per answer.  On a failed request the
        recipients that surely were not sent go back to the queue, those the
        gateway may have taken are looked up by reference, and only those it
        cannot tell about become uncertain; then the error is raised for the
        outbox to retry (honouring Retry-After) or give up.
        """
        variant = variants.get(delivery.language)
        if variant is None or not (variant.text or "").strip():
            raise ChannelError(_("There is no SMS text in this language."), permanent=True)
        self._require_ready()
        size = max(1, int(self.config.max_recipients_per_request))
        with self.client() as client:
            for chunk in recipients.queued():
                for part in _chunks(list(chunk), size):
                    self._send_part(client, delivery, variant.text, part, recipients)

    def _send_part(self, client: GatewayClient, delivery, text: str, part: list, log) -> None:
        by_reference = {self.reference(delivery, r): r for r in part}
        log.sending(part)
        try:
            answers = client.send(text, [(r.address, ref) for ref, r in by_reference.items()])
        except GatewayError as error:
            if not error.handed_over:
                log.release(part)
                raise
            # The gateway may have taken them: ask.  If it can account for
            # every one, nothing is left to retry and the batch goes on.
            if self._settle_by_lookup(client, by_reference, log):
                raise
            return
        self._record(client, answers, by_reference, log)

    def _record(self, client: GatewayClient, answers: list[Answer], by_reference: dict, log) -> None:
        by_number = {r.address: ref for ref, r in by_reference.items()}
        unanswered = dict(by_reference)
        for answer in answers:
            reference = answer.reference if answer.reference in unanswered else by_number.get(answer.to)
            recipient = unanswered.pop(reference, None) if reference else None
            if recipient is not None:
                self._apply(answer, recipient, log)
        if unanswered:  # the gateway left some out: ask rather than guess
            self._settle_by_lookup(client, unanswered, log)

    def _apply(self, answer: Answer, recipient, log) -> None:
        if answer.accepted:
            log.sent(recipient, answer.id)
        else:
            log.rejected(recipient, answer.error or _("Rejected by the SMS gateway."),
                         bounced=answer.error == INVALID_NUMBER)

    def _settle_by_lookup(self, client: GatewayClient, by_reference: dict, log) -> int:
        """Settle recipients by asking the gateway; returns how many were left unsent or unknown."""
        open_left = 0
        for reference, recipient in by_reference.items():
            try:
                answers = client.lookup(reference)
            except GatewayError:
                log.uncertain([recipient])
                open_left += 1
                continue
            accepted = [a for a in answers if a.accepted]
            if accepted:
                log.sent(recipient, accepted[0].id)
            elif answers:
                self._apply(answers[0], recipient, log)
            else:
                log.release([recipient])
                open_left += 1
        return open_left

    def lookup_recipient(self, delivery, recipient) -> bool | None:
        """After a crash: True if the gateway accepted this recipient's SMS, False if it has none, None if unknown."""
        # The outbox asks once per recipient: one kept-alive session for all.
        if getattr(self, "_lookup_client", None) is None:
            self._lookup_client = self.client()
        try:
            answers = self._lookup_client.lookup(self.reference(delivery, recipient))
        except GatewayError:
            return None
        return any(a.accepted for a in answers)

    # -- single messages (codes, keyword replies) ------------------------------------
    def send_text(self, to: str, text: str, reference: str) -> str:
        """Send one SMS now; returns the gateway's id.  Raises :class:`ChannelError`."""
        self._require_ready()
        with self.client() as client:
            answers = client.send(text, [(to, reference)])
        answer = next((a for a in answers if a.reference in (reference, "") or a.to == to), None)
        if answer is None or not answer.accepted:
            error = answer.error if answer else ""
            raise ChannelError(_("The SMS gateway rejected the message: %(error)s") % {"error": error or "-"},
                               permanent=True)
        return answer.id
