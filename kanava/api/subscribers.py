"""Subscriber changes made through the API, delegated to the audience app.

Email subscribers go through :func:`kanava.audience.actions.do_add_subscriber`
without consent, so double opt-in applies: the address stays pending until
its owner follows the confirmation link.  The audience app offers no staff
action for SMS numbers yet, so :func:`do_add_sms_subscriber` adds a pending
number here; it is confirmed only when its owner opts in by keyword or web
form (kanava.channels.sms), never by the API.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kanava.api.errors import Conflict
from kanava.audience import actions as audience
from kanava.audience.models import Subscriber
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import Organisation, Topic
from kanava.core.roles import Cap

S = Subscriber.State


def subscribe(actor: Actor, organisation: Organisation, *, kind: str, address: str, language: str,
              topics: list[Topic] | None) -> Subscriber:
    """Add a pending subscriber; raises PermissionDenied or Conflict (already subscribed)."""
    try:
        if kind == Subscriber.Kind.EMAIL:
            return audience.do_add_subscriber(actor, organisation, address=address, language=language,
                                              topics=topics, consent_given=False)
        return do_add_sms_subscriber(actor, organisation, phone=address, language=language, topics=topics)
    except audience.NotAllowed as error:
        raise PermissionDenied(str(error))
    except audience.SubscriptionError as error:
        raise Conflict(str(error))


def unsubscribe(actor: Actor, subscriber: Subscriber) -> Subscriber:
    """End a subscription, keeping the row (state unsubscribed); raises PermissionDenied."""
    try:
        return audience.do_unsubscribe_subscriber(actor, subscriber)
    except audience.NotAllowed as error:
        raise PermissionDenied(str(error))


def do_add_sms_subscriber(actor: Actor, organisation: Organisation, *, phone: str, language: str,
                          topics: list[Topic] | None) -> Subscriber:
    """Add ``phone`` (E.164) as a pending SMS subscriber.

    A confirmed number raises Conflict; any other existing number becomes
    pending again with the new preferences.  Needs the right to manage
    subscribers.
    """
    if not can(actor.person, organisation, Cap.MANAGE_SUBSCRIBERS):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            organisation=organisation, kind=Subscriber.Kind.SMS, address=phone,
            defaults={"language": language, "source": Subscriber.Source.API})
        if not created and subscriber.state == S.CONFIRMED:
            raise Conflict(_("This phone number is already subscribed."))
        previous = "" if created else subscriber.state
        subscriber.state = S.PENDING
        subscriber.source = Subscriber.Source.API
        subscriber.language = language
        subscriber.all_topics = not topics
        subscriber.save()
        subscriber.topics.set(topics or [])
        record(actor, organisation, "subscriber.added", subscriber, kind=subscriber.kind, language=language,
               confirmed=False, previous_state=previous)
    return subscriber
