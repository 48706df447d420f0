"""The press channel: a release emailed to the newsrooms of the delivery's language.

Each contact gets their own copy (text and HTML inline, the release as PDF
and the message's images attached) over one SMTP connection.  A receipt per
contact records the outcome, so a retry after a lost connection sends only
to those not yet reached, and after a crash :meth:`lookup` can tell what
surely went out.

A copy in the server's hands when the connection broke may or may not have
arrived: its receipt becomes ``uncertain`` and is never sent again on the
outbox's own; once everybody else is done the delivery ends ``uncertain``
and a person decides (like the email channel's recipients).
"""

from __future__ import annotations

import smtplib

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kanava.channels.base import Adapter, ChannelError, Draft, LookupUnsupported, Problem, PublishResult
from kanava.channels.press import mail
from kanava.channels.press.mail import Attachment, PressConfig, Release
from kanava.channels.press.models import PressContact, PressReceipt
from kanava.core.models import LANGUAGE_NAMES
from kanava.publishing.render import markdown_to_html, markdown_to_text

S = PressReceipt.State


class PressAdapter(Adapter):
    kind = "press"
    per_language = True
    config_class = PressConfig

    def derive(self, message, version) -> Draft:
        return Draft(title=version.title, text=version.body)

    def validate(self, variant) -> list[Problem]:
        problems = super().validate(variant)
        has_contacts = PressContact.objects.filter(organisation=self.channel.organisation_id,
                                                   language=variant.language, active=True).exists()
        if not has_contacts:
            problems.append(Problem(
                "no_press_contacts",
                _("No newsroom receives press releases in %(language)s, so %(channel)s will send this version "
                  "to nobody. Add press contacts first.")
                % {"language": LANGUAGE_NAMES.get(variant.language, variant.language), "channel": self.channel.name},
                severity="warning",
                language=variant.language,
            ))
        return problems

    # -- publishing ---------------------------------------------------------------
    def publish(self, delivery, variants, idempotency_key) -> PublishResult:
        variant = variants.get(delivery.language)
        if variant is None:
            raise ChannelError(_("The message has no %(language)s text for the press release.")
                               % {"language": LANGUAGE_NAMES.get(delivery.language, delivery.language)},
                               permanent=True)
        to_send = _due(self._receipts(delivery))
        if to_send:
            release = self._release(delivery, variant)
            self._send_all(delivery, release, to_send, idempotency_key)
        result = self._result(delivery)
        if result.detail["uncertain"]:
            _leave_for_a_person(delivery, result)
        return result

    def lookup(self, delivery, idempotency_key) -> PublishResult | None:
        """What a crashed attempt did.

        None when some contacts were surely not reached yet (publishing again
        sends only to them, then leaves any uncertain copy to a person);
        raises :class:`LookupUnsupported` when a copy was in the SMTP server's
        hands at the moment of the crash, or only uncertain copies are left.
        """
        states = set(PressReceipt.objects.filter(delivery=delivery).values_list("state", flat=True))
        if S.SENDING in states or (S.UNCERTAIN in states and S.QUEUED not in states):
            raise LookupUnsupported
        if not states or S.QUEUED in states:
            return None
        return self._result(delivery)

    def _receipts(self, delivery) -> list[PressReceipt]:
        """The contacts of this delivery, fixed at its first attempt."""
        with transaction.atomic():
            existing = list(PressReceipt.objects.filter(delivery=delivery))
            if existing:
                return existing
            contacts = PressContact.objects.filter(organisation=delivery.organisation_id,
                                                   language=delivery.language, active=True).order_by("id")
            PressReceipt.objects.bulk_create([
                PressReceipt(delivery=delivery, contact=contact, email=contact.email, newsroom=contact.newsroom)
                for contact in contacts
            ])
            return list(PressReceipt.objects.filter(delivery=delivery))

    def _send_all(self, delivery, release: Release, receipts: list[PressReceipt], idempotency_key: str) -> None:
        """Send each copy over one connection.

        A contact refused with a 5xx reply is recorded and skipped.  A 4xx
        reply puts that copy back in the queue.  A lost connection makes the
        copy in flight uncertain and stops; the copies not yet attempted stay
        queued.  While anything is left in the queue a transient ChannelError
        tells the outbox to try again later.
        """
        connection = mail.open_connection(self.config, self.secrets)
        postponed, lost = 0, None
        try:
            for receipt in receipts:
                try:
                    postponed += _send_one(connection, release, receipt, idempotency_key)
                except _ConnectionLost as error:
                    lost = error.__cause__
                    break
        finally:
            mail.close(connection)
        if lost is not None and PressReceipt.objects.filter(delivery=delivery, state=S.QUEUED).exists():
            raise ChannelError(_("The connection to the mail server was lost: %(error)s")
                               % {"error": mail._reply(lost)}) from lost
        if postponed:
            raise ChannelError(_("%(count)s newsrooms could not take the release yet; trying again later.")
                               % {"count": postponed})
        states = set(PressReceipt.objects.filter(delivery=delivery).values_list("state", flat=True))
        if states == {S.REFUSED}:
            raise ChannelError(_("Every newsroom's mail server refused the press release."), permanent=True)

    def _release(self, delivery, variant) -> Release:
        from kanava.channels.print.render import Text, online_url, render_bulletin

        message, organisation, language = delivery.message, delivery.organisation, delivery.language
        version = variant.version
        summary = version.summary if version else ""
        with translation.override(language):
            name = organisation.display_name(language)
            context = {
                "language": language,
                "organisation_name": name,
                "title": variant.title,
                "summary": summary,
                "text": markdown_to_text(variant.text),
                "body_html": mark_safe(markdown_to_html(variant.text)),  # sanitised
                "online_url": online_url(message, language),
                "published_on": timezone.localtime(message.published_at or timezone.now(), organisation.tz).date(),
                "contact_email": self.config.reply_to or organisation.contact_email,
                "voice": _voice(message, language),
            }
            subject = _("Press release: %(title)s") % {"title": variant.title}
            text = render_to_string("press/release.txt", context)
            html = render_to_string("press/release.html", context)
        pdf = render_bulletin(message, languages=[language],
                              texts={language: Text(title=variant.title, body=variant.text, summary=summary)})
        stem = slugify(variant.title)[:60] or f"release-{message.pk}"
        attachments = [Attachment(f"{stem}.pdf", pdf, "application/pdf")]
        attachments += [a for a in (mail.image_attachment(image) for image in message.images.all()) if a]
        return Release(subject=subject, text=text, html=html, sender=self.config.sender(name),
                       reply_to=self.config.reply_to or organisation.contact_email, language=language,
                       attachments=attachments)

    def _result(self, delivery) -> PublishResult:
        receipts = list(PressReceipt.objects.filter(delivery=delivery))
        sent = sum(1 for r in receipts if r.state == S.SENT)
        refused = sum(1 for r in receipts if r.state == S.REFUSED)
        detail = {
            "sent": sent,
            "refused": refused,
            "uncertain": sum(1 for r in receipts if r.state == S.UNCERTAIN),
            "contacts": [{"contact": r.contact_id, "newsroom": r.newsroom, "email": r.email, "state": r.state,
                          "message_id": r.message_id, "error": r.error} for r in receipts],
        }
        if not receipts:
            with translation.override(delivery.organisation.majority_language):
                detail["note"] = _("No active press contacts take releases in this language; nobody was sent to.")
        return PublishResult(external_id=delivery.idempotency_key if sent else "", url="", detail=detail)


class _ConnectionLost(Exception):
    """The connection broke while a copy was in the server's hands (the cause is the original error)."""


def _due(receipts: list[PressReceipt]) -> list[PressReceipt]:
    """The copies to send now, in contact order; copies a person chose to send again are queued first.

    Queued copies are always due.  A copy still ``sending`` was in flight when
    a worker died: lookup() made the delivery uncertain and a person chose to
    send it again.  ``uncertain`` copies are due only when nothing else is:
    the outbox stops trying before that (the delivery ends uncertain), so
    publishing is then a person's choice to send them again.
    """
    queued = [r for r in receipts if r.state == S.QUEUED]
    decided = [r for r in receipts if r.state == S.SENDING]
    if not queued and not decided:
        decided = [r for r in receipts if r.state == S.UNCERTAIN]
    for receipt in decided:
        _mark(receipt, S.QUEUED)
    return sorted(queued + decided, key=lambda r: r.pk)


def _send_one(connection, release: Release, receipt: PressReceipt, idempotency_key: str) -> int:
    """Hand one copy to the server and record what happened; returns 1 if it was postponed.

    Raises ChannelError when the server refuses the sender, and
    :class:`_ConnectionLost` (the receipt left uncertain) when the copy may or
    may not have arrived.
    """
    mid = mail.message_id(idempotency_key, receipt.contact_id or receipt.pk, release.sender)
    _mark(receipt, S.SENDING, message_id=mid)
    try:
        mail.send(connection, release, receipt.email, mid)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = error.recipients.get(receipt.email) or next(iter(error.recipients.values()))
        return _refused_or_postponed(receipt, code, reply)
    except smtplib.SMTPDataError as error:
        return _refused_or_postponed(receipt, error.smtp_code, error.smtp_error)
    except smtplib.SMTPSenderRefused as error:
        _mark(receipt, S.QUEUED)
        raise ChannelError(_("The mail server refused the sender %(sender)s: %(error)s")
                           % {"sender": error.sender, "error": mail._reply(error)},
                           permanent=error.smtp_code >= 500) from error
    except Exception as error:
        # Whatever broke, the copy may already be in the newsroom's inbox:
        # a person decides rather than the outbox sending it twice.
        _mark(receipt, S.UNCERTAIN, error=mail._reply(error)[:500])
        raise _ConnectionLost() from error
    _mark(receipt, S.SENT, error="", sent_at=timezone.now())
    return 0


def _leave_for_a_person(delivery, result: PublishResult) -> None:
    """End the delivery ``uncertain``: some copies may or may not have arrived.

    The outbox has no way for a channel that is not batched to say so, so the
    state is written here, only while this worker still holds the claim; the
    outbox's own "delivered" write afterwards then finds no claim to update.
    """
    Delivery = type(delivery)
    uncertain = [c for c in result.detail["contacts"] if c["state"] == S.UNCERTAIN]
    with translation.override(delivery.organisation.majority_language):
        note = _("The connection to the mail server broke while the release was being sent to %(newsrooms)s, so it "
                 "may or may not have arrived. Check with them, then mark it delivered or send it again.") % {
            "newsrooms": ", ".join(c["newsroom"] or c["email"] for c in uncertain)}
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING, claimed_by=delivery.claimed_by).update(
        state=Delivery.State.UNCERTAIN, last_error=note, detail=result.detail)


def _mark(receipt: PressReceipt, state: str, **fields) -> None:
    """Write one receipt's state at once (outside any surrounding work) so a crash keeps it."""
    receipt.state = state
    for name, value in fields.items():
        setattr(receipt, name, value)
    PressReceipt.objects.filter(pk=receipt.pk).update(state=state, **fields)


def _refused_or_postponed(receipt: PressReceipt, code: int, reply) -> int:
    """Record a 5xx refusal for good (returns 0); put a 4xx back in the queue (returns 1)."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    error = f"{code} {text}"[:500]
    if code >= 500:
        _mark(receipt, S.REFUSED, error=error)
        return 0
    _mark(receipt, S.QUEUED, error=error)
    return 1


def _voice(message, language: str) -> dict | None:
    """The person the release speaks for, with their public title in the release language."""
    if not message.voice_id:
        return None
    from kanava.core.models import Membership

    membership = Membership.objects.filter(organisation=message.organisation_id, person=message.voice_id,
                                           role="voice").first()
    title = (membership.title or {}).get(language, "") if membership else ""
    return {"name": str(message.voice), "title": title}
