"""Our answers: written by a person, signed with their name, sent back where the resident spoke.

An answer is an outgoing :class:`Item` with a small outbox of its own:
``pending`` -> ``sending`` -> ``sent`` | ``failed`` | ``uncertain``.  A worker
claims it with one conditional UPDATE; transient errors are retried with the
outbox's backoff; when a worker dies while sending, the platform is asked
whether the answer arrived (``find_reply``) and what cannot be told is marked
uncertain for a person, never posted twice blindly.

Conversations that came by phone, on paper or at the service desk have no
channel to answer through: the person records how they answered instead
(``do_record_answer``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Incoming, LookupUnsupported, Reply
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import Membership
from kanava.core.roles import Cap
from kanava.inbox.models import Conversation, Item, Status
from kanava.publishing.errors import PermissionDenied, WorkflowError

logger = logging.getLogger("kanava.inbox")

S = Item.SendState
#: Longest answer accepted (the platform's own limit is checked by the composer).
MAX_ANSWER = 20_000


def may_reply(person, conversation: Conversation) -> bool:
    """Anyone who may answer in public; on a voice's personal account, only that voice."""
    if not can(person, conversation.organisation, Cap.REPLY):
        return False
    channel = conversation.channel
    return channel is None or not channel.owner_id or channel.owner_id == person.pk


def signature_for(person, organisation, language: str) -> str:
    """"Aino Virtanen, communications lead" in the conversation's language (the title as the person set it)."""
    name = person.display_name or person.email
    membership = Membership.objects.filter(person=person, organisation=organisation).exclude(title={}).first()
    title = ""
    if membership is not None:
        titles = membership.title or {}
        title = titles.get(language) or titles.get(organisation.majority_language) or ""
    return f"{name}, {title}" if title else name


def signed(text: str, signature: str) -> str:
    return f"{text.rstrip()}\n\n– {signature}"


def replies_through(conversation: Conversation):
    """The channel an answer goes out through, or None when it must be recorded instead."""
    from kanava.channels.registry import adapter_for

    channel = conversation.channel
    if channel is None or not channel.enabled:
        return None
    return channel if adapter_for(channel).can_reply else None


def _last_incoming(conversation: Conversation) -> Item | None:
    return conversation.items.filter(direction=Item.Direction.IN).exclude(external_id="").order_by(
        "-received_at", "-pk").first()


def _check(actor: Actor, conversation: Conversation, text: str) -> str:
    if not may_reply(actor.person, conversation):
        raise PermissionDenied(_("You are not allowed to answer this conversation."))
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("Write the answer first."))
    if len(text) > MAX_ANSWER:
        raise WorkflowError(_("The answer is too long."))
    return text


def do_reply(actor: Actor, conversation: Conversation, text: str) -> Item:
    """Queue an answer signed by the person; it goes out through the conversation's channel."""
    text = _check(actor, conversation, text)
    channel = replies_through(conversation)
    if channel is None:
        raise WorkflowError(_("This conversation has no channel to answer through. Record how you answered instead."))
    answered = _last_incoming(conversation)
    if answered is None:
        raise WorkflowError(_("There is nothing from the resident to answer yet."))
    language = conversation.language or conversation.organisation.majority_language
    signature = signature_for(actor.person, conversation.organisation, language)
    with transaction.atomic():
        item = Item.objects.create(
            organisation=conversation.organisation, conversation=conversation, direction=Item.Direction.OUT,
            source=conversation.source, channel=channel, parent_external_id=answered.external_id,
            text=signed(text, signature), signature=signature, person=actor.person, language=language,
            send_state=S.PENDING, idempotency_key=f"reply-{uuid.uuid4().hex}", next_attempt_at=timezone.now(),
        )
        _mark_in_progress(conversation, actor)
        record(actor, conversation.organisation, "inbox.reply_queued", item, conversation=conversation.pk,
               channel=channel.pk)
        transaction.on_commit(lambda: enqueue(item.pk))
    return item


def do_record_answer(actor: Actor, conversation: Conversation, text: str, how: str = "") -> Item:
    """Write down an answer given outside Kanava (by phone, by letter, at the desk); the conversation is answered."""
    text = _check(actor, conversation, text)
    now = timezone.now()
    with transaction.atomic():
        item = Item.objects.create(
            organisation=conversation.organisation, conversation=conversation, direction=Item.Direction.OUT,
            source=how or conversation.source, text=text, person=actor.person,
            signature=signature_for(actor.person, conversation.organisation, conversation.language or "fi"),
            language=conversation.language, sent_at=now,
        )
        _mark_answered(conversation, now)
        record(actor, conversation.organisation, "inbox.answer_recorded", item, conversation=conversation.pk, how=how)
    return item


def _mark_in_progress(conversation: Conversation, actor: Actor) -> None:
    updates = {}
    if conversation.status == Status.NEW:
        updates["status"] = Status.IN_PROGRESS
    if conversation.owner_id is None:
        updates["owner"] = actor.person
    if updates:
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        for key, value in updates.items():
            setattr(conversation, key, value)


def _mark_answered(conversation: Conversation, when) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(status=Status.ANSWERED, answered_at=when)
    conversation.status, conversation.answered_at = Status.ANSWERED, when


def enqueue(item_id: int) -> None:
    from kanava.inbox.tasks import send_reply

    send_reply.enqueue(item_id)


def as_reply(item: Item) -> Reply:
    """The answer as the adapter takes it, with the resident's item it answers."""
    answered = Item.objects.filter(organisation=item.organisation_id, source=item.source,
                                   external_id=item.parent_external_id).first()
    to = Incoming(external_id=item.parent_external_id, text="")
    if answered is not None:
        conversation = answered.conversation
        to = Incoming(external_id=answered.external_id, text=answered.text, thread_id=conversation.thread_key,
                      parent_id=answered.parent_external_id, author_name=answered.author_name,
                      author_handle=answered.author_handle, author_id=answered.author_id, url=answered.url,
                      subject=answered.subject or conversation.subject,
                      kind=answered.platform_kind or "comment", extra=dict(answered.extra or {}))
    person_name = (item.person.display_name or item.person.email) if item.person_id else ""
    return Reply(text=item.text, key=item.idempotency_key, to=to, language=item.language, signature=item.signature,
                 person_name=person_name)


def _claim(item_id: int) -> Item | None:
    from kanava.publishing.outbox import WORKER_ID

    now = timezone.now()
    taken = Item.objects.filter(pk=item_id, send_state=S.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).update(
        send_state=S.SENDING, claimed_by=WORKER_ID, claimed_at=now, attempts=F("attempts") + 1)
    if not taken:
        return None
    return Item.objects.select_related("channel", "organisation", "conversation", "person").get(pk=item_id)


def send(item_id: int) -> str:
    """The task: send one queued answer.  Returns what happened ("sent", "retry", "failed", "skipped")."""
    from kanava.channels.registry import adapter_for

    item = _claim(item_id)
    if item is None:
        return "skipped"
    reply = as_reply(item)
    adapter = adapter_for(item.channel)
    if item.attempts > 1 and (ref := _already_posted(adapter, reply)) is not None:
        _sent(item, ref)  # an earlier attempt reached the platform after all (its answer was lost)
        return "sent"
    try:
        ref = adapter.send_reply(reply)
    except ChannelError as error:
        return _failed(item, error)
    except Exception as error:  # a bug or an unexpected answer: retried, and visible on the item
        logger.exception("Sending answer %s failed", item.pk)
        return _failed(item, ChannelError(str(error)))
    _sent(item, ref)
    return "sent"


def _already_posted(adapter, reply: Reply):
    """On a retry: the answer an earlier attempt may have posted, when the platform can tell."""
    try:
        return adapter.find_reply(reply)
    except (LookupUnsupported, ChannelError):
        return None


def _sent(item: Item, ref) -> None:
    now = timezone.now()
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(send_state=S.SENT, external_id=(ref.id or "")[:255],
                                               url=(ref.url or "")[:1000], sent_at=now, last_error="",
                                               claimed_by="")
        _mark_answered(item.conversation, now)
        record(Actor.system("inbox"), item.organisation, "inbox.reply_sent", item, external_id=ref.id)


def _failed(item: Item, error: ChannelError) -> str:
    from kanava.publishing.outbox import backoff

    if error.uncertain:
        Item.objects.filter(pk=item.pk).update(send_state=S.UNCERTAIN, last_error=str(error)[:2000], claimed_by="")
        record(Actor.system("inbox"), item.organisation, "inbox.reply_uncertain", item, error=str(error)[:500])
        _alert_failed(item, str(error))
        return "uncertain"
    if error.permanent or item.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        Item.objects.filter(pk=item.pk).update(send_state=S.FAILED, last_error=str(error)[:2000], claimed_by="")
        record(Actor.system("inbox"), item.organisation, "inbox.reply_failed", item, error=str(error)[:500])
        _alert_failed(item, str(error))
        return "failed"
    wait = backoff(item.attempts, error.retry_after)
    Item.objects.filter(pk=item.pk).update(send_state=S.PENDING, last_error=str(error)[:2000], claimed_by="",
                                           next_attempt_at=timezone.now() + timedelta(seconds=wait))
    return "retry"


def _alert_failed(item: Item, error: str) -> None:
    from django.utils import translation

    from kanava.core.notify import alert_leads

    organisation = item.organisation
    with translation.override(organisation.majority_language):
        text = _("An answer in the inbox could not be sent: %(error)s") % {"error": error}
    alert_leads(organisation, text, item.conversation.staff_url())


def do_retry(actor: Actor, item: Item) -> Item:
    """Send a failed answer again, or (for an uncertain one) after a person checked it did not arrive."""
    if not may_reply(actor.person, item.conversation):
        raise PermissionDenied(_("You are not allowed to answer this conversation."))
    if item.send_state not in (S.FAILED, S.UNCERTAIN):
        raise WorkflowError(_("Only a failed or uncertain answer can be sent again."))
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(send_state=S.PENDING, next_attempt_at=timezone.now(), attempts=0)
        record(actor, item.organisation, "inbox.reply_retried", item, was=item.send_state)
        transaction.on_commit(lambda: enqueue(item.pk))
    item.refresh_from_db()
    return item


def do_mark_arrived(actor: Actor, item: Item) -> Item:
    """A person checked that an uncertain answer did arrive."""
    if not may_reply(actor.person, item.conversation):
        raise PermissionDenied(_("You are not allowed to answer this conversation."))
    if item.send_state != S.UNCERTAIN:
        raise WorkflowError(_("Only an uncertain answer can be marked as arrived."))
    now = timezone.now()
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(send_state=S.SENT, sent_at=now)
        _mark_answered(item.conversation, now)
        record(actor, item.organisation, "inbox.reply_marked_arrived", item)
    item.refresh_from_db()
    return item


# -- crash recovery and the sweep ------------------------------------------------------

def dead_claims():
    """Answers in 'sending' whose worker stopped beating (or whose lease ran out)."""
    from kanava.publishing.outbox import dead_claim_filter

    return Item.objects.filter(send_state=S.SENDING).filter(dead_claim_filter())


def recover(item: Item) -> str:
    """Ask the platform whether a dead worker's answer arrived; what it cannot tell is uncertain."""
    from kanava.channels.registry import adapter_for
    from kanava.publishing.outbox import WORKER_ID

    if not Item.objects.filter(pk=item.pk, send_state=S.SENDING, claimed_by=item.claimed_by).update(
            claimed_by=WORKER_ID, claimed_at=timezone.now()):
        return "skipped"
    item = Item.objects.select_related("channel", "organisation", "conversation").get(pk=item.pk)
    try:
        ref = adapter_for(item.channel).find_reply(as_reply(item))
    except LookupUnsupported:
        Item.objects.filter(pk=item.pk).update(send_state=S.UNCERTAIN, claimed_by="")
        record(Actor.system("inbox"), item.organisation, "inbox.reply_uncertain", item)
        return "uncertain"
    except ChannelError:
        Item.objects.filter(pk=item.pk).update(claimed_at=timezone.now())  # ask again at the next sweep
        return "later"
    if ref is not None:
        _sent(item, ref)
        return "sent"
    Item.objects.filter(pk=item.pk).update(send_state=S.PENDING, claimed_by="", next_attempt_at=timezone.now())
    transaction.on_commit(lambda: enqueue(item.pk))
    return "requeued"


def sweep_replies() -> int:
    """Sweep step: recover dead workers' answers and wake answers whose task was lost."""
    done = 0
    for item in list(dead_claims()[:50]):
        if recover(item) != "skipped":
            done += 1
    now = timezone.now()
    lost = list(Item.objects.filter(send_state=S.PENDING, next_attempt_at__lt=now - timedelta(seconds=60))
                .values_list("pk", flat=True)[:100])
    if lost:
        Item.objects.filter(pk__in=lost, send_state=S.PENDING).update(next_attempt_at=now)
        for pk in lost:
            transaction.on_commit(lambda pk=pk: enqueue(pk))
        done += len(lost)
    return done


def send_due() -> int:
    """Send, in this process, every answer due now (tests and the demo's drain)."""
    sent = 0
    due = Item.objects.filter(send_state=S.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
    for pk in list(due.values_list("pk", flat=True)):
        if send(pk) == "sent":
            sent += 1
    return sent
