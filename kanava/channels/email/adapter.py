"""The email newsletter channel: a message to every subscriber, in their language.

Deliveries are recipient batches (``settings.EMAIL_BATCH_SIZE``).  A batch
is sent over one SMTP connection; the message is rendered once per batch and
personalised per recipient by substitution (see :mod:`.compose`).

Bookkeeping follows the :class:`~kanava.channels.base.RecipientLog`
contract so that a crash or an error never loses or repeats a message:

* a chunk of recipients is marked ``sending`` before any of it is handed over,
  and each recipient ``sent`` right after the server accepted it;
* 5xx to RCPT: the recipient is rejected as bounced (never mailed again);
* 4xx or a broken connection: the recipients not yet tried go back to the
  queue, one whose content was already handed over is ``uncertain``, and a
  transient :class:`ChannelError` makes the outbox retry the rest later.
"""

from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kanava.audience import links
from kanava.audience.models import Subscriber
from kanava.channels.base import Adapter, ChannelError, Config, Draft, Length, Problem
from kanava.channels.email import compose, sender

SUBJECT_LIMIT = 150


def _default(name: str, fallback=""):
    return field(default_factory=lambda: getattr(settings, name, fallback))


@dataclass
class EmailConfig(Config):
    """What an email channel is configured with; the password is in ``channel.secrets["smtp_password"]``."""

    from_name: str = ""  # default: the organisation's name in the message's language
    from_address: str = ""  # default: the address in DEFAULT_FROM_EMAIL
    reply_to: str = ""
    list_id: str = ""  # default: <channel id>.<organisation slug>.<sender's domain>
    smtp_host: str = _default("EMAIL_HOST", "127.0.0.1")
    smtp_port: int = _default("EMAIL_PORT", 25)
    smtp_user: str = _default("EMAIL_HOST_USER")
    smtp_tls: bool = _default("EMAIL_USE_TLS", False)
    smtp_ssl: bool = False
    smtp_timeout: float = _default("EMAIL_TIMEOUT", 30)
    # Bounces go to bounces+<token>@bounce_domain (VERP) when this is set.
    bounce_domain: str = ""


class EmailAdapter(Adapter):
    kind = "email"
    batched = True
    subscriber_kind = "email"
    # One message at a time, in queue order, each marked sent right after the
    # server accepts it: after a crash at most one recipient is in doubt.
    max_in_flight = 1
    secret_fields = {"password": _lazy("SMTP password"), "webhook_secret": _lazy("Bounce webhook secret")}
    config_class = EmailConfig
    config: EmailConfig

    @property
    def batch_size(self) -> int:
        return settings.EMAIL_BATCH_SIZE

    # -- composing ---------------------------------------------------------------
    def derive(self, message, version) -> Draft:
        return Draft(title=version.title, text=version.body)

    def length(self, variant) -> Length:
        return Length(used=len(variant.title or ""), limit=SUBJECT_LIMIT, unit=_("characters"),
                      detail=_("Subject"))

    def validate(self, variant) -> list[Problem]:
        problems = []
        subject = (variant.title or "").strip()
        if not subject:
            problems.append(Problem("subject_missing", _("The email has no subject."), language=variant.language))
        elif len(variant.title) > SUBJECT_LIMIT:
            problems.append(Problem(
                "too_long",
                _("The email subject is too long: %(used)s of %(limit)s characters.")
                % {"used": len(variant.title), "limit": SUBJECT_LIMIT},
                language=variant.language))
        if not (variant.text or "").strip():
            problems.append(Problem("body_missing", _("The email has no text."), language=variant.language))
        return problems

    # -- delivering --------------------------------------------------------------
    def send_batch(self, delivery, variants, log) -> None:
        """Send the batch to every queued recipient over one connection.

        Raises :class:`ChannelError` (transient) after putting back what was
        not handed over, or (permanent) when nothing can be sent at all.
        """
        variant = variants.get(delivery.language) or next(iter(variants.values()), None)
        if variant is None:
            raise ChannelError(_("There is no email text for this language."), permanent=True)
        batch = None
        with sender.Connection(self._server()) as smtp:
            for chunk in log.queued():
                if batch is None:  # first chunk: render once and connect before marking anyone
                    batch = compose.build(delivery, variant, self.sender(delivery), self._base_url(delivery))
                    self._connect(smtp)
                log.sending(chunk)
                self._send_chunk(smtp, batch, chunk, log)

    def lookup_recipient(self, delivery, recipient) -> bool | None:
        return None  # SMTP cannot tell whether an earlier hand-over arrived

    def _send_chunk(self, smtp, batch, chunk, log) -> None:
        for index, recipient in enumerate(chunk):
            if recipient.subscriber.state != Subscriber.State.CONFIRMED:
                log.rejected(recipient, _("The subscription ended before the message was sent."))
                continue
            address, sid = recipient.address, recipient.subscriber_id
            try:
                smtp.send(batch.envelope_sender(sid), address, batch.message(address, sid))
            except sender.Refused as error:
                log.rejected(recipient, str(error), bounced=True)
            except sender.ContentRefused as error:
                log.rejected(recipient, str(error))
            except sender.SenderRefused as error:
                log.release(chunk[index:])
                raise ChannelError(_("The mail server refused the sender address: %(error)s") % {"error": error},
                                   permanent=True)
            except sender.Busy as error:
                log.release(chunk[index:])
                raise ChannelError(_("The mail server asked to try again later: %(error)s") % {"error": error})
            except sender.Lost as error:
                if error.in_flight:
                    log.uncertain([recipient])
                log.release(chunk[index + 1:] if error.in_flight else chunk[index:])
                raise ChannelError(_("The connection to the mail server broke: %(error)s") % {"error": error})
            except Exception:
                # Unknown state (a bug, most likely): never resend blindly.
                log.uncertain([recipient])
                log.release(chunk[index + 1:])
                raise
            else:
                log.sent(recipient, batch.message_id(sid))

    def _connect(self, smtp) -> None:
        try:
            smtp.open()
        except sender.CannotConnect as error:
            if error.permanent:
                raise ChannelError(_("The mail server did not accept the login: %(error)s") % {"error": error},
                                   permanent=True)
            raise ChannelError(_("Could not connect to the mail server: %(error)s") % {"error": error})

    # -- configuration -----------------------------------------------------------
    def _server(self) -> sender.Server:
        config = self.config
        password = self.secrets.get("smtp_password", "")
        if not password and config.smtp_user and config.smtp_user == getattr(settings, "EMAIL_HOST_USER", ""):
            password = getattr(settings, "EMAIL_HOST_PASSWORD", "")
        return sender.Server(host=config.smtp_host, port=int(config.smtp_port), user=config.smtp_user,
                             password=password, starttls=bool(config.smtp_tls), ssl=bool(config.smtp_ssl),
                             timeout=float(config.smtp_timeout))

    def sender(self, delivery) -> compose.Sender:
        config = self.config
        organisation = delivery.organisation
        address = config.from_address or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "kanava@localhost"
        name = config.from_name or organisation.display_name(delivery.language or organisation.majority_language)
        domain = address.rpartition("@")[2] or "localhost"
        list_id = config.list_id or f"{self.channel.pk}.{organisation.slug}.{domain}"
        return compose.Sender(from_name=name, from_address=address, reply_to=config.reply_to, list_id=list_id,
                              bounce_domain=config.bounce_domain.strip().lower())

    def _base_url(self, delivery) -> str:
        return links.site_base_url(delivery.organisation)
