"""Everything residents say comes in here: stored once, threaded, classified, given a due time.

``take_in`` is the one door: polling, platform webhooks, inbound email, the
comment forms of our own pages and what staff record from phone calls all go
through it.  The same external id arriving twice (a webhook and a later poll)
is stored once; a reply to something already in the inbox joins its
conversation.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from kanava.channels.base import Incoming
from kanava.core.audit import Actor, record
from kanava.core.models import Organisation
from kanava.inbox import due as due_times
from kanava.inbox.analysis import CONFIDENT, Analysis, analyse
from kanava.inbox.models import (
    ABUSIVE_KINDS, OPEN_STATUSES, Conversation, IntakeCursor, Item, Kind, ResponseTargets, Status,
)

logger = logging.getLogger("kanava.inbox")

#: Texts longer than this are cut (with a note) before storing: a 1 MB comment is abuse of the form, not a message.
MAX_TEXT = 100_000
#: Our posts whose comments polling follows.
FOLLOW_POSTS_FOR = timedelta(days=30)
#: Words that mark feedback about accessibility (answered within 14 days by law), as stems.
ACCESSIBILITY_WORDS = ("saavutettav", "tillgänglig", "accessib")

SYSTEM = Actor.system("intake")


def clean_text(text) -> str:
    """Text as it can be stored anywhere: str, no NUL characters, at most MAX_TEXT characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = str(text or "").replace("\x00", "\ufffd")
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n[…]"
    return text


def targets_of(organisation: Organisation) -> ResponseTargets:
    targets = getattr(organisation, "_response_targets", None)
    if targets is None:
        targets, _created = ResponseTargets.objects.get_or_create(organisation=organisation)
        organisation._response_targets = targets
    return targets


def due_time(organisation: Organisation, conversation: Conversation, received_at):
    """When the conversation must be answered, or None for what is not answered (spam, threats go to moderation)."""
    targets = targets_of(organisation)
    if conversation.accessibility:
        return due_times.accessibility_due(received_at, tz=organisation.time_zone, day_end=targets.workday_end)
    days = {
        Kind.QUESTION: targets.question_days,
        Kind.FEEDBACK: targets.feedback_days,
        Kind.COMPLAINT: targets.complaint_days,
        Kind.CLAIM: targets.question_days,
        Kind.ATTACK: None,
        Kind.THREAT: None,
        Kind.SPAM: None,
    }.get(conversation.kind, targets.other_days)
    if days is None:
        return None
    return due_times.add_working_days(received_at, days, tz=organisation.time_zone, day_end=targets.workday_end)


def mentions_accessibility(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ACCESSIBILITY_WORDS)


def _conversation_for(organisation, source, incoming: Incoming, channel) -> Conversation | None:
    """The conversation an incoming item continues, if any."""
    if incoming.parent_id:
        parent = (Item.objects.filter(organisation=organisation, source=source, external_id=incoming.parent_id[:255])
                  .select_related("conversation").first())
        if parent is not None:
            return parent.conversation
    if incoming.thread_id:
        party = incoming.author_id or incoming.author_handle
        found = Conversation.objects.filter(organisation=organisation, source=source,
                                            thread_key=incoming.thread_id[:255], party_key=party[:255])
        return found.order_by("-last_received_at").first()
    return None


def _our_post(channel, incoming: Incoming):
    """The delivery a comment is under (our post), or a newsletter an email answers."""
    if channel is None:
        return None
    from kanava.publishing.models import Delivery

    key = (incoming.extra or {}).get("delivery_key")
    if key:
        return Delivery.objects.filter(channel=channel, idempotency_key=key).select_related("message").first()
    if not incoming.thread_id:
        return None
    return Delivery.objects.filter(channel=channel, external_id=incoming.thread_id).select_related("message").first()


def _conversation_kind(analysis: Analysis) -> str:
    """The kind a new conversation takes: an unsure abusive guess leaves it unknown (it is still answered in time)."""
    unsure = analysis.confidence is not None and analysis.confidence < CONFIDENT
    return "" if analysis.kind in ABUSIVE_KINDS and unsure else analysis.kind


def _new_conversation(organisation, source, incoming: Incoming, channel, analysis: Analysis, received_at):
    delivery = _our_post(channel, incoming)
    subject = incoming.subject
    if not subject and delivery is not None:
        version = delivery.message.versions.filter(language=delivery.language).first() \
            or delivery.message.primary_version()
        subject = version.title if version is not None else ""
    return Conversation(
        organisation=organisation, source=source, channel=channel,
        thread_key=incoming.thread_id[:255], party_key=(incoming.author_id or incoming.author_handle)[:255],
        subject=clean_text(subject)[:300], delivery=delivery,
        resident_name=clean_text(incoming.author_name)[:200], resident_address=clean_text(incoming.author_handle)[:320],
        language=analysis.language, kind=_conversation_kind(analysis),
        first_received_at=received_at, last_received_at=received_at,
    )


def take_in(organisation: Organisation, source: str, incoming: Incoming, *, channel=None,
            analysis: Analysis | None = None, actor: Actor | None = None) -> Item | None:
    """Store one incoming item; None when it is already in the inbox."""
    external_id = (incoming.external_id or "")[:255]
    if external_id and Item.objects.filter(organisation=organisation, source=source, external_id=external_id).exists():
        return None
    text = clean_text(incoming.text)
    if analysis is None:
        analysis = analyse(organisation.pk, [text])[0]
    received_at = incoming.created_at or timezone.now()
    try:
        with transaction.atomic():
            conversation = _conversation_for(organisation, source, incoming, channel)
            if conversation is None:
                conversation = _new_conversation(organisation, source, incoming, channel, analysis, received_at)
                conversation.accessibility = mentions_accessibility(text)
                conversation.save()
            item = Item.objects.create(
                organisation=organisation, conversation=conversation, direction=Item.Direction.IN, source=source,
                channel=channel, external_id=external_id, parent_external_id=(incoming.parent_id or "")[:255],
                platform_kind=(incoming.kind or "")[:16], extra=incoming.extra or {},
                url=(incoming.url or "")[:1000], author_name=clean_text(incoming.author_name)[:200],
                author_handle=clean_text(incoming.author_handle)[:320], author_id=(incoming.author_id or "")[:255],
                subject=clean_text(incoming.subject)[:300], text=text, received_at=received_at,
                language=analysis.language, kind=analysis.kind, confidence=analysis.confidence,
                scores=analysis.scores, claim_id=analysis.claim_id, claim_score=analysis.claim_score,
            )
            _after_new_item(organisation, conversation, item)
            record(actor or SYSTEM, organisation, "inbox.item_received", item, source=source,
                   conversation=conversation.pk, kind=item.kind, language=item.language)
    except IntegrityError:  # the same item, stored a moment ago by another process
        return None
    if item.kind in ABUSIVE_KINDS:
        transaction.on_commit(lambda: protect_staff(conversation.pk, item.pk))
    return item


def _after_new_item(organisation, conversation: Conversation, item: Item) -> None:
    """The conversation after a new incoming item: counts, status, kind, claim and due time."""
    conversation.item_count = F("item_count") + 1
    if item.received_at > conversation.last_received_at:
        conversation.last_received_at = item.received_at
    if not conversation.language and item.language:
        conversation.language = item.language
    # An abusive kind takes over the conversation (blurred, out of the answer queue) only when the
    # classifier is sure: an unsure "threat" must not drop a real follow-up out of the reminders.
    sure = item.confidence is None or item.confidence >= CONFIDENT
    abusive = item.kind in ABUSIVE_KINDS
    if item.kind and (sure or not abusive) and (not conversation.kind or abusive):
        conversation.kind = item.kind
    if item.claim_id and not conversation.claim_id:
        conversation.claim_id = item.claim_id
    reopened = conversation.status not in OPEN_STATUSES or conversation.status == Status.WAITING
    if reopened or conversation.due_at is None:
        conversation.status = Status.NEW if conversation.owner_id is None else Status.IN_PROGRESS
        conversation.due_at = due_time(organisation, conversation, item.received_at)
        conversation.reminded_at = None
        conversation.overdue_alerted_at = None
        conversation.closed_at = None
    conversation.save()
    conversation.refresh_from_db(fields=["item_count"])


def protect_staff(conversation_id: int, item_id: int) -> None:
    """Abuse that names one of our people goes to the lead first."""
    from kanava.inbox.staff import named_staff

    item = Item.objects.select_related("conversation", "organisation").filter(pk=item_id).first()
    if item is None:
        return
    person = named_staff(item.organisation, item.text)
    if person is None:
        return
    from django.utils import translation
    from django.utils.translation import gettext as _

    from kanava.core.notify import alert_leads

    lead = _lead_of(item.organisation, besides=person)
    Conversation.objects.filter(pk=conversation_id).update(staff_target=person, owner=lead)
    with translation.override(item.organisation.majority_language):
        text = _("Abusive message naming %(name)s in the inbox") % {"name": person.display_name or person.email}
    alert_leads(item.organisation, text, item.conversation.staff_url())
    record(SYSTEM, item.organisation, "inbox.staff_protected", item.conversation, person=person.pk)


def _lead_of(organisation, besides=None):
    """A communications lead (or admin) of the organisation other than ``besides``, or None."""
    from kanava.core.models import Membership
    from kanava.core.roles import Role

    memberships = Membership.objects.filter(organisation=organisation, role__in=[Role.LEAD, Role.ADMIN])
    if besides is not None:
        memberships = memberships.exclude(person=besides)
    found = memberships.select_related("person").order_by("-role", "pk").first()
    return found.person if found else None


# -- polling ---------------------------------------------------------------------------

def followed_posts(channel) -> list:
    """PostRefs of the channel's posts of the last 30 days (every part of a thread)."""
    from kanava.channels.social.adapter import PostRef
    from kanava.publishing.models import Delivery

    since = timezone.now() - FOLLOW_POSTS_FOR
    refs = []
    deliveries = (Delivery.objects.filter(channel=channel, state=Delivery.State.DELIVERED, delivered_at__gte=since)
                  .exclude(external_id="").order_by("-delivered_at")[:200])
    for delivery in deliveries:
        parts = (delivery.detail or {}).get("parts") or [{"id": delivery.external_id, "url": delivery.url}]
        refs += [PostRef.from_json(part) for part in parts]
    return refs


def poll_channel(channel) -> int:
    """Fetch what residents said on one channel since the last poll; the number of new items."""
    from kanava.channels.registry import adapter_for

    cursor, _created = IntakeCursor.objects.get_or_create(channel=channel)
    adapter = adapter_for(channel)
    fetched = adapter.fetch_replies(dict(cursor.state or {}), followed_posts(channel))
    new = take_in_many(channel.organisation, channel.kind, fetched.items, channel=channel)
    IntakeCursor.objects.filter(pk=cursor.pk).update(state=fetched.cursor, polled_at=timezone.now(), last_error="")
    return new


def take_in_many(organisation, source: str, items: list[Incoming], *, channel=None) -> int:
    """Store a harvest, classifying it in one batch; the number of new items."""
    known = set()
    ids = [i.external_id[:255] for i in items if i.external_id]
    if ids:
        known = set(Item.objects.filter(organisation=organisation, source=source, external_id__in=ids)
                    .values_list("external_id", flat=True))
    fresh = [i for i in items if not i.external_id or i.external_id[:255] not in known]
    # Oldest first, so a reply finds the comment it answers already stored.
    fresh.sort(key=lambda i: (i.created_at is None, i.created_at or 0))
    analyses = analyse(organisation.pk, [clean_text(i.text) for i in fresh])
    stored = 0
    for incoming, analysis in zip(fresh, analyses):
        if take_in(organisation, source, incoming, channel=channel, analysis=analysis) is not None:
            stored += 1
    return stored


def listening_kinds() -> list[str]:
    """Channel kinds whose adapter reads what residents say (it overrides ``fetch_replies``)."""
    from django.utils.module_loading import import_string

    from kanava.channels.base import Adapter
    from kanava.channels.registry import manifests

    return sorted(kind for kind, m in manifests().items()
                  if import_string(m.adapter).fetch_replies is not Adapter.fetch_replies)


def channels_to_poll(now=None, limit: int = 100):
    """Enabled listening channels not polled for INBOX_POLL_SECONDS, longest waiting first."""
    from kanava.channels.models import Channel

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.INBOX_POLL_SECONDS)
    return (Channel.objects.filter(kind__in=listening_kinds(), enabled=True)
            .filter(Q(intake_cursor__isnull=True) | Q(intake_cursor__polled_at__isnull=True)
                    | Q(intake_cursor__polled_at__lt=stale))
            .select_related("organisation")
            .order_by(F("intake_cursor__polled_at").asc(nulls_first=True), "pk")[:limit])


def schedule_polls(now=None) -> int:
    """Sweep step: hand each channel due for polling to a task, once (a claim on its cursor)."""
    from kanava.inbox.tasks import poll

    now = now or timezone.now()
    handed = 0
    for channel in channels_to_poll(now):
        cursor, _created = IntakeCursor.objects.get_or_create(channel=channel)
        if IntakeCursor.objects.filter(pk=cursor.pk, polled_at=cursor.polled_at).update(polled_at=now):
            transaction.on_commit(lambda pk=channel.pk: poll.enqueue(pk))
            handed += 1
    return handed


def poll_one(channel_id: int) -> int:
    """The task: poll one channel; a failure is written on its cursor and retried at the next round."""
    from kanava.channels.base import ChannelError
    from kanava.channels.models import Channel

    channel = Channel.objects.select_related("organisation").filter(pk=channel_id).first()
    if channel is None:
        return 0
    try:
        return poll_channel(channel)
    except ChannelError as error:
        IntakeCursor.objects.filter(channel=channel).update(last_error=str(error)[:2000])
        logger.warning("Polling %s failed: %s", channel, error)
        return 0
