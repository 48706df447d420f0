"""Everything that changes a notice: drafts, publication, personal-data removal, expiry.

Publication, removal and expiry each write one :class:`~kanava.notices.models.NoticeLog`
row (the proof) and one audit event.  Removal and expiry are claimed per notice by
a conditional UPDATE inside the transaction that also blanks the data and writes
the log row: two workers never both do it, and a crash part-way through a run
rolls back only the notice in hand, which the next run does again.  So a run
neither skips nor repeats a log row, and nothing is done a second early: a notice
is touched only when its time is ``<= now``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, LANGUAGE_NAMES, Organisation
from kanava.notices import periods
from kanava.notices.models import Notice, NoticeLog, NoticePersonalField

logger = logging.getLogger("kanava.notices")

SYSTEM = Actor.system("notices")
MAX_TITLE = 300
MAX_BODY = 20_000
MAX_PERIOD_DAYS = 365
#: How many notices one sweep round removes or expires (the rest wait for the next round).
BATCH = 100

#: Defaults per kind: (period_days, appeal_days, removal basis).
KIND_DEFAULTS = {
    Notice.Kind.DECISION: (14, periods.MUNICIPAL_APPEAL_DAYS, Notice.RemovalBasis.APPEAL),
    Notice.Kind.ANNOUNCEMENT: (14, None, Notice.RemovalBasis.PERIOD),
    Notice.Kind.OTHER: (14, None, Notice.RemovalBasis.PERIOD),
}


@dataclass
class PersonalFieldData:
    label: dict
    value: str


def notices_of(organisation: Organisation):
    """Every notice of one organisation (staff lists); nothing of another's."""
    return Notice.objects.filter(organisation=organisation).select_related("organisation")


# -- drafts ----------------------------------------------------------------------------------

def _clean_texts(values: dict) -> dict:
    return {code: (values.get(code) or "").strip() for code in LANGUAGE_CODES if (values.get(code) or "").strip()}


def _check_draft(organisation, kind, title, body, period_days, appeal_days, removal_basis) -> None:
    errors = {}
    if kind not in Notice.Kind.values:
        errors["kind"] = _("Choose the kind of notice.")
    if not title.get(organisation.majority_language):
        errors["title"] = _("Write the title in %(language)s.") % {
            "language": LANGUAGE_NAMES.get(organisation.majority_language, organisation.majority_language)}
    if any(len(text) > MAX_TITLE for text in title.values()):
        errors["title"] = _("A title can be at most %(n)d characters.") % {"n": MAX_TITLE}
    if any(len(text) > MAX_BODY for text in body.values()):
        errors["body"] = _("The text can be at most %(n)d characters.") % {"n": MAX_BODY}
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        errors["period_days"] = _("The period is from 1 to %(n)d days.") % {"n": MAX_PERIOD_DAYS}
    if appeal_days is not None and not 1 <= appeal_days <= MAX_PERIOD_DAYS:
        errors["appeal_days"] = _("The appeal period is from 1 to %(n)d days.") % {"n": MAX_PERIOD_DAYS}
    if removal_basis == Notice.RemovalBasis.APPEAL and appeal_days is None:
        errors["removal_basis"] = _("A notice without an appeal period loses its personal data when its "
                                    "period ends.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_save_notice(actor: Actor, organisation: Organisation, notice: Notice | None = None, *, kind: str,
                   title: dict, body: dict, period_days: int, appeal_days: int | None, removal_basis: str,
                   personal_fields: list[PersonalFieldData]) -> Notice:
    """Create a draft (``notice`` None) or change one; raises ``ValidationError``.

    A notice that has been published cannot be changed: what was public is what
    its proof log's digest says.
    """
    if notice is not None and (notice.organisation_id != organisation.pk or notice.status != Notice.Status.DRAFT):
        raise ValidationError(_("A published notice cannot be changed."))
    title, body = _clean_texts(title), _clean_texts(body)
    _check_draft(organisation, kind, title, body, period_days, appeal_days, removal_basis)
    created = notice is None
    if created:
        notice = Notice(organisation=organisation, created_by=actor.person)
    notice.kind, notice.title, notice.body = kind, title, body
    notice.period_days, notice.appeal_days, notice.removal_basis = period_days, appeal_days, removal_basis
    notice.save()
    notice.personal_fields.all().delete()
    NoticePersonalField.objects.bulk_create([
        NoticePersonalField(notice=notice, position=i, label=_clean_texts(field.label), value=field.value.strip())
        for i, field in enumerate(f for f in personal_fields if f.value.strip() or any(f.label.values()))
    ])
    record(actor, organisation, "notice.created" if created else "notice.updated", notice,
           personal_fields=notice.personal_fields.count())
    return notice


# -- publication -------------------------------------------------------------------------

def missing_for_publishing(notice: Notice) -> list[str]:
    """Why the notice cannot be published yet; empty when it can (every required language written)."""
    problems = []
    for code in notice.organisation.required_languages:
        name = LANGUAGE_NAMES.get(code, code)
        if not notice.title.get(code) or not notice.body.get(code):
            problems.append(_("The title and text in %(language)s are missing.") % {"language": name})
        for field in notice.personal_fields.all():
            if not field.label.get(code):
                problems.append(_("A personal data field has no label in %(language)s.") % {"language": name})
                break
    if any(not field.value for field in notice.personal_fields.all()):
        problems.append(_("A personal data field has no value."))
    return problems + personal_data_in_text(notice)


def personal_data_in_text(notice: Notice) -> list[str]:
    """The privacy guard on the notice's title and text: identity codes, phone numbers, email
    addresses and IBANs belong in the personal data fields, which are removed when their time comes."""
    from kanava.privacy import guard, scan
    from kanava.privacy.actions import MASKED_KINDS
    from kanava.privacy.labels import KIND_LABELS

    problems = []
    for code in notice.organisation.required_languages:
        for text in (notice.title.get(code, ""), notice.body.get(code, "")):
            for finding in scan.scan(text):
                if finding.kind in MASKED_KINDS:
                    problems.append(
                        _("%(what)s %(value)s in the text in %(language)s: put personal data in the personal "
                          "data fields, which are removed when the period ends.")
                        % {"what": KIND_LABELS[finding.kind], "value": guard.mask_value(finding),
                           "language": LANGUAGE_NAMES.get(code, code)})
    return problems


def public_content(notice: Notice) -> dict:
    """What the notice shows residents, in a canonical form: the input of every digest."""
    return {
        "organisation": notice.organisation.slug,
        "notice": notice.pk,
        "kind": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "personal_fields": [{"label": f.label, "value": f.value}
                            for f in notice.personal_fields.order_by("position", "pk")],
        "published_at": notice.published_at.isoformat() if notice.published_at else None,
        "period_ends_at": notice.period_ends_at.isoformat() if notice.period_ends_at else None,
        "deemed_received_on": notice.deemed_received_on.isoformat() if notice.deemed_received_on else None,
        "appeal_ends_on": notice.appeal_ends_on.isoformat() if notice.appeal_ends_on else None,
    }


def digest_of(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _log(actor: Actor, notice: Notice, event: str, at, **data) -> NoticeLog:
    return NoticeLog.objects.create(organisation_id=notice.organisation_id, notice=notice, event=event, at=at,
                                    digest=digest_of(public_content(notice)), actor=actor.person,
                                    actor_label=str(actor)[:255], data=data)


def _site_changed(organisation_id: int) -> None:
    Organisation.objects.filter(pk=organisation_id).update(site_version=F("site_version") + 1)


def compute_dates(notice: Notice, published_at) -> None:
    """Set the dates that follow from publication at ``published_at`` (see :mod:`kanava.notices.periods`)."""
    tz = notice.organisation.tz
    notice.published_at = published_at
    notice.period_ends_at = periods.period_ends_at(published_at, notice.period_days, tz)
    notice.deemed_received_on = periods.deemed_received_on(published_at, tz)
    notice.appeal_ends_on = (periods.appeal_ends_on(published_at, notice.appeal_days, tz)
                             if notice.appeal_days else None)
    if notice.removal_basis == Notice.RemovalBasis.APPEAL and notice.appeal_ends_on:
        notice.remove_personal_data_at = periods.end_of_day(notice.appeal_ends_on, tz)
    else:
        notice.remove_personal_data_at = notice.period_ends_at


def do_publish_notice(actor: Actor, notice: Notice, now=None) -> Notice:
    """Put a draft on the notice board from ``now``; raises ``ValidationError`` when it cannot be.

    Writes the "published" proof row with the digest of what became public.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("organisation").get(pk=notice.pk)
        if notice.status != Notice.Status.DRAFT:
            raise ValidationError(_("The notice has already been published."))
        problems = missing_for_publishing(notice)
        if problems:
            raise ValidationError(problems)
        compute_dates(notice, now)
        notice.status = Notice.Status.PUBLISHED
        notice.published_by = actor.person
        notice.save()
        log = _log(actor, notice, NoticeLog.Event.PUBLISHED, now)
        record(actor, notice.organisation, "notice.published", notice, digest=log.digest,
               period_ends_at=notice.period_ends_at.isoformat(),
               remove_personal_data_at=notice.remove_personal_data_at.isoformat())
        _site_changed(notice.organisation_id)
        transaction.on_commit(lambda: _schedule(notice))
    return notice


def _schedule(notice: Notice) -> None:
    """Ask the task queue to run the deadlines at their exact moments (the sweep is the safety net)."""
    from kanava.notices.tasks import enqueue_at

    for moment in {notice.remove_personal_data_at, notice.period_ends_at}:
        enqueue_at(moment)


# -- the deadlines -------------------------------------------------------------------------

def removal_due(now):
    return Notice.objects.filter(personal_data_removed_at__isnull=True, remove_personal_data_at__lte=now,
                                 status__in=[Notice.Status.PUBLISHED, Notice.Status.EXPIRED])


def expiry_due(now):
    return Notice.objects.filter(status=Notice.Status.PUBLISHED, period_ends_at__lte=now)


def remove_personal_data(notice_id: int, now, actor: Actor = SYSTEM) -> bool:
    """Blank one notice's personal data if it is due and not yet done; True when this call did it."""
    with transaction.atomic():
        # The claim: only one transaction can move personal_data_removed_at from NULL.
        claimed = Notice.objects.filter(pk=notice_id, personal_data_removed_at__isnull=True,
                                        remove_personal_data_at__lte=now).update(personal_data_removed_at=now)
        if not claimed:
            return False
        notice = Notice.objects.select_related("organisation").get(pk=notice_id)
        removed = NoticePersonalField.objects.filter(notice=notice, removed_at__isnull=True).update(value="",
                                                                                                   removed_at=now)
        log = _log(actor, notice, NoticeLog.Event.PERSONAL_DATA_REMOVED, now, fields_removed=removed)
        record(actor, notice.organisation, "notice.personal_data_removed", notice, fields_removed=removed,
               digest=log.digest)
        _site_changed(notice.organisation_id)
    return True


def expire(notice_id: int, now, actor: Actor = SYSTEM) -> bool:
    """Take one notice off the board if its period has ended; True when this call did it."""
    with transaction.atomic():
        claimed = Notice.objects.filter(pk=notice_id, status=Notice.Status.PUBLISHED,
                                        period_ends_at__lte=now).update(status=Notice.Status.EXPIRED, expired_at=now)
        if not claimed:
            return False
        notice = Notice.objects.select_related("organisation").get(pk=notice_id)
        log = _log(actor, notice, NoticeLog.Event.EXPIRED, now)
        record(actor, notice.organisation, "notice.expired", notice, digest=log.digest)
        _site_changed(notice.organisation_id)
    return True


def remove_due_personal_data(now=None) -> int:
    """Remove the personal data of every notice whose removal time is ``<= now``; how many were done.

    Idempotent: a second run (or a second worker) finds nothing left to do.
    """
    now = now or timezone.now()
    ids = list(removal_due(now).order_by("remove_personal_data_at", "pk").values_list("pk", flat=True)[:BATCH])
    return sum(remove_personal_data(pk, now) for pk in ids)


def expire_due_notices(now=None) -> int:
    """Take off the board every notice whose period ended ``<= now``; kept for staff with its proof log."""
    now = now or timezone.now()
    ids = list(expiry_due(now).order_by("period_ends_at", "pk").values_list("pk", flat=True)[:BATCH])
    return sum(expire(pk, now) for pk in ids)


def process_due(now=None) -> dict:
    """Both deadlines, removal first (a notice ending its period today loses its data, then leaves)."""
    now = now or timezone.now()
    return {"personal_data_removed": remove_due_personal_data(now), "expired": expire_due_notices(now)}
