"""Every change to a matter by hand: create, edit, move to a stage, link messages and processes.

Each function is organisation-scoped (it refuses objects of another organisation with
``NotAllowed``), runs in one transaction and records an audit event.  Imports go through
:mod:`kanava.matters.importers` and are audited once per import.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.matters.models import Confidentiality, Matter, MatterEvent, Stage

EDITABLE = ("case_number", "external_id", "title", "summary", "deciding_body", "preparer", "stage",
            "meeting_date", "agenda_url", "minutes_url", "confidentiality", "secrecy_ground")


class NotAllowed(Exception):
    """The change is refused; the message is translated and meant for the user."""


def _clean_texts(values: dict) -> dict:
    return {code: text.strip() for code, text in (values or {}).items() if text and text.strip()}


def _validate(matter: Matter) -> None:
    try:
        matter.full_clean(exclude=["organisation", "messages", "processes", "title", "summary"],
                          validate_unique=False, validate_constraints=False)
    except ValidationError as problem:
        raise NotAllowed(" ".join(str(m) for messages in problem.message_dict.values() for m in messages))
    if Matter.objects.filter(organisation_id=matter.organisation_id, case_number=matter.case_number) \
            .exclude(pk=matter.pk).exists():
        raise NotAllowed(_("The case number %(number)s is already in the register.") % {"number": matter.case_number})


def _event(matter: Matter, note: str) -> MatterEvent:
    return MatterEvent.objects.create(matter=matter, at=timezone.now(), stage=matter.stage, note=note[:300])


def create_matter(actor: Actor, organisation, **values) -> Matter:
    """A new matter entered by hand.  Raises NotAllowed (translated) when a value is wrong."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    values["title"] = _clean_texts(values.get("title"))
    values["summary"] = _clean_texts(values.get("summary"))
    matter = Matter(organisation=organisation, source=Matter.Source.MANUAL, **values)
    with transaction.atomic():
        _validate(matter)
        try:
            with transaction.atomic():
                matter.save()
        except IntegrityError:
            raise NotAllowed(_("The case number %(number)s is already in the register.") % {
                "number": matter.case_number})
        _event(matter, _("Entered by hand"))
        record(actor, organisation, "matters.created", matter, case_number=matter.case_number, stage=matter.stage)
    return matter


def update_matter(actor: Actor, matter: Matter, **values) -> Matter:
    """Change the given fields; a changed stage is added to the history.  Raises NotAllowed."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name in ("title", "summary"):
        if name in values:
            values[name] = _clean_texts(values[name])
    with transaction.atomic():
        matter = Matter.objects.select_for_update().select_related("organisation").get(pk=matter.pk)
        old_stage = matter.stage
        changed = [name for name, value in values.items() if getattr(matter, name) != value]
        for name in changed:
            setattr(matter, name, values[name])
        if not changed:
            return matter
        _validate(matter)
        matter.save()
        if matter.stage != old_stage:
            _event(matter, _("Changed by hand"))
        record(actor, matter.organisation, "matters.updated", matter, fields=sorted(changed))
    return matter


def set_stage(actor: Actor, matter: Matter, stage: str, note: str = "") -> Matter:
    """Move the matter to ``stage`` and note it in the history."""
    if stage not in Stage.values:
        raise NotAllowed(_("Unknown stage."))
    with transaction.atomic():
        matter = Matter.objects.select_for_update().select_related("organisation").get(pk=matter.pk)
        if matter.stage == stage:
            return matter
        old = matter.stage
        matter.stage = stage
        matter.save(update_fields=["stage", "updated_at"])
        _event(matter, note or _("Changed by hand"))
        record(actor, matter.organisation, "matters.stage_set", matter, old=old, new=stage)
    return matter


def _same_organisation(matter: Matter, obj) -> None:
    if obj.organisation_id != matter.organisation_id:
        raise NotAllowed(_("That belongs to another organisation."))


#: Message states past the last check: a secret matter is never linked to one of these.
OUT_OF_REACH = ("scheduled", "publishing", "published")


def link_message(actor: Actor, matter: Matter, message, linked: bool = True) -> None:
    """Link (or with ``linked=False`` unlink) a message of the same organisation to the matter.

    A secret matter is refused for a message that is scheduled or already out: a scheduled message is
    published without another check, and a published one would stand in the register as telling about
    a secret matter.  Linking one to a draft is allowed and is how a draft is stopped
    (:mod:`kanava.matters.guard` blocks it from review and publishing).
    """
    _same_organisation(matter, message)
    if linked and matter.confidentiality == Confidentiality.SECRET and message.state in OUT_OF_REACH:
        raise NotAllowed(_("A secret matter cannot be linked to a message that is scheduled or already "
                           "published."))
    with transaction.atomic():
        (matter.messages.add if linked else matter.messages.remove)(message)
        record(actor, matter.organisation, "matters.message_linked" if linked else "matters.message_unlinked",
               matter, message=message.pk)


def link_process(actor: Actor, matter: Matter, process, linked: bool = True) -> None:
    """Link (or unlink) a participation process of the same organisation to the matter."""
    _same_organisation(matter, process)
    with transaction.atomic():
        (matter.processes.add if linked else matter.processes.remove)(process)
        record(actor, matter.organisation, "matters.process_linked" if linked else "matters.process_unlinked",
               matter, process=process.pk)


def link_notice(actor: Actor, matter: Matter, notice, linked: bool = True) -> None:
    """Link (or unlink) an official notice of the same organisation to the matter (``Notice.matter``)."""
    from kanava.notices.models import Notice

    _same_organisation(matter, notice)
    with transaction.atomic():
        if linked:
            Notice.objects.filter(pk=notice.pk).update(matter=matter)
        else:
            Notice.objects.filter(pk=notice.pk, matter=matter).update(matter=None)
        notice.matter = matter if linked else None
        record(actor, matter.organisation, "matters.notice_linked" if linked else "matters.notice_unlinked",
               matter, notice=notice.pk)


def draft_message_from_matter(actor: Actor, matter: Matter):
    """A draft message about the matter in every required language, linked to it; returns the message.

    The draft goes into the normal review workflow.  A secret matter is refused (nothing of it flows
    into a message); of a partly secret one only the public title is taken, and the editor writes the
    text.  Raises ``NotAllowed``, or the publishing actions' ``PermissionDenied`` without ``Cap.DRAFT``.
    """
    from kanava.matters.drafting import versions_for
    from kanava.publishing import actions as publishing

    if matter.confidentiality == Confidentiality.SECRET:
        raise NotAllowed(_("Nothing of a secret matter may be published, so no message is drafted from it."))
    with transaction.atomic():
        message = publishing.do_create_message(actor, matter.organisation, versions=versions_for(matter))
        link_message(actor, matter, message)
        record(actor, matter.organisation, "matters.message_drafted", matter, message=message.pk,
               languages=sorted(v.language for v in message.versions.all()))
    return message


def save_mapping(actor: Actor, organisation, name: str, columns: dict, date_format: str):
    """Create or replace the organisation's CSV mapping called ``name``."""
    from kanava.matters.models import ImportMapping

    with transaction.atomic():
        mapping, created = ImportMapping.objects.update_or_create(
            organisation=organisation, name=name,
            defaults={"columns": columns, "date_format": date_format, "created_by": actor.person})
        record(actor, organisation, "matters.mapping_saved", mapping, name=name, created=created)
    return mapping
