"""Every change to a hearing: comments, supports, moderation, answers, sections and their files.

Each ``do_*`` runs in one transaction, keeps the stored counters with ``F()``
updates, bumps ``Process.version`` when residents would see the change (the
cached pages are keyed on it) and writes an audit event.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kanava.core.audit import Actor, record
from kanava.participation.models import Contribution, Participant, Process
from kanava.participation.kinds.hearing.models import Comment, Section, SectionDocument, SectionImage, Support
from kanava.privacy import residents
from kanava.publishing import uploads

#: The same text from the same sender on the same section within this time is one comment.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=1)


def _bump(process: Process, contributions: int = 0, participants: int = 0) -> None:
    Process.objects.filter(pk=process.pk).update(
        version=F("version") + 1, contribution_count=F("contribution_count") + contributions,
        participant_count=F("participant_count") + participants)


def _count(comment: Comment, step: int) -> None:
    """Add ``step`` (+1 or -1) visible comments to the section, the parent and the process."""
    Section.objects.filter(pk=comment.section_id).update(
        comment_count=F("comment_count") + step,
        **({"thread_count": F("thread_count") + step} if comment.parent_id is None else {}))
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + step)


def dedupe_digest(section: Section, parent: Comment | None, text: str, sender: str) -> str:
    normalised = " ".join(text.split()).casefold()
    raw = f"{section.pk}|{parent.pk if parent else ''}|{sender}|{normalised}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _is_first_of(participant: Participant | None, process: Process) -> bool:
    if participant is None:
        return True  # each comment without identification is counted as one participant
    return not Comment.objects.filter(process=process, participant=participant).exists()


def do_add_comment(actor: Actor, section: Section, *, text: str, display_name: str = "",
                   participant: Participant | None = None, language: str = "", parent: Comment | None = None,
                   geometry: dict | None = None, place: str = "", address: str = "",
                   source: str = Contribution.Source.ONLINE, recorded_by=None, created_at=None,
                   sender: str = "") -> tuple[Comment, bool]:
    """Store a comment (or a reply to ``parent``); ``(comment, created)``.

    ``sender`` identifies who sent it (participant, session or address): the same
    text from the same sender on the same section within a minute is returned as
    the comment already stored, and nothing is counted twice.

    Personal data in the text and the name is masked before anything is stored
    (:mod:`kanava.privacy.residents`); ``comment.masked_kinds`` lists what was
    masked (empty when nothing), and a ``privacy.masked`` event tells the moderator.
    """
    process = section.process
    masked = residents.mask_fields(language or process.organisation.majority_language,
                                   limits={"display_name": Comment._meta.get_field("display_name").max_length},
                                   text=text, display_name=display_name)
    text, display_name = masked.texts["text"], masked.texts["display_name"]
    digest = dedupe_digest(section, parent, text, sender) if sender else ""
    with transaction.atomic():
        # The section row lock serialises comments on one section, so a double click cannot slip past the check.
        Section.objects.select_for_update().filter(pk=section.pk).first()
        if digest:
            earlier = Comment.objects.filter(dedupe_digest=digest,
                                             created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW).first()
            if earlier is not None:
                earlier.masked_kinds = masked.kinds
                return earlier, False
        first = _is_first_of(participant, process)
        comment = Comment.objects.create(
            process=process, section=section, parent=parent, participant=participant, text=text,
            display_name=display_name, language=language, geometry=geometry, place=place, address=address,
            source=source, recorded_by=recorded_by, created_at=created_at or timezone.now(), dedupe_digest=digest)
        _count(comment, +1)
        _bump(process, contributions=1, participants=1 if first else 0)
        record(actor, process.organisation, "hearing.comment_added", comment, section=section.pk,
               parent=parent.pk if parent else None, source=source)
        residents.record_masked(actor, process.organisation, comment, masked)
    comment.masked_kinds = masked.kinds
    return comment, True


def do_support(actor: Actor, comment: Comment, *, supporter_digest: str,
               participant: Participant | None = None) -> bool:
    """Support a comment once per supporter; True when counted, False when this supporter already had."""
    try:
        with transaction.atomic():
            Support.objects.create(comment=comment, participant=participant, supporter_digest=supporter_digest)
            Comment.objects.filter(pk=comment.pk).update(support_count=F("support_count") + 1)
            _bump(comment.process)
            record(actor, comment.process.organisation, "hearing.comment_supported", comment)
    except IntegrityError:
        return False
    return True


def do_hide_comment(actor: Actor, comment: Comment, reason: str) -> bool:
    """Hide a comment from residents with a reason; False when it was already hidden."""
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, hidden=False).update(
            hidden=True, hidden_reason=reason, hidden_at=timezone.now(), hidden_by=actor.person)
        if not changed:
            return False
        _count(comment, -1)
        _bump(comment.process, contributions=-1)
        record(actor, comment.process.organisation, "hearing.comment_hidden", comment, reason=reason)
    return True


def do_restore_comment(actor: Actor, comment: Comment, reason: str = "") -> bool:
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, hidden=True).update(hidden=False, hidden_at=None,
                                                                           hidden_by=None)
        if not changed:
            return False
        _count(comment, +1)
        _bump(comment.process, contributions=1)
        record(actor, comment.process.organisation, "hearing.comment_restored", comment, reason=reason)
    return True


def do_answer_comment(actor: Actor, comment: Comment, text: str) -> None:
    """The organisation's public answer under a comment (replaces an earlier answer)."""
    with transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(answer=text, answered_at=timezone.now(),
                                                     answered_by=actor.person)
        _bump(comment.process)
        record(actor, comment.process.organisation, "hearing.comment_answered", comment)


def do_save_section(actor: Actor, process: Process, section: Section | None, *, title: dict, abstract: dict,
                    body: dict, map_input: str, places: list, ordering: int) -> Section:
    with transaction.atomic():
        created = section is None
        section = section or Section(process=process)
        section.title, section.abstract, section.body = title, abstract, body
        section.map_input, section.places, section.ordering = map_input, places, ordering
        section.save()
        _bump(process)
        record(actor, process.organisation, "hearing.section_created" if created else "hearing.section_changed",
               section)
    return section


def do_add_image(actor: Actor, section: Section, upload, alt: dict) -> SectionImage:
    """Store an image re-encoded (no EXIF or appended data); raises ValidationError for a bad file."""
    content, extension = uploads.reencode_image(upload)
    with transaction.atomic():
        image = SectionImage(section=section, alt=alt, ordering=section.images.count())
        image.image.save(f"section-{section.pk}.{extension}", ContentFile(content), save=False)
        image.save()
        _bump(section.process)
        record(actor, section.process.organisation, "hearing.image_added", image, section=section.pk)
    return image


def do_add_document(actor: Actor, section: Section, upload, title: dict) -> SectionDocument:
    """Store a document named by the type found in its content; raises ValidationError for a bad file."""
    extension, content_type = uploads.detect_attachment(upload)
    upload.seek(0)
    with transaction.atomic():
        document = SectionDocument(section=section, title=title, content_type=content_type, size=upload.size,
                                   ordering=section.documents.count())
        document.file.save(f"section-{section.pk}.{extension}", ContentFile(upload.read()), save=False)
        document.save()
        _bump(section.process)
        record(actor, section.process.organisation, "hearing.document_added", document, section=section.pk)
    return document


def do_remove_file(actor: Actor, item: SectionImage | SectionDocument) -> None:
    section = item.section
    with transaction.atomic():
        record(actor, section.process.organisation, "hearing.file_removed", item, section=section.pk)
        stored = item.image if isinstance(item, SectionImage) else item.file
        item.delete()
        _bump(section.process)
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
