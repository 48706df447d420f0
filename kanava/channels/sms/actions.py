"""SMS subscriptions: by web form with a code, or by keyword from the phone.

Residents act on their own number, so no staff capability is checked here:
holding the phone is the permission, proven by the code (web form) or by the
message itself (keyword).  Every change of a subscriber is audited.  Network
calls to the gateway happen outside database transactions.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanava.audience.models import Subscriber
from kanava.channels.base import ChannelError
from kanava.channels.models import Channel
from kanava.channels.sms import keywords, ratelimit
from kanava.channels.sms.models import PhoneVerification, hash_code
from kanava.core.audit import Actor, record
from kanava.core.models import Organisation, Topic

logger = logging.getLogger("kanava.sms")

Purpose = PhoneVerification.Purpose
CODE_VALID = timedelta(minutes=10)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class SubscriptionError(Exception):
    """Something a resident must be told (the text is translated)."""


class RateLimited(SubscriptionError):
    pass


class SmsUnavailable(SubscriptionError):
    pass


class CodeNotSent(SubscriptionError):
    pass


class CodeRejected(SubscriptionError):
    pass


def sms_channel_for(organisation: Organisation, enabled_only: bool = True) -> Channel | None:
    """The organisation's own SMS channel (the first, if there are several)."""
    query = Channel.objects.filter(organisation=organisation, kind="sms", owner=None)
    if enabled_only:
        query = query.filter(enabled=True)
    return query.order_by("id").first()


# -- web form: request a code, then confirm it -------------------------------------

def do_request_code(actor: Actor, organisation: Organisation, *, phone: str, purpose: str, language: str,
                    all_topics: bool = True, topics=()) -> PhoneVerification:
    """Send a six-digit code to ``phone`` (E.164) and keep its hash for 10 minutes.

    Raises :class:`SmsUnavailable` when the organisation has no working SMS
    channel, :class:`RateLimited` after too many requests from one address or
    for one number, :class:`CodeNotSent` when the gateway fails.  To stop a
    subscription nobody has, no SMS is sent (but the caller cannot tell, so
    nobody learns who subscribes).
    """
    channel = sms_channel_for(organisation)
    if channel is None:
        raise SmsUnavailable(_("SMS subscriptions are not available at the moment."))
    _check_request_rate(actor, phone)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    with transaction.atomic():
        PhoneVerification.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
        verification = PhoneVerification.objects.create(
            organisation=organisation, purpose=purpose, phone=phone, language=language,
            all_topics=all_topics or not topics, topic_ids=sorted(t.pk for t in topics), token=token,
            code_hash=hash_code(token, code), consent_ip=actor.ip_address, created_at=now,
            expires_at=now + CODE_VALID,
        )
    if purpose == Purpose.UNSUBSCRIBE and not _is_subscribed(organisation, phone):
        return verification
    try:
        channel.adapter.send_text(phone, _code_text(organisation, purpose, language, code),
                                  reference=f"kanava-code-{verification.pk}-{token[:12]}")
    except ChannelError as error:
        logger.warning("Could not send an SMS code for %s: %s", organisation.slug, error)
        PhoneVerification.objects.filter(pk=verification.pk).update(used_at=timezone.now())
        raise CodeNotSent(_("We could not send the code. Please try again in a moment."))
    return verification


def _check_request_rate(actor: Actor, phone: str) -> None:
    hour = 3600
    if not ratelimit.hit("ip", actor.ip_address or "", _setting("SMS_CODES_PER_ADDRESS", 10), hour) or \
            not ratelimit.hit("number", phone, _setting("SMS_CODES_PER_NUMBER", 3), hour):
        raise RateLimited(_("Too many codes were asked for. Please try again in an hour."))


def _is_subscribed(organisation: Organisation, phone: str) -> bool:
    return Subscriber.objects.filter(organisation=organisation, kind=Subscriber.Kind.SMS, address=phone,
                                     state=Subscriber.State.CONFIRMED).exists()


def _code_text(organisation: Organisation, purpose: str, language: str, code: str) -> str:
    values = {"organisation": organisation.display_name(language), "code": code}
    with translation.override(language):
        if purpose == Purpose.SUBSCRIBE:
            return _("Your code to receive news from %(organisation)s by SMS is %(code)s. "
                     "It is valid for 10 minutes.") % values
        return _("Your code to stop news from %(organisation)s by SMS is %(code)s. "
                 "It is valid for 10 minutes.") % values


def do_confirm_code(actor: Actor, verification: PhoneVerification, code: str) -> Subscriber | None:
    """Check the code; on success subscribe or unsubscribe the number.

    Returns the subscriber (None when stopping a subscription that did not
    exist).  Raises :class:`CodeRejected` for a wrong, expired or used code
    or after too many attempts, and :class:`RateLimited` when one address
    tries too many codes.
    """
    if not ratelimit.hit("confirm-ip", actor.ip_address or "", _setting("SMS_CONFIRMS_PER_ADDRESS", 30), 3600):
        raise RateLimited(_("Too many attempts. Please try again in an hour."))
    with transaction.atomic():
        verification = PhoneVerification.objects.select_for_update().get(pk=verification.pk)
        problem = _check_code(verification, (code or "").strip())
        if problem is None:
            return _apply_verification(actor, verification)
    # Outside the atomic block: the counted attempt must stay counted.
    raise CodeRejected(problem)


def _check_code(verification: PhoneVerification, code: str) -> str | None:
    """None if the code is right (and marks it used); otherwise why not."""
    max_attempts = _setting("SMS_CODE_ATTEMPTS", 5)
    if verification.used_at:
        return _("This code has already been used. Ask for a new one if you need to.")
    if verification.is_expired:
        return _("This code has expired. Ask for a new one.")
    if verification.attempts >= max_attempts:
        return _("Too many wrong codes. Ask for a new one.")
    verification.attempts += 1
    if not verification.matches(code):
        verification.save(update_fields=["attempts"])
        if verification.attempts >= max_attempts:
            return _("Too many wrong codes. Ask for a new one.")
        return _("The code is not right. Check the code in the SMS and try again.")
    verification.used_at = timezone.now()
    verification.save(update_fields=["attempts", "used_at"])
    return None


def _apply_verification(actor: Actor, verification: PhoneVerification) -> Subscriber | None:
    organisation = verification.organisation
    if verification.purpose == Purpose.SUBSCRIBE:
        topics = list(Topic.objects.filter(organisation=organisation, pk__in=verification.topic_ids))
        return _confirm(actor, organisation, verification.phone, language=verification.language,
                        all_topics=verification.all_topics or not topics, topics=topics,
                        source=Subscriber.Source.WEB, consent_ip=verification.consent_ip)
    return _unsubscribe(actor, organisation, verification.phone, source=Subscriber.Source.WEB)


# -- subscriber state ----------------------------------------------------------------

def _confirm(actor: Actor, organisation: Organisation, phone: str, *, language: str, all_topics: bool,
             topics: list[Topic], source: str, consent_ip: str | None) -> Subscriber:
    """Make ``phone`` a confirmed SMS subscriber (call inside a transaction)."""
    now = timezone.now()
    subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
        organisation=organisation, kind=Subscriber.Kind.SMS, address=phone,
        defaults={"language": language, "source": source})
    subscriber.language = language
    subscriber.state = Subscriber.State.CONFIRMED
    subscriber.source = source
    subscriber.consent_ip = consent_ip
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.all_topics = all_topics
    subscriber.last_error = ""
    subscriber.save()
    subscriber.topics.set([] if all_topics else topics)
    record(actor, organisation, "subscriber.confirmed", subscriber, kind="sms", source=source, language=language,
           topics=[t.slug for t in topics] if not all_topics else "all")
    return subscriber


def _unsubscribe(actor: Actor, organisation: Organisation, phone: str, *, source: str) -> Subscriber | None:
    subscriber = Subscriber.objects.select_for_update().filter(
        organisation=organisation, kind=Subscriber.Kind.SMS, address=phone).first()
    if subscriber is None or subscriber.state == Subscriber.State.UNSUBSCRIBED:
        return subscriber
    subscriber.state = Subscriber.State.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["state", "unsubscribed_at"])
    record(actor, organisation, "subscriber.unsubscribed", subscriber, kind="sms", source=source)
    return subscriber


# -- keywords sent from the phone ------------------------------------------------------

@dataclass
class KeywordOutcome:
    status: str  # "subscribed" | "unsubscribed" | "unknown_topic" | "ignored"
    language: str = ""
    topic: Topic | None = None
    reply: str = ""
    reply_sent: bool = False


def do_inbound_keyword(actor: Actor, channel: Channel, *, phone: str, text: str) -> KeywordOutcome:
    """Act on an SMS a resident sent to the organisation's number.

    TILAA / BESTÄLL / START / SUBSCRIBE [topic] confirms the number at once
    (the message from the phone is the consent); LOPETA / STOPP / STOP
    unsubscribes it.  News come in the keyword's language when the
    organisation publishes in it, otherwise in its majority language; the
    reply comes in the keyword's language.  Anything else is ignored without
    a reply, so auto-replies cannot start a loop.
    """
    command = keywords.parse(text)
    if command is None:
        return KeywordOutcome("ignored")
    organisation = channel.organisation
    with transaction.atomic():
        if command.action == keywords.STOP:
            _unsubscribe(actor, organisation, phone, source=Subscriber.Source.SMS_KEYWORD)
            outcome = KeywordOutcome("unsubscribed", command.language)
        else:
            outcome = _keyword_subscribe(actor, organisation, phone, command)
    outcome.reply = _reply_text(organisation, outcome)
    outcome.reply_sent = _send_reply(channel, phone, outcome.reply)
    return outcome


def _keyword_subscribe(actor: Actor, organisation: Organisation, phone: str,
                       command: keywords.Command) -> KeywordOutcome:
    topic = None
    if command.topic:
        topic = find_topic(organisation, command.topic)
        if topic is None:
            return KeywordOutcome("unknown_topic", command.language)
    existing = Subscriber.objects.filter(organisation=organisation, kind=Subscriber.Kind.SMS, address=phone,
                                         state=Subscriber.State.CONFIRMED).first()
    # A topic adds to what the person already follows; no topic means all news.
    if topic is None or (existing and existing.all_topics):
        all_topics, topics = True, []
    else:
        all_topics, topics = False, [*(existing.topics.all() if existing else []), topic]
    language = command.language if command.language in organisation.required_languages \
        else organisation.majority_language
    _confirm(actor, organisation, phone, language=language, all_topics=all_topics, topics=topics,
             source=Subscriber.Source.SMS_KEYWORD, consent_ip=None)
    return KeywordOutcome("subscribed", command.language, topic=topic)


def find_topic(organisation: Organisation, word: str) -> Topic | None:
    """The organisation's topic whose slug or name (in any language) is ``word``."""
    word = word.casefold()
    for topic in Topic.objects.filter(organisation=organisation):
        if word == topic.slug.casefold() or word in {str(n).casefold() for n in (topic.name or {}).values()}:
            return topic
    return None


def _reply_text(organisation: Organisation, outcome: KeywordOutcome) -> str:
    language = outcome.language
    name = organisation.display_name(language)
    stop, start = keywords.STOP_WORD[language], keywords.SUBSCRIBE_WORD[language]
    with translation.override(language):
        if outcome.status == "unsubscribed":
            return _("You no longer receive news from %(organisation)s by SMS. To subscribe again, send %(keyword)s.") \
                % {"organisation": name, "keyword": start}
        if outcome.status == "unknown_topic":
            return _("%(organisation)s has no such topic. To receive all news by SMS, send %(keyword)s.") \
                % {"organisation": name, "keyword": start}
        if outcome.topic is not None:
            return _("You now receive news from %(organisation)s on %(topic)s by SMS. To stop, send %(keyword)s.") \
                % {"organisation": name, "topic": outcome.topic.display_name(language), "keyword": stop}
        return _("You now receive news from %(organisation)s by SMS. To stop, send %(keyword)s.") \
            % {"organisation": name, "keyword": stop}


def _send_reply(channel: Channel, phone: str, text: str) -> bool:
    """Best effort: the subscription has changed whether or not the reply gets through."""
    try:
        channel.adapter.send_text(phone, text, reference=f"kanava-reply-{channel.pk}-{secrets.token_hex(8)}")
    except ChannelError as error:
        logger.warning("Could not send a keyword reply through channel %s: %s", channel.pk, error)
        return False
    return True
