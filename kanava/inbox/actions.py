"""Working the inbox queue: assign, set status, note, correct, record by hand, set targets.

Every function takes an :class:`~kanava.core.audit.Actor`, checks what the
person may do in the conversation's organisation (``Cap.REPLY`` for ordinary
queue work, ``Cap.MODERATE`` for teaching the classifier, ``Cap.MANAGE_PEOPLE``
for the organisation's response targets), changes state inside one
transaction and records an audit event.  Refusals are
:class:`~kanava.publishing.errors.PermissionDenied` or
:class:`~kanava.publishing.errors.WorkflowError` with a translated text; the
views show them as messages.

Answers themselves (sending, recording how one answered, sending again) are
in :mod:`kanava.inbox.replies`.
"""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_time
from django.utils.translation import gettext as _

from kanava.channels.base import Incoming
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, Organisation, Person, Topic
from kanava.core.roles import Cap
from kanava.inbox import intake
from kanava.inbox.analysis import analyse
from kanava.inbox.moderation import visible_filter, visible_to
from kanava.inbox.models import (
    ABUSIVE_KINDS, RECORDED_SOURCES, Conversation, Correction, Item, Kind, ResponseTargets, Status,
)
from kanava.publishing.errors import PermissionDenied, WorkflowError

#: What ``do_bulk`` can do to many conversations at once.
BULK_ASSIGN, BULK_STATUS, BULK_CLOSE, BULK_SPAM = "assign", "status", "close", "spam"
BULK_ACTIONS = (BULK_ASSIGN, BULK_STATUS, BULK_CLOSE, BULK_SPAM)
#: At most this many conversations in one bulk action (a page of the queue is far fewer).
MAX_BULK = 500
#: Longest internal note and hand-recorded text.
MAX_NOTE = 20_000
TARGET_FIELDS = ("question_days", "feedback_days", "complaint_days", "other_days", "remind_hours",
                 "workday_start", "workday_end")


# -- permissions ----------------------------------------------------------------------

def _require(actor: Actor, organisation: Organisation, cap: str) -> None:
    if actor.person is None or not can(actor.person, organisation, cap):
        raise PermissionDenied(_("You are not allowed to do this."))


def _check(actor: Actor, conversation: Conversation, cap: str = Cap.REPLY) -> Organisation:
    """The person may do ``cap`` in the conversation's organisation and may see the conversation
    (abuse naming an employee is the lead's); the organisation, for the audit event."""
    organisation = conversation.organisation
    _require(actor, organisation, cap)
    if not visible_to(actor.person, organisation, conversation):
        raise PermissionDenied(_("You are not allowed to do this."))
    return organisation


def may_work(person, organisation: Organisation) -> bool:
    return person is not None and can(person, organisation, Cap.REPLY)


def owners_of(organisation: Organisation):
    """The people who may own a conversation: members who may answer residents."""
    from kanava.core.roles import CAPABILITIES

    roles = [role for role, caps in CAPABILITIES.items() if Cap.REPLY in caps]
    return (Person.objects.filter(memberships__organisation=organisation, memberships__role__in=roles,
                                  is_active=True).distinct().order_by("display_name", "email"))


# -- due times --------------------------------------------------------------------------

def unanswered_since(conversation: Conversation):
    """When the resident's still unanswered message arrived: the first incoming item after our last answer.

    Falls back to the conversation's latest activity when everything has been answered.
    """
    items = conversation.items.filter(direction=Item.Direction.IN)
    last_answer = (conversation.items.filter(direction=Item.Direction.OUT).exclude(send_state=Item.SendState.FAILED)
                   .order_by("-received_at").values_list("received_at", flat=True).first())
    if last_answer is not None:
        items = items.filter(received_at__gt=last_answer)
    first = items.order_by("received_at", "pk").values_list("received_at", flat=True).first()
    return first or conversation.last_received_at


def _recompute_due(conversation: Conversation) -> None:
    """A new due time after the kind or the accessibility flag changed; reminders start over."""
    conversation.due_at = intake.due_time(conversation.organisation, conversation, unanswered_since(conversation))
    conversation.reminded_at = None
    conversation.overdue_alerted_at = None


# -- one conversation ------------------------------------------------------------------

def _apply_status(conversation: Conversation, status: str, now) -> None:
    conversation.status = status
    if status == Status.CLOSED:
        conversation.closed_at = now
    elif status == Status.ANSWERED:
        conversation.answered_at = conversation.answered_at or now
        conversation.closed_at = None
    else:
        conversation.closed_at = None


def do_set_status(actor: Actor, conversation: Conversation, status: str) -> Conversation:
    """Move a conversation to ``status`` (new, in progress, waiting, answered, closed)."""
    organisation = _check(actor, conversation)
    if status not in Status.values:
        raise WorkflowError(_("Choose a status."))
    was = conversation.status
    if was == status:
        return conversation
    with transaction.atomic():
        _apply_status(conversation, status, timezone.now())
        conversation.save(update_fields=["status", "closed_at", "answered_at", "updated_at"])
        record(actor, organisation, "inbox.status_set", conversation, status=status, was=was)
    return conversation


def _owner_in(organisation: Organisation, owner: Person | None) -> Person | None:
    if owner is None:
        return None
    if not owners_of(organisation).filter(pk=owner.pk).exists():
        raise WorkflowError(_("This person cannot answer residents in this organisation."))
    return owner


def do_assign(actor: Actor, conversation: Conversation, owner: Person | None) -> Conversation:
    """Give the conversation to ``owner`` (someone who may answer), or to nobody."""
    organisation = _check(actor, conversation)
    owner = _owner_in(organisation, owner)
    was = conversation.owner_id
    if was == (owner.pk if owner else None):
        return conversation
    with transaction.atomic():
        conversation.owner = owner
        if owner is not None and conversation.status == Status.NEW:
            conversation.status = Status.IN_PROGRESS
        conversation.save(update_fields=["owner", "status", "updated_at"])
        record(actor, organisation, "inbox.assigned", conversation, owner=owner.pk if owner else None, was=was)
    return conversation


def do_add_note(actor: Actor, conversation: Conversation, text: str) -> Item:
    """An internal note for colleagues; never sent to the resident."""
    organisation = _check(actor, conversation)
    text = intake.clean_text(text).strip()
    if not text:
        raise WorkflowError(_("Write the note first."))
    if len(text) > MAX_NOTE:
        raise WorkflowError(_("The note is too long."))
    with transaction.atomic():
        note = Item.objects.create(organisation=organisation, conversation=conversation,
                                   direction=Item.Direction.NOTE, source=conversation.source, text=text,
                                   person=actor.person, author_name=actor.person.display_name or actor.person.email)
        record(actor, organisation, "inbox.note_added", conversation, item=note.pk)
    return note


def do_set_topic(actor: Actor, conversation: Conversation, topic: Topic | None) -> Conversation:
    organisation = _check(actor, conversation)
    if topic is not None and topic.organisation_id != organisation.pk:
        raise WorkflowError(_("Choose one of the organisation's topics."))
    was = conversation.topic_id
    if was == (topic.pk if topic else None):
        return conversation
    with transaction.atomic():
        conversation.topic = topic
        conversation.save(update_fields=["topic", "updated_at"])
        record(actor, organisation, "inbox.topic_set", conversation, topic=topic.pk if topic else None, was=was)
    return conversation


def do_set_accessibility(actor: Actor, conversation: Conversation, accessibility: bool) -> Conversation:
    """Mark (or unmark) accessibility feedback: it must be answered within 14 days by law, so the due time changes."""
    organisation = _check(actor, conversation)
    accessibility = bool(accessibility)
    if conversation.accessibility == accessibility:
        return conversation
    with transaction.atomic():
        conversation.accessibility = accessibility
        if conversation.is_open:
            _recompute_due(conversation)
        conversation.save(update_fields=["accessibility", "due_at", "reminded_at", "overdue_alerted_at",
                                         "updated_at"])
        record(actor, organisation, "inbox.accessibility_marked", conversation, accessibility=accessibility,
               due_at=conversation.due_at.isoformat() if conversation.due_at else None)
    return conversation


def conversation_kind(conversation: Conversation) -> str:
    """The conversation's kind from its items: abuse wins (it decides who sees it), else the first item's kind."""
    kinds = list(conversation.items.filter(direction=Item.Direction.IN).exclude(kind="")
                 .order_by("received_at", "pk").values_list("kind", flat=True))
    abusive = [kind for kind in kinds if kind in ABUSIVE_KINDS]
    if abusive:
        return abusive[-1]
    return kinds[0] if kinds else ""


def do_correct_kind(actor: Actor, item: Item, kind: str) -> Item:
    """A moderator says what an incoming item really is; the organisation's classifier learns from it."""
    conversation = item.conversation
    organisation = _check(actor, conversation, Cap.MODERATE)
    if kind not in Kind.values:
        raise WorkflowError(_("Choose a kind."))
    if item.direction != Item.Direction.IN:
        raise WorkflowError(_("Only what residents wrote is classified."))
    was = item.kind
    with transaction.atomic():
        Correction.objects.create(organisation=organisation, item=item, text=item.text, language=item.language,
                                  kind=kind, by=actor.person)
        item.kind, item.kind_set_by = kind, actor.person
        item.save(update_fields=["kind", "kind_set_by"])
        _refresh_kind(conversation)
        record(actor, organisation, "inbox.kind_corrected", item, kind=kind, was=was, conversation=conversation.pk)
    return item


def _refresh_kind(conversation: Conversation) -> None:
    kind = conversation_kind(conversation)
    if kind == conversation.kind:
        return
    conversation.kind = kind
    if conversation.is_open:
        _recompute_due(conversation)
    conversation.save(update_fields=["kind", "due_at", "reminded_at", "overdue_alerted_at", "updated_at"])


# -- many at once ----------------------------------------------------------------------

def _mark_spam(actor: Actor, conversation: Conversation, now) -> None:
    """Spam: every incoming item is labelled (the classifier learns) and the conversation is closed."""
    items = list(conversation.items.filter(direction=Item.Direction.IN).exclude(kind=Kind.SPAM))
    Correction.objects.bulk_create([
        Correction(organisation=conversation.organisation, item=item, text=item.text, language=item.language,
                   kind=Kind.SPAM, by=actor.person) for item in items])
    Item.objects.filter(pk__in=[item.pk for item in items]).update(kind=Kind.SPAM, kind_set_by=actor.person)
    conversation.kind = Kind.SPAM
    _apply_status(conversation, Status.CLOSED, now)
    conversation.save(update_fields=["kind", "status", "closed_at", "answered_at", "updated_at"])


def _bulk_value(organisation: Organisation, action: str, value):
    """The checked value of a bulk action: a Person (or None) to assign, a status to set."""
    if action == BULK_ASSIGN:
        if value in (None, ""):
            return None
        if isinstance(value, Person):
            return _owner_in(organisation, value)
        person = owners_of(organisation).filter(pk=int(value)).first() if str(value).isdigit() else None
        if person is None:
            raise WorkflowError(_("This person cannot answer residents in this organisation."))
        return person
    if action == BULK_STATUS:
        if value not in Status.values:
            raise WorkflowError(_("Choose a status."))
        return value
    return None


def do_bulk(actor: Actor, organisation: Organisation, ids, action: str, value=None) -> int:
    """Apply one action to many of the organisation's conversations; how many changed.

    ``action`` is "assign" (``value``: a person, their id or "" for nobody),
    "status" (``value``: a status), "close" or "spam" (closes and teaches the
    classifier; moderators only).  Ids of other organisations' conversations
    are ignored, never touched.
    """
    if action not in BULK_ACTIONS:
        raise WorkflowError(_("Choose what to do."))
    _require(actor, organisation, Cap.MODERATE if action == BULK_SPAM else Cap.REPLY)
    ids = sorted({int(pk) for pk in ids if str(pk).isdigit()})
    if not ids:
        raise WorkflowError(_("Choose at least one conversation."))
    if len(ids) > MAX_BULK:
        raise WorkflowError(_("Choose at most %(count)s conversations at once.") % {"count": MAX_BULK})
    value = _bulk_value(organisation, action, value)
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        conversations = (Conversation.objects.select_for_update(of=("self",))
                         .filter(organisation=organisation, pk__in=ids)
                         .filter(visible_filter(actor.person, organisation)).select_related("organisation"))
        for conversation in conversations:
            if _bulk_one(actor, conversation, action, value, now):
                changed += 1
        record(actor, organisation, "inbox.bulk", None, bulk_action=action, conversations=ids, changed=changed,
               value=value.pk if isinstance(value, Person) else value)
    return changed


def _bulk_one(actor: Actor, conversation: Conversation, action: str, value, now) -> bool:
    if action == BULK_ASSIGN:
        if conversation.owner_id == (value.pk if value else None):
            return False
        do_assign(actor, conversation, value)
        return True
    if action == BULK_SPAM:
        _mark_spam(actor, conversation, now)
        record(actor, conversation.organisation, "inbox.marked_spam", conversation)
        return True
    status = Status.CLOSED if action == BULK_CLOSE else value
    if conversation.status == status:
        return False
    do_set_status(actor, conversation, status)
    return True


# -- feedback recorded by hand -----------------------------------------------------------

def do_record_feedback(actor: Actor, organisation: Organisation, *, name: str, contact: str, how: str, text: str,
                       language: str = "") -> Item:
    """Feedback given by phone, on paper or at the service desk, written down by staff.

    Each recorded item is new (it has no platform id to merge on); it goes
    through the same intake as everything else, so it is classified and
    given a due time.
    """
    _require(actor, organisation, Cap.REPLY)
    if how not in RECORDED_SOURCES:
        raise WorkflowError(_("Choose how the feedback was given."))
    text = intake.clean_text(text).strip()
    if not text:
        raise WorkflowError(_("Write down what the resident said."))
    if language and language not in LANGUAGE_CODES:
        raise WorkflowError(_("Choose a language."))
    analysis = analyse(organisation.pk, [text])[0]
    if language:
        analysis.language, analysis.language_confidence = language, 1.0
    incoming = Incoming(external_id="", text=text, kind="recorded", author_name=(name or "").strip(),
                        author_handle=(contact or "").strip(), created_at=timezone.now())
    with transaction.atomic():
        item = intake.take_in(organisation, how, incoming, analysis=analysis, actor=actor)
        record(actor, organisation, "inbox.feedback_recorded", item.conversation, how=how, item=item.pk)
    return item


# -- the organisation's promises ------------------------------------------------------------

def do_set_targets(actor: Actor, organisation: Organisation, **values) -> ResponseTargets:
    """Change how soon the organisation promises to answer; applies to what arrives from now on."""
    _require(actor, organisation, Cap.MANAGE_PEOPLE)
    unknown = set(values) - set(TARGET_FIELDS)
    if unknown:
        raise WorkflowError(_("Unknown setting."))
    # Read back from the database: a row just created still holds its defaults as strings ("08:00").
    targets = ResponseTargets.objects.get(pk=intake.targets_of(organisation).pk)
    values = {name: _as_time(value) if name.startswith("workday_") else int(value) for name, value in values.items()}
    start, end = values.get("workday_start", targets.workday_start), values.get("workday_end", targets.workday_end)
    if start >= end:
        raise WorkflowError(_("The working day must end after it starts."))
    changes = {}
    for name, value in values.items():
        before = getattr(targets, name)
        if before != value:
            changes[name] = {"from": str(before), "to": str(value)}
            setattr(targets, name, value)
    if not changes:
        return targets
    with transaction.atomic():
        targets.save()
        record(actor, organisation, "inbox.targets_set", targets, changes=changes)
    organisation._response_targets = targets
    return targets


def _as_time(value) -> time:
    if isinstance(value, time):
        return value
    parsed = parse_time(str(value))
    if parsed is None:
        raise WorkflowError(_("Give the time as hours and minutes, for example 08:00."))
    return parsed
