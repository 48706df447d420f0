"""Every change to a subscription: subscribe, confirm, unsubscribe, bounce, add, import.

Views, hooks and commands call these; nothing else changes a subscriber
(except the outbox, which marks an address bounced when the mail server
refuses it outright).  Each action records an audit event for the change it
makes and runs in one transaction.

Residents are never told whether an address is already on a list: every
subscribe request gets the same answer, so the form cannot be used to probe
who subscribes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.audience import mail, tokens
from kanava.audience.addresses import normalise_email
from kanava.audience.models import Subscriber
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, Organisation, Topic
from kanava.core.roles import Cap

S = Subscriber.State

#: This many soft bounces (mailbox full, ...) in a row count as a hard one.
SOFT_BOUNCE_LIMIT = 5


class SubscriptionError(Exception):
    """A subscription change that cannot be made; the text is translated."""


class NotAllowed(SubscriptionError):
    pass


def _require(actor: Actor, organisation: Organisation, cap: str = Cap.MANAGE_SUBSCRIBERS) -> None:
    if not can(actor.person, organisation, cap):
        raise NotAllowed(_("You are not allowed to do this."))


def _check_language(language: str) -> str:
    if language not in LANGUAGE_CODES:
        raise SubscriptionError(_("Choose a language."))
    return language


def _own_topics(organisation: Organisation, topics) -> list[Topic]:
    topics = list(topics or [])
    if any(t.organisation_id != organisation.pk for t in topics):
        raise SubscriptionError(_("Choose topics from this organisation's list."))
    return topics


def _set_preferences(subscriber: Subscriber, language: str, topics: list[Topic] | None) -> None:
    subscriber.language = language
    subscriber.all_topics = not topics
    subscriber.save()
    subscriber.topics.set(topics or [])


# -- residents ------------------------------------------------------------------

def do_subscribe_email(actor: Actor, organisation: Organisation, *, address: str, language: str,
                       topics: list[Topic] | None = None) -> Subscriber:
    """Start a double opt-in subscription; the answer is the same in every case.

    A new, pending, unsubscribed or bounced address becomes pending and gets
    a confirmation email in its language.  An already confirmed address is
    left as it is (no duplicate) and is told so by email.  ``topics`` empty
    or None means every topic.  Raises ``ValidationError`` for an unusable
    address and :class:`SubscriptionError` for a bad language or topic.
    """
    address = normalise_email(address)
    language = _check_language(language)
    topics = _own_topics(organisation, topics)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            organisation=organisation, kind=Subscriber.Kind.EMAIL, address=address,
            defaults={"language": language, "source": Subscriber.Source.WEB, "consent_ip": actor.ip_address})
        if not created and subscriber.state == S.CONFIRMED:
            transaction.on_commit(lambda: mail.send_already_subscribed(subscriber.pk))
            return subscriber
        previous = "" if created else subscriber.state
        subscriber.state = S.PENDING
        subscriber.source = Subscriber.Source.WEB
        subscriber.consent_ip = actor.ip_address
        _set_preferences(subscriber, language, topics)
        record(actor, organisation, "subscriber.subscribed", subscriber, kind=subscriber.kind,
               language=language, previous_state=previous)
        transaction.on_commit(lambda: mail.send_confirmation(subscriber.pk))
    return subscriber


def do_confirm(actor: Actor, token: str) -> Subscriber:
    """Confirm the subscription in a confirmation link; confirming twice is fine.

    Raises :class:`SubscriptionError` for a bad or expired link, or one for a
    subscription that was cancelled since.
    """
    invalid = _("This confirmation link is not valid or has expired. Please subscribe again.")
    try:
        subscriber_id = tokens.read_confirm_token(token)
    except tokens.BadToken:
        raise SubscriptionError(invalid)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("organisation").filter(
            pk=subscriber_id).first()
        if subscriber is None or subscriber.state in (S.UNSUBSCRIBED, S.BOUNCED):
            raise SubscriptionError(invalid)
        if subscriber.state == S.PENDING:
            subscriber.state = S.CONFIRMED
            subscriber.confirmed_at = timezone.now()
            subscriber.bounce_count = 0
            subscriber.last_error = ""
            subscriber.save(update_fields=["state", "confirmed_at", "bounce_count", "last_error"])
            record(actor, subscriber.organisation, "subscriber.confirmed", subscriber)
    return subscriber


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    """The subscriber a link points to, None if gone; raises :class:`SubscriptionError` if forged."""
    try:
        subscriber_id = tokens.read_unsubscribe_token(token)
    except tokens.BadToken:
        raise SubscriptionError(_("This unsubscribe link is not valid. Check that you copied all of it."))
    return Subscriber.objects.select_related("organisation").filter(pk=subscriber_id).first()


def do_unsubscribe(actor: Actor, token: str) -> Subscriber | None:
    """Unsubscribe by a link's token; already unsubscribed or removed is fine.

    Returns the subscriber, or None if the subscription no longer exists.
    Raises :class:`SubscriptionError` for a forged token.
    """
    subscriber = subscriber_for_unsubscribe_token(token)
    if subscriber is None:
        return None
    return _unsubscribe(actor, subscriber.pk, via="link")


def do_unsubscribe_by_address_token(actor: Actor, token: str) -> Subscriber | None:
    """Unsubscribe from a mail to ``unsubscribe+<token>@`` (the List-Unsubscribe mailto)."""
    try:
        subscriber_id = tokens.read_address_token(token, purpose="unsubscribe")
    except tokens.BadToken:
        raise SubscriptionError(_("This unsubscribe link is not valid. Check that you copied all of it."))
    return _unsubscribe(actor, subscriber_id, via="email")


def _unsubscribe(actor: Actor, subscriber_id: int, via: str) -> Subscriber | None:
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("organisation").filter(
            pk=subscriber_id).first()
        if subscriber is None or subscriber.state == S.UNSUBSCRIBED:
            return subscriber
        previous = subscriber.state
        subscriber.state = S.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["state", "unsubscribed_at"])
        record(actor, subscriber.organisation, "subscriber.unsubscribed", subscriber, via=via,
               previous_state=previous)
    return subscriber


# -- bounces ------------------------------------------------------------------------

def do_record_bounce(actor: Actor, *, token: str = "", address: str = "", organisation: Organisation | None = None,
                     permanent: bool = True, reason: str = "") -> list[Subscriber]:
    """Record that mail to a subscriber bounced; returns the subscribers changed.

    The subscriber is found by the VERP ``token`` of the bounce address (exact
    and unforgeable) or else by ``address``, which needs ``organisation``:
    anyone can write a bounce that names an address, so one is never applied
    across organisations.  A permanent bounce stops all mail to the address
    at once; :data:`SOFT_BOUNCE_LIMIT` temporary ones in a row do the same.
    Unsubscribed addresses stay unsubscribed.  Raises
    :class:`SubscriptionError` for a forged token or an address without an
    organisation.
    """
    query = Subscriber.objects.filter(kind=Subscriber.Kind.EMAIL).exclude(state=S.UNSUBSCRIBED)
    if not token and organisation is None:
        raise SubscriptionError(_("A bounce without a bounce token must name its organisation."))
    if token:
        try:
            query = query.filter(pk=tokens.read_address_token(token, purpose="bounce"))
        except tokens.BadToken:
            raise SubscriptionError(_("The bounce address is not one of ours."))
    else:
        try:
            query = query.filter(address=normalise_email(address))
        except ValidationError as error:
            raise SubscriptionError(error.messages[0])
    if organisation is not None:
        query = query.filter(organisation=organisation)
    changed = []
    with transaction.atomic():
        for subscriber in query.select_for_update().select_related("organisation"):
            _bounce(actor, subscriber, permanent, reason)
            changed.append(subscriber)
    return changed


def _bounce(actor: Actor, subscriber: Subscriber, permanent: bool, reason: str) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(bounce_count=F("bounce_count") + 1,
                                                       last_error=reason[:500])
    subscriber.refresh_from_db(fields=["bounce_count", "last_error"])
    if permanent or subscriber.bounce_count >= SOFT_BOUNCE_LIMIT:
        if subscriber.state != S.BOUNCED:
            subscriber.state = S.BOUNCED
            subscriber.bounced_at = timezone.now()
            subscriber.save(update_fields=["state", "bounced_at"])
        record(actor, subscriber.organisation, "subscriber.bounced", subscriber, permanent=permanent,
               reason=reason[:200])
    else:
        record(actor, subscriber.organisation, "subscriber.soft_bounced", subscriber, reason=reason[:200],
               count=subscriber.bounce_count)


# -- staff ----------------------------------------------------------------------------

def do_add_subscriber(actor: Actor, organisation: Organisation, *, address: str, language: str,
                      topics: list[Topic] | None = None, consent_given: bool = False) -> Subscriber:
    """A member of staff adds one address.

    With ``consent_given`` (the person agreed elsewhere, on paper say) the
    subscription is confirmed at once; otherwise it is pending and the person
    gets the confirmation email.  Someone who unsubscribed can only be added
    back through their own confirmation.  Raises ``ValidationError`` for an
    unusable address and :class:`SubscriptionError` otherwise.
    """
    _require(actor, organisation)
    address = normalise_email(address)
    language = _check_language(language)
    topics = _own_topics(organisation, topics)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            organisation=organisation, kind=Subscriber.Kind.EMAIL, address=address,
            defaults={"language": language, "source": Subscriber.Source.STAFF})
        if not created:
            _check_may_add_again(subscriber, consent_given)
        previous = "" if created else subscriber.state
        subscriber.source = Subscriber.Source.STAFF
        if consent_given:
            subscriber.state, subscriber.confirmed_at = S.CONFIRMED, timezone.now()
            subscriber.bounce_count, subscriber.last_error = 0, ""
        else:
            subscriber.state = S.PENDING
            transaction.on_commit(lambda: mail.send_confirmation(subscriber.pk))
        _set_preferences(subscriber, language, topics)
        record(actor, organisation, "subscriber.added", subscriber, kind=subscriber.kind, language=language,
               confirmed=consent_given, previous_state=previous)
    return subscriber


def _check_may_add_again(subscriber: Subscriber, consent_given: bool) -> None:
    if subscriber.state == S.CONFIRMED:
        raise SubscriptionError(_("This address is already subscribed."))
    if subscriber.state == S.UNSUBSCRIBED and consent_given:
        raise SubscriptionError(_("This address has unsubscribed. Only the person can subscribe again: "
                                  "add it without consent so that they get a confirmation email."))


def do_unsubscribe_subscriber(actor: Actor, subscriber: Subscriber) -> Subscriber:
    """A member of staff ends a subscription (the person asked by phone, say)."""
    _require(actor, subscriber.organisation)
    return _unsubscribe(actor, subscriber.pk, via="staff")


def do_import_subscribers(actor: Actor, organisation: Organisation, binary_file, *, default_language: str,
                          consent_given: bool, filename: str = ""):
    """Import a CSV file of addresses as confirmed subscribers (see :mod:`kanava.audience.importing`).

    The staff member must state that everyone on the list has agreed.
    Returns an :class:`~kanava.audience.importing.ImportReport`.
    """
    _require(actor, organisation)
    if not consent_given:
        raise SubscriptionError(_("Confirm that everyone on the list has agreed to receive the newsletter."))
    return _import(actor, organisation, binary_file, default_language, filename)


def import_subscribers_as_system(actor: Actor, organisation: Organisation, binary_file, *, default_language: str,
                                 filename: str = ""):
    """The same import for the installation's operator (the management command), who holds no role."""
    return _import(actor, organisation, binary_file, default_language, filename)


def _import(actor: Actor, organisation: Organisation, binary_file, default_language: str, filename: str):
    from kanava.audience.importing import import_csv

    language = _check_language(default_language)
    report = import_csv(organisation, binary_file, default_language=language)
    with transaction.atomic():
        record(actor, organisation, "subscribers.imported", None, filename=filename[-200:], added=report.added,
               already=report.already, rejected=report.rejected)
    return report
