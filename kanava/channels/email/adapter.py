"""The email newsletter channel: a message to every subscriber, in their language.

Deliveries are recipient batches (``settings.EMAIL_BATCH_SIZE``).  A batch
is sent over one SMTP connection; the message is rendered once per batch and
personalised per recipient by substitution (see :mod:`.compose`).

Bookkeeping follows the :class:`~kanava.channels.base.RecipientLog`
contract so that a crash or an error never loses or repeats a message:

* a chunk of recipients is marked ``sending`` before any of it is handed over,
  and each recipient ``sent`` right after the server accepted it;
* 5xx to RCPT that says the mailbox does not exist (5.1.x, or a bare 550,
  551 or 553): the recipient is rejected as bounced (never mailed again);
  any other 5xx (policy, relaying) rejects this message to this recipient
  only, and :data:`REFUSAL_LIMIT` identical refusals in a row stop the
  batch: that is a server that refuses us, not a list of dead addresses;
* 4xx or a broken connection: the recipients not yet tried go back to the
  queue, one whose content was already handed over is ``uncertain``, and a
  transient :class:`ChannelError` makes the outbox retry the rest later;
* an error before a recipient's message reached the server (settings that
  cannot be written into headers, say): nobody is uncertain, the rest go back
  to the queue and a permanent :class:`ChannelError` tells a person.
"""

import logging
from dataclasses import dataclass
from email.errors import MessageError
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.audience.models import Subscriber
from kanava.channels.base import (
    Adapter, ChannelError, Draft, Fetched, Length, LookupUnsupported, Problem, Reply,
)
from kanava.channels.email import addresses, answers, compose, inbound, intake, mailbox, sender
from kanava.channels.email.config import IMAP_PASSWORD, INBOUND_SECRET, PASSWORD, EmailConfig
from kanava.core.sites import site_base_url

__all__ = ["EmailAdapter", "EmailConfig", "REFUSAL_LIMIT"]

logger = logging.getLogger("kanava.email")
SUBJECT_LIMIT = 150
#: Identical non-mailbox refusals in a row after which a batch stops.
REFUSAL_LIMIT = 20


@dataclass
class _Streak:
    """Identical refusals in a row, within one batch."""

    kind: str = ""
    count: int = 0

    def add(self, kind: str) -> int:
        self.count = self.count + 1 if kind == self.kind else 1
        self.kind = kind
        return self.count

    def reset(self) -> None:
        self.kind, self.count = "", 0


class EmailAdapter(Adapter):
    kind = "email"
    batched = True
    subscriber_kind = "email"
    # One message at a time, in queue order, each marked sent right after the
    # server accepts it: after a crash at most one recipient is in doubt.
    max_in_flight = 1
    secret_fields = {PASSWORD: gettext_lazy("SMTP password"), "webhook_secret": gettext_lazy("Bounce webhook secret"),
                     IMAP_PASSWORD: gettext_lazy("IMAP password of the feedback mailbox"),
                     INBOUND_SECRET: gettext_lazy("Inbound mail secret (for mail pushed to Kanava)")}
    can_reply = True
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
        problems = self.config.problems()
        if problems:
            raise ChannelError(_("The newsletter's settings cannot be used: %(problems)s")
                               % {"problems": " ".join(problems)}, permanent=True)
        batch = None
        streak = _Streak()
        with sender.Connection(self._server()) as smtp:
            for chunk in log.queued():
                if batch is None:  # first chunk: render once and connect before marking anyone
                    batch = self._build(delivery, variant)
                    self._connect(smtp)
                log.sending(chunk)
                self._send_chunk(smtp, batch, chunk, log, streak)

    def lookup_recipient(self, delivery, recipient) -> bool | None:
        return None  # SMTP cannot tell whether an earlier hand-over arrived

    def _build(self, delivery, variant) -> compose.Batch:
        try:
            return compose.build(delivery, variant, self.sender(delivery), self._base_url(delivery))
        except (ValueError, UnicodeError, MessageError) as error:
            raise ChannelError(_("The newsletter could not be written: %(error)s") % {"error": error},
                               permanent=True) from error

    def _send_chunk(self, smtp, batch, chunk, log, streak: _Streak) -> None:
        for index, recipient in enumerate(chunk):
            if recipient.subscriber.state != Subscriber.State.CONFIRMED:
                log.rejected(recipient, _("The subscription ended before the message was sent."))
                continue
            address, sid = recipient.address, recipient.subscriber_id
            if sender.unusable(address):
                log.rejected(recipient, _("The address contains characters that email does not allow."))
                continue
            envelope, data = self._message(batch, recipient, chunk[index:], log)
            try:
                smtp.send(envelope, address, data, utf8=batch.utf8)
            except sender.BadAddress as error:
                log.rejected(recipient, str(error))
            except sender.Refused as error:
                if error.mailbox:
                    log.rejected(recipient, str(error), bounced=True)
                    streak.reset()
                else:
                    self._refused(recipient, error, chunk[index + 1:], log, streak)
            except sender.ContentRefused as error:
                self._refused(recipient, error, chunk[index + 1:], log, streak)
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
                streak.reset()

    @staticmethod
    def _message(batch, recipient, unsent, log) -> tuple[str, bytes]:
        """One recipient's envelope sender and message.

        Nothing of it has reached the server yet, so a failure here puts this
        recipient and the rest back in the queue (nobody is uncertain) and
        raises a permanent :class:`ChannelError`: the next try would fail alike.
        """
        try:
            sid = recipient.subscriber_id
            return batch.envelope_sender(sid), batch.message(recipient.address, sid)
        except Exception as error:
            logger.exception("Could not write the newsletter for recipient %s", recipient.pk)
            log.release(unsent)
            raise ChannelError(_("The newsletter could not be written: %(error)s") % {"error": error},
                               permanent=True) from error

    @staticmethod
    def _refused(recipient, error, rest, log, streak: _Streak) -> None:
        """A refusal that says nothing about the mailbox: this recipient only, unless it is all the server says."""
        log.rejected(recipient, str(error))
        if streak.add(error.kind) >= REFUSAL_LIMIT:
            log.release(rest)
            raise ChannelError(
                _("The mail server refused %(count)s recipients in a row with the same answer, so sending "
                  "stopped: %(error)s") % {"count": streak.count, "error": error}, permanent=True)

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
        return sender.Server(host=config.host, port=config.port, user=config.user,
                             password=config.password(self.secrets), starttls=config.starttls, ssl=config.ssl,
                             timeout=config.timeout)

    def sender(self, delivery) -> compose.Sender:
        """Who the newsletter is from; raises ``ValueError`` for an address that cannot be written."""
        config = self.config
        organisation = delivery.organisation
        address = self._sender_address()
        name = config.from_name or organisation.display_name(delivery.language or organisation.majority_language)
        domain = address.rpartition("@")[2]
        list_id = config.list_id.strip() or f"{self.channel.pk}.{organisation.slug}.{domain}"
        bounce_domain = config.bounce_domain.strip()
        return compose.Sender(from_name=name, from_address=address, reply_to=config.reply_to.strip(),
                              list_id=list_id,
                              bounce_domain=addresses.ascii_domain(bounce_domain) if bounce_domain else "")

    def _base_url(self, delivery) -> str:
        return site_base_url(delivery.organisation)

    # -- the inbox: residents' mail and our answers -------------------------------
    def fetch_replies(self, cursor: dict, posts: list) -> Fetched:
        """Messages that reached the feedback mailbox after ``cursor`` (a UID cursor, see :mod:`.mailbox`).

        ``posts`` is not needed: a reply to a newsletter names it in its
        ``References``.  Automatic mail, reports and our own answers are
        passed over (a newsletter bounce with a VERP token is recorded);
        the cursor moves past them too.
        """
        if not self.config.reads_mailbox:
            return Fetched(cursor=cursor)
        try:
            with mailbox.Session(self.config.mailbox(self.secrets)) as session:
                harvest = session.read(cursor or {})
        except mailbox.MailboxError as error:
            raise ChannelError(_("Could not read the feedback mailbox: %(error)s") % {"error": error},
                               permanent=error.permanent) from error
        items = []
        for stored in harvest.messages:
            found = intake.read(stored.raw, received_at=stored.arrived)
            if isinstance(found, intake.Skipped):
                logger.info("Feedback mail UID %s on channel %s is not an inbox item: %s", stored.uid,
                            self.channel.pk, found.reason)
                if found.reason == "bounce":
                    inbound.record_bounce(stored.raw)
                continue
            found.extra["uid"] = stored.uid
            items.append(found)
        return Fetched(items=items, cursor=harvest.cursor)

    def send_reply(self, reply: Reply):
        """Email the answer to the resident, threaded under their message; returns its Message-ID as a PostRef.

        A connection that breaks after the answer was handed to the server
        leaves it unknown whether it arrived: that is a permanent error
        saying so, for a person to check, never an automatic second email.
        """
        from kanava.channels.social.adapter import PostRef

        problems = self.config.problems()
        if problems:
            raise ChannelError(_("The email channel's settings cannot be used: %(problems)s")
                               % {"problems": " ".join(problems)}, permanent=True)
        answer = self._answer(reply)
        with sender.Connection(self._server()) as smtp:
            self._connect(smtp)
            self._hand_over(smtp, answer)
        return PostRef(id=answer.message_id)

    def find_reply(self, reply: Reply):
        """The answer, when the mail server files what it sends in ``imap_sent_folder`` and it is there.

        Otherwise nothing can tell whether an interrupted SMTP transaction
        delivered it: :class:`LookupUnsupported` (the answer is uncertain).
        """
        from kanava.channels.social.adapter import PostRef

        folder = self.config.imap_sent_folder.strip()
        if not (folder and self.config.reads_mailbox):
            raise LookupUnsupported
        try:
            identifier = answers.answer_id(reply.key, self._sender_address().rpartition("@")[2])
        except ValueError as error:  # a sender address that could never have sent it
            raise LookupUnsupported from error
        try:
            with mailbox.Session(self.config.mailbox(self.secrets, folder)) as session:
                found = session.find(folder, f"<{identifier}>")
        except mailbox.MailboxError as error:
            raise ChannelError(_("Could not read the feedback mailbox: %(error)s") % {"error": error},
                               permanent=error.permanent) from error
        if not found:
            raise LookupUnsupported  # not filed (yet): it may still have been delivered
        return PostRef(id=identifier)

    def _answer(self, reply: Reply) -> answers.Answer:
        organisation = self.channel.organisation
        language = reply.language or organisation.majority_language
        try:
            return answers.build(reply, from_address=self._sender_address(),
                                 reply_to=self.config.reply_to.strip(),
                                 organisation_name=organisation.display_name(language))
        except (ValueError, UnicodeError, MessageError) as error:
            raise ChannelError(_("The answer could not be written as an email: %(error)s") % {"error": error},
                               permanent=True) from error

    def _hand_over(self, smtp, answer: answers.Answer) -> None:
        try:
            smtp.send(answer.envelope_sender, answer.recipient, answer.data, utf8=answer.utf8)
        except sender.BadAddress as error:
            raise ChannelError(str(error), permanent=True) from error
        except (sender.Refused, sender.ContentRefused) as error:
            raise ChannelError(_("The mail server refused the answer: %(error)s") % {"error": error},
                               permanent=True) from error
        except sender.SenderRefused as error:
            raise ChannelError(_("The mail server refused the sender address: %(error)s") % {"error": error},
                               permanent=True) from error
        except sender.Busy as error:
            raise ChannelError(_("The mail server asked to try again later: %(error)s") % {"error": error}) from error
        except sender.Lost as error:
            if error.in_flight:
                raise ChannelError(
                    _("The connection to the mail server broke after the answer was handed over, so it may have "
                      "arrived. Ask the resident or check the mail server before sending it again."),
                    uncertain=True) from error
            raise ChannelError(_("The connection to the mail server broke: %(error)s") % {"error": error}) from error

    def _sender_address(self) -> str:
        address = self.config.from_address.strip() or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "kanava@localhost"
        return addresses.header_form(address)
