"""Every state change of a message: create, edit, review, schedule, publish.

Views and the API call these; nothing else changes a message.  Each action
checks permission and state, records an audit event and runs in one
transaction.
"""

import os
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kanava.channels.models import Channel
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_NAMES, Organisation, Person, Topic
from kanava.core.roles import Cap
from kanava.publishing.checks import check_message
from kanava.publishing.errors import PermissionDenied, WorkflowError
from kanava.publishing.models import (
    Delivery, Message, MessageAttachment, MessageImage, MessageVersion, ReviewComment, Variant,
)

State = Message.State
EDITABLE = (State.DRAFT, State.REJECTED, State.IN_REVIEW)


def _require(actor: Actor, organisation: Organisation, cap: str) -> None:
    if not can(actor.person, organisation, cap):
        raise PermissionDenied(_("You are not allowed to do this."))


def _require_state(message: Message, *states) -> None:
    if message.state not in states:
        raise WorkflowError(
            _("This cannot be done in the current state of the message: %(state)s.") % {"state": message.get_state_display()}
        )


def _lock(message: Message, *states) -> None:
    """Inside a transaction: re-read the state under the row's write lock.

    Without this an action working from a copy loaded earlier could save its
    stale state over a change made meanwhile (a reject landing on a message
    the scheduler has just started publishing).
    """
    current = Message.objects.select_for_update().filter(pk=message.pk).values_list("state", flat=True).first()
    if current != message.state:
        message.state = current
    _require_state(message, *states)


def _content_changed(message: Message) -> None:
    """Any change of content while in review withdraws the approvals given so far."""
    if message.state == State.IN_REVIEW:
        Message.objects.filter(pk=message.pk, state=State.IN_REVIEW).update(
            approved_by=None, approved_at=None, voice_approved_at=None)
        message.approved_by = message.approved_at = message.voice_approved_at = None


def _bump_site(organisation: Organisation) -> None:
    from django.db.models import F

    Organisation.objects.filter(pk=organisation.pk).update(site_version=F("site_version") + 1)


# -- composing ------------------------------------------------------------

def do_create_message(actor: Actor, organisation: Organisation, *, versions: dict[str, dict],
                      topic: Topic | None = None, voice: Person | None = None,
                      channels: list[Channel] | None = None, topic_subscribers_only: bool = False) -> Message:
    """Create a draft with its language versions.

    ``versions`` maps a language code to ``{"title", "body", "summary",
    "plain_title", "plain_body"}``.  Channels default to the organisation's
    channels selected by default.
    """
    _require(actor, organisation, Cap.DRAFT)
    with transaction.atomic():
        message = Message.objects.create(organisation=organisation, author=actor.person, topic=topic, voice=voice,
                                         topic_subscribers_only=topic_subscribers_only)
        if channels is None:
            channels = list(Channel.objects.filter(organisation=organisation, enabled=True,
                                                   selected_by_default=True, owner=None))
        message.channels.set(_own_channels(organisation, channels, voice))
        _write_versions(message, versions)
        sync_variants(message)
        record(actor, organisation, "message.created", message)
    return message


def do_update_message(actor: Actor, message: Message, *, versions: dict[str, dict] | None = None,
                      topic: Topic | None | bool = False, voice: Person | None | bool = False,
                      channels: list[Channel] | None = None) -> Message:
    """Change a draft, a rejected message or one in review (whose approvals are then cleared)."""
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, State.DRAFT, State.REJECTED, State.IN_REVIEW)
    with transaction.atomic():
        _lock(message, State.DRAFT, State.REJECTED, State.IN_REVIEW)
        new_voice = message.voice if voice is False else voice
        chosen = None if channels is None else _own_channels(message.organisation, channels, new_voice)
        changed, extra = [], {}
        if topic is not False:
            message.topic = topic
            changed.append("topic")
        if voice is not False:
            message.voice = voice
            message.voice_approved_at = None
            changed.append("voice")
        if message.state == State.IN_REVIEW:
            message.approved_by, message.approved_at, message.voice_approved_at = None, None, None
        message.save()
        if chosen is not None:
            message.channels.set(chosen)
            changed.append("channels")
        elif voice is not False:
            removed = _drop_others_personal_channels(message)
            if removed:
                changed.append("channels")
                extra["removed_personal_channels"] = removed
        if versions is not None:
            _write_versions(message, versions)
            changed.append("text")
        sync_variants(message)
        record(actor, message.organisation, "message.updated", message, changed=changed, **extra)
    return message


def _own_channels(organisation: Organisation, channels, voice: Person | None) -> list[Channel]:
    """The organisation's channels among ``channels``; refuses a personal account used in another's name.

    A voice's personal account (``Channel.owner``) may carry only messages in
    that voice's name: anything else would publish words on a person's own
    account that they never stood behind.  Raises ``WorkflowError``.
    """
    own = [c for c in channels if c.organisation_id == organisation.pk]
    for channel in own:
        if channel.owner_id and channel.owner_id != (voice.pk if voice else None):
            raise WorkflowError(personal_channel_error(channel))
    return own


def personal_channel_error(channel: Channel) -> str:
    """Why a voice's personal account cannot be on this message (translated, for forms and actions)."""
    return _("%(channel)s is the personal account of %(name)s: it can only be used for messages published "
             "in their name.") % {"channel": channel.name, "name": channel.owner}


def _drop_others_personal_channels(message: Message) -> list[int]:
    """The voice changed: take off the personal accounts of anyone but the new voice; returns their ids."""
    others = [c.pk for c in message.channels.all() if c.owner_id and c.owner_id != message.voice_id]
    if others:
        message.channels.remove(*others)
    return others


def is_personal_only(message: Message) -> bool:
    """Every channel of the message is the voice's own personal account (and there is at least one).

    Such a post is the voice speaking for themselves on their own accounts:
    their approval alone is enough, and they may publish it.
    """
    if not message.voice_id:
        return False
    owners = [c.owner_id for c in message.channels.all()]
    return bool(owners) and all(owner == message.voice_id for owner in owners)


def _write_versions(message: Message, versions: dict[str, dict]) -> None:
    keep = []
    for language, fields in versions.items():
        if not (fields.get("title") or "").strip() and not (fields.get("body") or "").strip():
            continue
        keep.append(language)
        MessageVersion.objects.update_or_create(
            message=message, language=language,
            defaults={
                "title": fields.get("title", "").strip(),
                "body": fields.get("body", "").strip(),
                "summary": fields.get("summary", "").strip(),
                "plain_title": fields.get("plain_title", "").strip(),
                "plain_body": fields.get("plain_body", "").strip(),
                "slug": slugify(fields.get("title", ""))[:100] or f"m{message.pk}",
            },
        )
    message.versions.exclude(language__in=keep).delete()


def sync_variants(message: Message) -> None:
    """Derive every channel variant that an editor has not changed by hand."""
    versions = {v.language: v for v in message.versions.all()}
    channels = list(message.channels.all())
    message.variants.exclude(channel__in=channels).delete()
    message.variants.exclude(language__in=list(versions)).delete()
    for channel in channels:
        adapter = channel.adapter
        for language, version in versions.items():
            variant, created = Variant.objects.get_or_create(message=message, channel=channel, language=language)
            if variant.edited:
                continue
            draft = adapter.derive(message, version)
            if created or (variant.title, variant.text) != (draft.title, draft.text):
                variant.title, variant.text = draft.title, draft.text
                variant.save()


def do_edit_variant(actor: Actor, variant: Variant, *, title: str, text: str) -> Variant:
    message = variant.message
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, State.DRAFT, State.REJECTED, State.IN_REVIEW)
    variant.title, variant.text, variant.edited = title.strip(), text.strip(), True
    variant.save()
    _content_changed(message)
    record(actor, message.organisation, "variant.edited", message, channel=variant.channel_id,
           language=variant.language)
    return variant


def do_reset_variant(actor: Actor, variant: Variant) -> Variant:
    _require(actor, variant.message.organisation, Cap.DRAFT)
    _require_state(variant.message, State.DRAFT, State.REJECTED, State.IN_REVIEW)
    variant.edited = False
    variant.save()
    sync_variants(variant.message)
    _content_changed(variant.message)
    record(actor, variant.message.organisation, "variant.reset", variant.message, channel=variant.channel_id,
           language=variant.language)
    variant.refresh_from_db()
    return variant


def do_set_variant_thread(actor: Actor, variant: Variant, thread: bool) -> Variant:
    """Choose whether a too-long social post goes out as a thread (True) or as one post (False).

    Only for platforms that have threads.  A change of what goes out, so it
    withdraws the approvals given so far, like any other change of content.
    Raises ``WorkflowError`` for a platform without threads.
    """
    message = variant.message
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, *EDITABLE)
    thread = bool(thread)
    if thread and not getattr(variant.channel.adapter, "threads", False):
        raise WorkflowError(_("%(channel)s cannot publish a thread.") % {"channel": variant.channel.name})
    if variant.thread == thread:
        return variant
    with transaction.atomic():
        _lock(message, *EDITABLE)
        variant.thread = thread
        variant.save(update_fields=["thread", "updated_at"])
        _content_changed(message)
        record(actor, message.organisation, "variant.thread_set", message, channel=variant.channel_id,
               language=variant.language, thread=thread)
    return variant


# -- images and attachments ------------------------------------------------------

def _clean_alt(alt: dict) -> dict:
    return {language: (text or "").strip() for language, text in (alt or {}).items() if (text or "").strip()}


def do_add_image(actor: Actor, message: Message, upload, alt: dict[str, str]) -> MessageImage:
    """Attach an image with its alternative text per language.

    The upload is checked again here (size, a real JPEG/PNG/WebP/GIF), so a
    caller other than the edit form cannot store anything else; raises
    ``ValidationError`` with a translated message.  What is stored is the
    image re-encoded (no trailing data, no EXIF location), named with the
    extension of the format found, whatever the uploaded name said.
    """
    from kanava.publishing.uploads import reencode_image

    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, *EDITABLE)
    content, extension = reencode_image(upload)
    with transaction.atomic():
        last = message.images.order_by("-position").values_list("position", flat=True).first()
        image = MessageImage(message=message, alt=_clean_alt(alt), position=(last or 0) + 1)
        image.file.save(_safe_name(upload.name, "image", extension), ContentFile(content), save=False)
        image.save()
        record(actor, message.organisation, "image.added", message, image=image.pk)
        _content_changed(message)
    return image


def do_set_image_alt(actor: Actor, image: MessageImage, alt: dict[str, str]) -> MessageImage:
    """Replace an image's alternative texts (language -> text)."""
    message = image.message
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, *EDITABLE)
    alt = _clean_alt(alt)
    if alt == (image.alt or {}):
        return image
    with transaction.atomic():
        image.alt = alt
        image.save(update_fields=["alt"])
        record(actor, message.organisation, "image.alt_changed", message, image=image.pk)
        _content_changed(message)
    return image


def do_remove_image(actor: Actor, image: MessageImage) -> None:
    message = image.message
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, *EDITABLE)
    with transaction.atomic():
        name, storage = image.file.name, image.file.storage
        record(actor, message.organisation, "image.removed", message, image=image.pk)
        _content_changed(message)
        image.delete()
        # Only once the row is gone for good: a rolled-back removal keeps its file.
        transaction.on_commit(lambda: storage.delete(name))


def do_add_attachment(actor: Actor, message: Message, upload, title: str = "") -> MessageAttachment:
    """Attach a document (PDF, office or text file); raises ``ValidationError`` if it is not one.

    The stored name is the uploaded one slugified, with the extension of the
    type found in the content (never the uploaded extension as such).
    """
    from kanava.publishing.uploads import detect_attachment

    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, *EDITABLE)
    extension, content_type = detect_attachment(upload)
    with transaction.atomic():
        attachment = MessageAttachment(message=message, title=(title.strip() or upload.name)[:200],
                                       content_type=content_type, size=upload.size)
        attachment.file.save(_safe_name(upload.name, "attachment", extension), upload, save=False)
        attachment.save()
        record(actor, message.organisation, "attachment.added", message, attachment=attachment.pk)
        _content_changed(message)
    return attachment


def do_remove_attachment(actor: Actor, attachment: MessageAttachment) -> None:
    message = attachment.message
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, *EDITABLE)
    with transaction.atomic():
        name, storage = attachment.file.name, attachment.file.storage
        record(actor, message.organisation, "attachment.removed", message, attachment=attachment.pk)
        _content_changed(message)
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def _safe_name(name: str, fallback: str, extension: str) -> str:
    """``<slug of the uploaded name's stem>.<extension>``; the uploaded extension is dropped.

    ``extension`` must come from what the content was found to be (the web
    server picks the content type by it).
    """
    stem = os.path.splitext(os.path.basename((name or "").replace("\\", "/")))[0]
    return f"{slugify(stem)[:60] or fallback}.{extension}"


# -- review -----------------------------------------------------------------

def _require_ready(message: Message) -> None:
    report = check_message(message)
    if not report.ok:
        raise WorkflowError(" ".join(_with_language(p) for p in report.blocking))


def _with_language(problem) -> str:
    """A blocking problem as one sentence, naming its language when it has one and does not say it."""
    language = LANGUAGE_NAMES.get(getattr(problem, "language", "") or "")
    if not language or str(language) in problem.message:
        return problem.message
    return f"{language}: {problem.message}"


def do_submit_for_review(actor: Actor, message: Message) -> Message:
    _require(actor, message.organisation, Cap.DRAFT)
    _require_state(message, State.DRAFT, State.REJECTED)
    _require_ready(message)
    with transaction.atomic():
        _lock(message, State.DRAFT, State.REJECTED)
        message.state = State.IN_REVIEW
        message.rejection_reason = ""
        message.save()
        record(actor, message.organisation, "message.submitted", message)
    return message


def do_comment(actor: Actor, message: Message, text: str) -> ReviewComment:
    _require(actor, message.organisation, Cap.VIEW)
    text = text.strip()
    if not text:
        raise WorkflowError(_("Write a comment first."))
    with transaction.atomic():
        comment = ReviewComment.objects.create(message=message, author=actor.person, text=text)
        record(actor, message.organisation, "message.commented", message)
    return comment


def _is_the_voice(person: Person | None, message: Message) -> bool:
    return (person is not None and bool(message.voice_id) and person.pk == message.voice_id
            and can(person, message.organisation, Cap.APPROVE_OWN))


def may_approve(person: Person, message: Message) -> bool:
    return _is_the_voice(person, message) or can(person, message.organisation, Cap.APPROVE)


def may_publish(person: Person, message: Message) -> bool:
    """Who may publish, schedule or unschedule an approved message.

    An approver may publish anything; a voice may publish what goes only to
    their own personal accounts.
    """
    if can(person, message.organisation, Cap.APPROVE):
        return True
    return _is_the_voice(person, message) and is_personal_only(message)


def _require_publisher(actor: Actor, message: Message) -> None:
    if not may_publish(actor.person, message):
        raise PermissionDenied(_("You are not allowed to publish this message."))


def do_approve(actor: Actor, message: Message) -> Message:
    """Approve a message in review.

    A message in a voice's name needs the voice's own approval.  Unless it
    goes only to the voice's own personal accounts, it also needs an
    approver's (a communications lead); either may come first.  When what is
    needed is there, the message is approved.
    """
    if not may_approve(actor.person, message):
        raise PermissionDenied(_("You are not allowed to approve this message."))
    _require_state(message, State.IN_REVIEW)
    _require_ready(message)
    now = timezone.now()
    with transaction.atomic():
        _lock(message, State.IN_REVIEW)
        personal_only = is_personal_only(message)
        if _is_the_voice(actor.person, message):
            message.voice_approved_at = now
            record(actor, message.organisation, "message.voice_approved", message, personal_only=personal_only)
        if can(actor.person, message.organisation, Cap.APPROVE):
            message.approved_by, message.approved_at = actor.person, now
            record(actor, message.organisation, "message.approved", message)
        if approvals_complete(message, personal_only):
            message.state = State.APPROVED
        message.save()
    return message


def approvals_complete(message: Message, personal_only: bool | None = None) -> bool:
    """Whether the approvals given so far are all the message needs."""
    if personal_only is None:
        personal_only = is_personal_only(message)
    if message.voice_id and not message.voice_approved_at:
        return False
    return personal_only or bool(message.approved_at)


def do_reject(actor: Actor, message: Message, reason: str) -> Message:
    if not may_approve(actor.person, message):
        raise PermissionDenied(_("You are not allowed to reject this message."))
    _require_state(message, State.IN_REVIEW, State.APPROVED, State.SCHEDULED)
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say why the message is rejected, so the author can fix it."))
    with transaction.atomic():
        _lock(message, State.IN_REVIEW, State.APPROVED, State.SCHEDULED)
        message.state = State.REJECTED
        message.rejection_reason = reason
        message.approved_by = message.approved_at = message.voice_approved_at = message.scheduled_at = None
        message.save()
        record(actor, message.organisation, "message.rejected", message, reason=reason)
    return message


# -- schedule and publish --------------------------------------------------------

def do_schedule(actor: Actor, message: Message, when: datetime) -> Message:
    _require_publisher(actor, message)
    _require_state(message, State.APPROVED, State.SCHEDULED)
    if when <= timezone.now():
        raise WorkflowError(_("Choose a time in the future."))
    with transaction.atomic():
        _lock(message, State.APPROVED, State.SCHEDULED)
        message.state = State.SCHEDULED
        message.scheduled_at = when
        message.save()
        record(actor, message.organisation, "message.scheduled", message, at=when.isoformat(),
               personal_only=is_personal_only(message))
    return message


def do_unschedule(actor: Actor, message: Message) -> Message:
    _require_publisher(actor, message)
    _require_state(message, State.SCHEDULED)
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, state=State.SCHEDULED).update(
            state=State.APPROVED, scheduled_at=None)
        if not updated:
            raise WorkflowError(_("The message is already being published."))
        message.refresh_from_db()
        record(actor, message.organisation, "message.unscheduled", message)
    return message


def do_publish(actor: Actor, message: Message) -> Message:
    """Publish an approved message now: plan its deliveries and wake the workers."""
    _require_publisher(actor, message)
    _require_state(message, State.APPROVED, State.SCHEDULED)
    _require_ready(message)
    return _start_publishing(actor, message, from_states=[State.APPROVED, State.SCHEDULED])


def publish_due(now: datetime | None = None) -> list[int]:
    """Publish every scheduled message whose time has come, exactly once.

    Two workers may run this at the same moment: the conditional update lets
    only one of them take each message.
    """
    now = now or timezone.now()
    started = []
    for message in Message.objects.filter(state=State.SCHEDULED, scheduled_at__lte=now).select_related("organisation"):
        if _start_publishing(Actor.system("schedule"), message, from_states=[State.SCHEDULED]):
            started.append(message.pk)
    return started


def _start_publishing(actor: Actor, message: Message, from_states) -> Message | None:
    from kanava.publishing import outbox

    with transaction.atomic():
        taken = Message.objects.filter(pk=message.pk, state__in=from_states).update(
            state=State.PUBLISHING, published_at=timezone.now())
        if not taken:
            return None
        message.refresh_from_db()
        record(actor, message.organisation, "message.published", message,
               channels=[c.pk for c in message.channels.all()])
        transaction.on_commit(lambda: outbox.enqueue_fan_out(message.pk))
    return message


def finish_publishing(message: Message) -> None:
    """Called by the outbox once every delivery is planned."""
    Message.objects.filter(pk=message.pk, state=State.PUBLISHING).update(state=State.PUBLISHED)
    _bump_site(message.organisation)


# -- deliveries ------------------------------------------------------------------

def do_retry_delivery(actor: Actor, delivery: Delivery) -> Delivery:
    """Send a failed delivery again (a person asked for it)."""
    from kanava.publishing import outbox

    _require(actor, delivery.organisation, Cap.APPROVE)
    if delivery.state != Delivery.State.FAILED:
        raise WorkflowError(_("Only a failed delivery can be retried."))
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
            state=Delivery.State.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error="")
        delivery.recipients.filter(state="failed").update(state="queued", error="")
        record(actor, delivery.organisation, "delivery.retried", delivery.message, delivery=delivery.pk)
        transaction.on_commit(lambda: outbox.enqueue_delivery(delivery.pk))
    delivery.refresh_from_db()
    return delivery


def do_resolve_uncertain(actor: Actor, delivery: Delivery, decision: str) -> Delivery:
    """A person decides an uncertain delivery: it arrived ("delivered") or send it again ("resend")."""
    from kanava.publishing import outbox

    _require(actor, delivery.organisation, Cap.APPROVE)
    if delivery.state != Delivery.State.UNCERTAIN:
        raise WorkflowError(_("This delivery is not uncertain."))
    if decision not in {"delivered", "resend"}:
        raise WorkflowError(_("Choose whether it arrived or should be sent again."))
    with transaction.atomic():
        if decision == "delivered":
            delivery.recipients.filter(state="uncertain").update(state="sent")
            Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.DELIVERED,
                                                           delivered_at=timezone.now())
        else:
            delivery.recipients.filter(state="uncertain").update(state="queued")
            Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING,
                                                           next_attempt_at=timezone.now())
            transaction.on_commit(lambda: outbox.enqueue_delivery(delivery.pk))
        record(actor, delivery.organisation, "delivery.resolved", delivery.message, delivery=delivery.pk,
               decision=decision)
    delivery.refresh_from_db()
    return delivery


# -- alerts -------------------------------------------------------------------------

def do_resolve_alert(actor: Actor, alert) -> None:
    """Mark a lead's alert as dealt with (it stays in the audit log)."""
    _require(actor, alert.organisation, Cap.APPROVE)
    with transaction.atomic():
        if type(alert).objects.filter(pk=alert.pk, resolved_at=None).update(resolved_at=timezone.now()):
            record(actor, alert.organisation, "alert.resolved", alert, text=alert.text[:200])
    alert.refresh_from_db()
