"""Proving who is taking part: email and SMS codes, strong identification, "my data".

Views (``views_identity.py``, ``saml.py``) parse input and call the ``do_*`` functions
here.  A code is six digits, kept only as a keyed digest in :class:`Verification`,
valid for 15 minutes, for at most five tries, and used once.  Sending is rate-limited
per address (or number) and per client address.  A personal identity code (hetu) is
never stored or logged: only its keyed digest, the birth date read from it, the name
and the home municipality.

Network calls (SMTP, the SMS gateway) happen outside database transactions.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.core.models import Organisation
from kanava.participation import hetu, identity
from kanava.participation.manifest import Level, kinds
from kanava.participation.models import Participant, Verification

logger = logging.getLogger("kanava.participation.identify")

CODE_VALID = timedelta(minutes=15)
MAX_ATTEMPTS = 5
LINK_SALT = "kanava.participation.identify.link"
HOUR = 3600

EMAIL, SMS, STRONG = "email", "sms", "strong"
METHOD_LEVEL = {EMAIL: Level.EMAIL, SMS: Level.SMS, STRONG: Level.STRONG}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class IdentifyError(Exception):
    """Something the resident must be told; the text is translated."""


class RateLimited(IdentifyError):
    pass


class NotAvailable(IdentifyError):
    pass


class CodeNotSent(IdentifyError):
    pass


class CodeRejected(IdentifyError):
    pass


# -- which ways are offered ---------------------------------------------------------------

def sms_channel(organisation: Organisation):
    from kanava.channels.sms.actions import sms_channel_for

    return sms_channel_for(organisation)


def methods_for(organisation: Organisation, needed: Level) -> list[str]:
    """The ways of identifying that reach ``needed`` here (a higher level satisfies a lower one)."""
    from kanava.participation import saml

    offered = []
    if needed <= Level.EMAIL:
        offered.append(EMAIL)
    if needed <= Level.SMS and sms_channel(organisation) is not None:
        offered.append(SMS)
    if saml.is_configured():
        offered.append(STRONG)
    return offered


# -- addresses and numbers ----------------------------------------------------------------

def normalise_email(raw: str) -> str:
    address = (raw or "").strip()
    if not address or len(address) > 254:
        raise ValidationError(_("Enter a valid email address, for example name@example.fi."), code="invalid")
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address, for example name@example.fi."), code="invalid")
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_phone(raw: str) -> str:
    from kanava.channels.sms.phones import normalise_phone as normalise

    return normalise(raw)


def mask(channel: str, target: str) -> str:
    """What the page may show of where the code went: ``a***@example.fi``, ``+358 40 *** 67``."""
    if channel == EMAIL:
        local, _at, domain = target.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{target[:6]} *** {target[-2:]}"


# -- codes --------------------------------------------------------------------------------

def _code_digest(target_digest: str, code: str) -> str:
    return identity.digest("code", f"{target_digest}:{code}")


def _new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def _check_send_rate(actor: Actor, channel: str, target_digest: str) -> None:
    per_target = _setting("PARTICIPATION_CODES_PER_TARGET", 5)
    per_address = _setting("PARTICIPATION_CODES_PER_ADDRESS", 20)
    from kanava.channels.sms import ratelimit

    if not ratelimit.hit(f"participation-{channel}-target", target_digest, per_target, HOUR) or \
            not ratelimit.hit("participation-code-ip", actor.ip_address or "", per_address, HOUR):
        raise RateLimited(_("Too many codes were asked for. Please try again in an hour."))


def _create_verification(organisation: Organisation, channel: str, target_digest: str, code: str) -> Verification:
    now = timezone.now()
    with transaction.atomic():
        Verification.objects.filter(organisation=organisation, expires_at__lt=now - timedelta(days=1)).delete()
        # A new code replaces the earlier ones for the same address.
        Verification.objects.filter(organisation=organisation, channel=channel, target_digest=target_digest,
                                    used_at=None).update(used_at=now)
        return Verification.objects.create(
            organisation=organisation, channel=channel, target_digest=target_digest,
            code_digest=_code_digest(target_digest, code), created_at=now, expires_at=now + CODE_VALID)


def link_token(verification: Verification, code: str, address: str) -> str:
    """The signed token of the one-click link in the email (it carries the code and address, as the email does)."""
    return signing.dumps({"v": verification.pk, "c": code, "a": address}, salt=LINK_SALT, compress=True)


def read_link_token(token: str) -> tuple[int, str, str] | None:
    if not token or len(token) > 1000:
        return None
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=CODE_VALID.total_seconds())
        return int(data["v"]), str(data["c"]), str(data["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def do_send_email_code(actor: Actor, organisation: Organisation, *, address: str, language: str,
                       link_for) -> Verification:
    """Mail a six-digit code (and a one-click link, ``link_for(token)``) to ``address``."""
    target_digest = identity.digest(EMAIL, address)
    _check_send_rate(actor, EMAIL, target_digest)
    code = _new_code()
    verification = _create_verification(organisation, EMAIL, target_digest, code)
    record(actor, organisation, "participation.code_sent", verification, channel=EMAIL)
    context = {"organisation_name": organisation.display_name(language), "code": code,
               "link": link_for(link_token(verification, code, address)), "minutes": int(CODE_VALID.total_seconds() // 60)}
    with translation.override(language):
        subject = _("Your confirmation code for %(organisation)s: %(code)s") % {
            "organisation": context["organisation_name"], "code": code}
        body = render_to_string("participation/identity/email_code.txt", context)
    sender = organisation.contact_email or settings.DEFAULT_FROM_EMAIL
    if organisation.contact_email:
        sender = f"{context['organisation_name']} <{organisation.contact_email}>"
    try:
        EmailMessage(subject, body, sender, [address]).send()
    except (smtplib.SMTPException, OSError) as error:  # SMTP down, refused: tell, keep nothing usable
        logger.warning("Could not mail an identification code for %s: %s", organisation.slug, type(error).__name__)
        Verification.objects.filter(pk=verification.pk).update(used_at=timezone.now())
        raise CodeNotSent(_("We could not send the code. Please try again in a moment."))
    return verification


def do_send_sms_code(actor: Actor, organisation: Organisation, *, phone: str, language: str) -> Verification:
    """Send a six-digit code by SMS through the organisation's SMS channel."""
    from kanava.channels.base import ChannelError

    channel = sms_channel(organisation)
    if channel is None:
        raise NotAvailable(_("Identification by SMS is not available at the moment."))
    target_digest = identity.digest(SMS, phone)
    _check_send_rate(actor, SMS, target_digest)
    code = _new_code()
    verification = _create_verification(organisation, SMS, target_digest, code)
    record(actor, organisation, "participation.code_sent", verification, channel=SMS)
    with translation.override(language):
        text = _("Your confirmation code for %(organisation)s is %(code)s. It is valid for %(minutes)s minutes.") % {
            "organisation": organisation.display_name(language), "code": code,
            "minutes": int(CODE_VALID.total_seconds() // 60)}
    try:
        channel.adapter.send_text(phone, text, reference=f"kanava-identify-{verification.pk}-{secrets.token_hex(6)}")
    except ChannelError as error:
        logger.warning("Could not send an identification SMS for %s: %s", organisation.slug, error)
        Verification.objects.filter(pk=verification.pk).update(used_at=timezone.now())
        raise CodeNotSent(_("We could not send the code. Please try again in a moment."))
    return verification


def _problem(verification: Verification, code: str, now) -> str | None:
    if verification.used_at is not None:
        return _("This code has already been used or replaced by a newer one. Ask for a new code.")
    if verification.expires_at <= now:
        return _("This code has expired. Ask for a new code.")
    if verification.attempts >= MAX_ATTEMPTS:
        return _("Too many wrong tries. Ask for a new code.")
    if not code.isdigit() or len(code) != 6:
        return _("Enter the six digits of the code you received.")
    if not secrets.compare_digest(verification.code_digest, _code_digest(verification.target_digest, code)):
        return _("The code is not correct. Check it and try again.")
    return None


def do_check_code(actor: Actor, organisation: Organisation, verification_id: int, code: str) -> Verification:
    """Use the code once; raises :class:`CodeRejected` (wrong, expired, used, too many tries)."""
    from kanava.channels.sms import ratelimit

    if not ratelimit.hit("participation-confirm-ip", actor.ip_address or "",
                         _setting("PARTICIPATION_CONFIRMS_PER_ADDRESS", 60), HOUR):
        raise RateLimited(_("Too many attempts. Please try again in an hour."))
    code = "".join((code or "").split())[:12]
    now = timezone.now()
    with transaction.atomic():
        verification = (Verification.objects.select_for_update()
                        .filter(pk=verification_id, organisation=organisation).first())
        if verification is None:
            problem = _("This code is no longer valid. Ask for a new code.")
        else:
            problem = _problem(verification, code, now)
            if problem is None:
                verification.used_at = now
                verification.save(update_fields=["used_at"])
            elif verification.used_at is None:
                Verification.objects.filter(pk=verification.pk).update(attempts=verification.attempts + 1)
    if problem is not None:
        record(actor, organisation, "participation.code_refused", verification)
        raise CodeRejected(problem)
    return verification


# -- participants ---------------------------------------------------------------------------

def _find_or_create(organisation: Organisation, field: str, value_digest: str, current: Participant | None,
                    language: str) -> Participant:
    """The participant holding ``value_digest``; else ``current`` (if it has none yet); else a new one."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                found = Participant.objects.select_for_update().filter(
                    organisation=organisation, **{field: value_digest}).first()
                if found is not None:
                    return found
                if current is not None and current.organisation_id == organisation.pk:
                    holder = Participant.objects.select_for_update().filter(pk=current.pk).first()
                    if holder is not None and not getattr(holder, field):
                        setattr(holder, field, value_digest)
                        holder.save(update_fields=[field])
                        return holder
                return Participant.objects.create(organisation=organisation, language=language,
                                                  **{field: value_digest})
        except IntegrityError:  # someone else created it at the same moment
            continue
    return Participant.objects.get(organisation=organisation, **{field: value_digest})


def do_identify_by_code(actor: Actor, organisation: Organisation, verification: Verification, target: str,
                        current: Participant | None, language: str) -> Participant:
    """After a code was accepted: the participant of this address or number, with it verified now."""
    channel = verification.channel
    field = "email_digest" if channel == EMAIL else "phone_digest"
    if identity.digest(channel, target) != verification.target_digest:
        raise CodeRejected(_("This code is no longer valid. Ask for a new code."))
    participant = _find_or_create(organisation, field, verification.target_digest, current, language)
    now = timezone.now()
    if channel == EMAIL:
        participant.email, participant.email_verified_at = target, now
        participant.save(update_fields=["email", "email_verified_at"])
    else:
        participant.phone, participant.phone_verified_at = target, now
        participant.save(update_fields=["phone", "phone_verified_at"])
    record(actor, organisation, "participation.identified", participant, method=channel)
    return participant


# -- strong identification ----------------------------------------------------------------

def hetu_birth_date(code: str) -> date:
    """The birth date in a Finnish personal identity code (checked); ValueError if it is not one."""
    born = hetu.birth_date(code)
    if born is None:
        raise ValueError("not a personal identity code")
    return born


@dataclass(frozen=True)
class StrongIdentity:
    """What strong identification told us (the code itself is never kept)."""

    national_id: str
    name: str = ""
    home_municipality: str = ""

    def __repr__(self):  # never print the code into logs or tracebacks
        return "StrongIdentity(<hidden>)"


def do_identify_strong(actor: Actor, organisation: Organisation, person: StrongIdentity,
                       current: Participant | None, language: str) -> Participant:
    birth_date = hetu_birth_date(person.national_id)
    participant = _find_or_create(organisation, "strong_id_digest", identity.digest("hetu", person.national_id),
                                  current, language)
    participant.birth_date = birth_date
    participant.name = person.name[:200]
    participant.home_municipality = (person.home_municipality or "")[:8]
    participant.strong_verified_at = timezone.now()
    participant.save(update_fields=["birth_date", "name", "home_municipality", "strong_verified_at"])
    record(actor, organisation, "participation.identified", participant, method=STRONG)
    return participant


# -- my data --------------------------------------------------------------------------------

def _when(value):
    return value.isoformat() if value else None


def personal_data(participant: Participant) -> dict:
    """Everything we hold about ``participant``: the record and each kind's part."""
    record_data = {
        "id": str(participant.public_id),
        "organisation": participant.organisation.display_name(),
        "email": participant.email or None,
        "email_verified_at": _when(participant.email_verified_at),
        "phone": participant.phone or None,
        "phone_verified_at": _when(participant.phone_verified_at),
        "strongly_identified_at": _when(participant.strong_verified_at),
        "name": participant.name or None,
        "birth_date": _when(participant.birth_date),
        "home_municipality": participant.home_municipality or None,
        "language": participant.language,
        "created_at": _when(participant.created_at),
        "last_seen_at": _when(participant.last_seen_at),
    }
    follows = [{"process": str(f.process) if f.process_id else None, "topic": str(f.topic) if f.topic_id else None,
                "channel": f.channel, "language": f.language, "wants_digest": f.wants_digest,
                "wants_outcome": f.wants_outcome, "created_at": _when(f.created_at)}
               for f in participant.follows.select_related("process", "topic")]
    by_kind = {}
    for kind in kinds():
        if kind.personal_data is not None:
            data = {name: list(rows) for name, rows in (kind.personal_data(participant) or {}).items()}
            data = {name: rows for name, rows in data.items() if rows}
            if data:
                by_kind[kind.kind] = data
    return {"participant": record_data, "follows": follows, "contributions": by_kind}


def do_forget(actor: Actor, participant: Participant) -> int:
    """Delete a participant: each kind forgets their input, then the record goes.  Returns rows changed."""
    organisation = participant.organisation
    with transaction.atomic():
        changed = 0
        for kind in kinds():
            if kind.forget is not None:
                changed += int(kind.forget(participant) or 0)
        Verification.objects.filter(organisation=organisation, target_digest__in=[
            d for d in (participant.email_digest, participant.phone_digest) if d]).delete()
        participant.delete()
        record(actor, organisation, "participation.participant_deleted", None, rows=changed)
    return changed
