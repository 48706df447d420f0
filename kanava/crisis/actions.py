"""Every state change of crisis communication: playbooks, their templates and reviews, incidents.

Each function records an audit event (:func:`kanava.core.audit.record`) and,
for incidents, a timestamped :class:`~kanava.crisis.models.IncidentEvent`.
Opening, updating and closing an incident also issue a CAP alert and bump the
organisation's ``site_version`` so the cached crisis page shows the change at
once.  Delivery to channels is not done here (see README: the fan-out).
Raises ``ValidationError`` for input staff can fix and ``PermissionDenied``
when the actor lacks the capability.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.channels.registry import manifests
from kanava.channels.sms.phones import normalise_phone
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, Organisation
from kanava.core.roles import Cap
from kanava.core.sites import site_base_url
from kanava.crisis import cap
from kanava.crisis.models import (BANNER, PLACEHOLDERS, CapAlert, Incident, IncidentEvent, Playbook, PlaybookArea,
                                  PlaybookContact, PlaybookTemplate, text_in)

PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: How each language marks an exercise (drills: every message says so).
EXERCISE_MARK = {"fi": "HARJOITUS", "sv": "ÖVNING", "en": "EXERCISE"}
MAX_TITLE = 200
MAX_BODY = 5000


@dataclass
class ContactData:
    group: str  # PlaybookContact.Group
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class AreaData:
    name: dict  # per language
    polygon: str = ""
    geocode_name: str = ""
    geocode_value: str = ""
    topic: object = None  # a Topic of the organisation: the area's SMS and email list

    @classmethod
    def of(cls, area: PlaybookArea) -> "AreaData":
        return cls(area.name, area.polygon, area.geocode_name, area.geocode_value, area.topic)


@dataclass
class PlaybookData:
    scenario: str
    name: dict
    channel_order: list[str] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)
    update_cadence_minutes: int = 60
    review_interval_days: int = 180
    cap_category: str = Playbook.Category.SAFETY
    urgency: str = Playbook.Urgency.IMMEDIATE
    severity: str = Playbook.Severity.SEVERE
    certainty: str = Playbook.Certainty.OBSERVED
    contacts: list[ContactData] = field(default_factory=list)
    areas: list[AreaData] = field(default_factory=list)
    audience_topics: list = field(default_factory=list)  # Topic objects of the organisation
    # Crisis mode (kanava.crisis.activation): two approvers; drills' channels and list.
    two_person_rule: bool = False
    exercise_channels: list = field(default_factory=list)  # Channel objects of the organisation
    exercise_topic: object = None  # a Topic of the organisation, or None
    exercise_banner: bool = False  # a drill shows the site-wide banner too
    prepared_claims: list = field(default_factory=list)  # inbox Claim objects of the organisation


def playbooks_of(organisation: Organisation):
    return Playbook.objects.filter(organisation=organisation)


def incidents_of(organisation: Organisation):
    return Incident.objects.filter(organisation=organisation).select_related("playbook", "organisation")


def _require(actor: Actor, organisation: Organisation, capability: str) -> None:
    if actor.person is not None and not can(actor.person, organisation, capability):
        raise PermissionDenied


# Playbooks ---------------------------------------------------------------------------------------


def _check_playbook(organisation: Organisation, data: PlaybookData) -> None:
    errors = {}
    if data.scenario not in Playbook.Scenario.values:
        errors["scenario"] = _("Choose a scenario.")
    if not data.name.get(organisation.majority_language, "").strip():
        errors["name"] = _("Give the playbook a name in the organisation's majority language.")
    unknown = [kind for kind in data.channel_order if kind not in manifests() and kind != BANNER]
    if unknown:
        errors["channel_order"] = _("Unknown channels: %(kinds)s.") % {"kinds": ", ".join(unknown)}
    if not 5 <= data.update_cadence_minutes <= 24 * 60:
        errors["update_cadence_minutes"] = _("The update cadence must be between 5 minutes and 24 hours.")
    if not 7 <= data.review_interval_days <= 730:
        errors["review_interval_days"] = _("The review interval must be between 7 and 730 days.")
    if any(area.topic is not None and area.topic.organisation_id != organisation.pk for area in data.areas):
        errors["areas"] = _("Choose topics of this organisation.")
    for area in data.areas:
        problems = cap.polygon_problems(area.polygon) if area.polygon else []
        if problems:
            errors["areas"] = _("The polygon of “%(area)s” is not valid: %(problems)s") % {
                "area": text_in(area.name, organisation.majority_language), "problems": " ".join(problems)}
    if any(topic.organisation_id != organisation.pk for topic in data.audience_topics):
        errors["audience_topics"] = _("Choose topics of this organisation.")
    if any(channel.organisation_id != organisation.pk for channel in data.exercise_channels):
        errors["exercise_channels"] = _("Choose channels of this organisation.")
    if data.exercise_topic is not None and data.exercise_topic.organisation_id != organisation.pk:
        errors["exercise_topic"] = _("Choose topics of this organisation.")
    if any(claim.organisation_id != organisation.pk for claim in data.prepared_claims):
        errors["prepared_claims"] = _("Choose rumours of this organisation's claims register.")
    for contact in data.contacts:
        if contact.phone:
            try:
                contact.phone = normalise_phone(contact.phone)
            except ValidationError as error:
                errors["internal_contacts" if contact.group == PlaybookContact.Group.INTERNAL else "partners"] = \
                    _("The phone number of %(name)s: %(problem)s") % {"name": contact.name,
                                                                     "problem": " ".join(error.messages)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_playbook(actor: Actor, organisation: Organisation, data: PlaybookData,
                  playbook: Playbook | None = None) -> Playbook:
    """Create a playbook or replace an existing one's settings, contacts and areas."""
    _require(actor, organisation, Cap.DRAFT)
    _check_playbook(organisation, data)
    created = playbook is None
    if created:
        playbook = Playbook(organisation=organisation)
    elif playbook.organisation_id != organisation.pk:
        raise PermissionDenied
    for name in ("scenario", "name", "channel_order", "roles", "checklist", "update_cadence_minutes",
                 "review_interval_days", "cap_category", "urgency", "severity", "certainty", "two_person_rule",
                 "exercise_topic", "exercise_banner"):
        setattr(playbook, name, getattr(data, name))
    playbook.save()
    playbook.audience_topics.set(data.audience_topics)
    playbook.exercise_channels.set(data.exercise_channels)
    playbook.prepared_claims.set(data.prepared_claims)
    playbook.contacts.all().delete()
    PlaybookContact.objects.bulk_create(
        PlaybookContact(playbook=playbook, position=i, group=c.group, name=c.name, role=c.role, email=c.email,
                        phone=c.phone) for i, c in enumerate(data.contacts))
    playbook.areas.all().delete()
    PlaybookArea.objects.bulk_create(
        PlaybookArea(playbook=playbook, position=i, name=a.name, polygon=a.polygon, geocode_name=a.geocode_name,
                     geocode_value=a.geocode_value, topic=a.topic) for i, a in enumerate(data.areas))
    record(actor, organisation, "crisis.playbook_created" if created else "crisis.playbook_edited", playbook,
           scenario=playbook.scenario)
    return playbook


def placeholders_in(*texts: dict) -> set[str]:
    """The placeholder names used in any language of the given texts."""
    return {name for value in texts for text in (value or {}).values() for name in PLACEHOLDER.findall(text)}


@transaction.atomic
def save_template(actor: Actor, playbook: Playbook, kind: str, *, title: dict, body: dict,
                  instruction: dict | None = None) -> PlaybookTemplate:
    """Write one message template; a changed text loses its approval."""
    organisation = playbook.organisation
    _require(actor, organisation, Cap.DRAFT)
    instruction = {code: text for code, text in (instruction or {}).items() if text}
    title = {code: text for code, text in title.items() if text}
    body = {code: text for code, text in body.items() if text}
    errors = {}
    if kind not in PlaybookTemplate.Kind.values:
        errors["kind"] = _("Unknown kind of template.")
    missing = [code for code in organisation.required_languages if not title.get(code) or not body.get(code)]
    if missing:
        errors["title"] = _("Write the title and the text in every language of the organisation (%(languages)s).") % {
            "languages": ", ".join(missing)}
    unknown = placeholders_in(title, body, instruction) - set(PLACEHOLDERS)
    if unknown:
        errors["body"] = _("Unknown placeholders: %(names)s. Use %(allowed)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in sorted(unknown)),
            "allowed": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)}
    if any(len(text) > MAX_TITLE for text in title.values()) or any(len(t) > MAX_BODY for t in body.values()):
        errors["body"] = _("The title or the text is too long.")
    if errors:
        raise ValidationError(errors)
    template = PlaybookTemplate.objects.filter(playbook=playbook, kind=kind).first()
    created = template is None
    template = template or PlaybookTemplate(playbook=playbook, kind=kind)
    changed = (template.title, template.body, template.instruction) != (title, body, instruction)
    template.title, template.body, template.instruction = title, body, instruction
    if changed and template.pre_approved:
        template.pre_approved, template.approved_by, template.approved_at = False, None, None
    template.save()
    record(actor, organisation, "crisis.template_saved", template, kind=kind, created=created, changed=changed)
    return template


@transaction.atomic
def approve_template(actor: Actor, template: PlaybookTemplate, now=None) -> PlaybookTemplate:
    """Pre-approve a template's current text (needs ``Cap.APPROVE``)."""
    organisation = template.playbook.organisation
    if actor.person is None or not can(actor.person, organisation, Cap.APPROVE):
        raise PermissionDenied
    template.pre_approved, template.approved_by, template.approved_at = True, actor.person, now or timezone.now()
    template.save(update_fields=["pre_approved", "approved_by", "approved_at", "updated_at"])
    record(actor, organisation, "crisis.template_approved", template, kind=template.kind)
    return template


@transaction.atomic
def mark_reviewed(actor: Actor, playbook: Playbook, now=None) -> Playbook:
    """Record that the playbook was read through and is up to date."""
    _require(actor, playbook.organisation, Cap.DRAFT)
    playbook.reviewed_at, playbook.reviewed_by = now or timezone.now(), actor.person
    playbook.save(update_fields=["reviewed_at", "reviewed_by", "updated_at"])
    record(actor, playbook.organisation, "crisis.playbook_reviewed", playbook)
    return playbook


def stale_playbooks(organisation: Organisation, now=None) -> list[Playbook]:
    now = now or timezone.now()
    return [playbook for playbook in playbooks_of(organisation) if playbook.is_stale_at(now)]


# Incidents ---------------------------------------------------------------------------------------


def fill(text: str, values: dict) -> str:
    """``text`` with its ``{placeholders}`` replaced; one without a value stays as it is."""
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), text)


#: Typographic characters people type (or paste) that are not in the GSM 7-bit alphabet: one of them in a
#: placeholder would turn every SMS into UCS-2 (70 characters a segment instead of 160) and can push a
#: pre-approved text over the channel's segment limit, which nobody can shorten in a crisis.
GSM_FRIENDLY = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
                              "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                              "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2026": "...", "\u00a0": " ",
                              "\u202f": " ", "\u2009": " "})


def plain_value(text: str) -> str:
    return text.translate(GSM_FRIENDLY).strip()


def values_in(values: dict, code: str) -> dict:
    """The placeholder values for one language: ``place_sv`` over ``place`` for Swedish, and so on."""
    own = {key[:-3]: value for key, value in values.items() if key.endswith(f"_{code}") and value}
    return {**{key: value for key, value in values.items() if value}, **own}


def _values(incident: Incident, placeholders: dict | None, now) -> dict:
    values = {**incident.placeholders, **{k: plain_value(v) for k, v in (placeholders or {}).items() if v}}
    if incident.next_update_due_at and "next_update" not in (placeholders or {}):
        values["next_update"] = timezone.localtime(incident.next_update_due_at,
                                                   incident.organisation.tz).strftime("%H:%M")
    return values


def _texts(incident: Incident, template: PlaybookTemplate | None, values: dict, free: dict | None) -> dict:
    """title/body/instruction per language, placeholders filled and exercises marked."""
    if template is not None:
        texts = {part: {code: fill(text, values_in(values, code)) for code, text in getattr(template, part).items()}
                 for part in ("title", "body", "instruction")}
    else:
        texts = {part: dict((free or {}).get(part) or {}) for part in ("title", "body", "instruction")}
    missing = sorted(placeholders_in(texts["title"], texts["body"], texts["instruction"]))
    if missing:
        raise ValidationError(_("Fill in the placeholders: %(names)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in missing)})
    languages = incident.organisation.required_languages
    if any(not texts["title"].get(code) or not texts["body"].get(code) for code in languages):
        raise ValidationError(_("A crisis message needs a title and a text in every language of the organisation."))
    if incident.is_exercise:
        # Title and text both: channels that send only the text (SMS) must say it too.
        for part in ("title", "body"):
            texts[part] = {code: mark_exercise(code, text) for code, text in texts[part].items()}
    return texts


def mark_exercise(code: str, text: str) -> str:
    """``text`` with the exercise mark of its language in front (once)."""
    mark = EXERCISE_MARK.get(code, EXERCISE_MARK["en"])
    return text if text.startswith(f"{mark}:") else f"{mark}: {text}"


def _event(incident, actor: Actor, kind: str, now, text: str = "", **extra) -> IncidentEvent:
    return IncidentEvent.objects.create(incident=incident, at=now, kind=kind, text=text, actor=actor.person,
                                        actor_label=str(actor)[:255], **extra)


def _bump_site(organisation: Organisation) -> None:
    # The crisis page and the CAP feed are cached whole under site_version.
    Organisation.objects.filter(pk=organisation.pk).update(site_version=F("site_version") + 1)


def _template(playbook: Playbook, kind: str) -> PlaybookTemplate:
    template = playbook.templates.filter(kind=kind).first()
    if template is None:
        raise ValidationError(_("The playbook has no template for this message."))
    if not template.pre_approved:
        raise ValidationError(_("The template is not pre-approved: approve it first."))
    return template


@transaction.atomic
def open_incident(actor: Actor, playbook: Playbook, placeholders: dict, exercise: bool = False, *,
                  area: AreaData | None = None, now=None) -> Incident:
    """Open an incident from a playbook with its first, pre-approved message and a CAP Alert.

    The actor must hold ``Cap.APPROVE`` (the shortened approval: one approver,
    pre-approved text only).  ``area`` defaults to the playbook's first area.
    """
    organisation = playbook.organisation
    if actor.person is None or not can(actor.person, organisation, Cap.APPROVE):
        raise PermissionDenied
    now = (now or timezone.now()).replace(microsecond=0)
    template = _template(playbook, PlaybookTemplate.Kind.FIRST)
    if area is None and (first := playbook.areas.select_related("topic").first()) is not None:
        area = AreaData.of(first)
    if area is not None and area.polygon and (problems := cap.polygon_problems(area.polygon)):
        raise ValidationError(" ".join(problems))
    incident = Incident(organisation=organisation, playbook=playbook, is_exercise=exercise, activated_at=now,
                        activated_by=actor.person,
                        placeholders={k: plain_value(v) for k, v in placeholders.items() if v},
                        next_update_due_at=now + timedelta(minutes=playbook.update_cadence_minutes))
    if area is not None:
        if area.topic is not None and not exercise:
            incident.audience_topic = area.topic
        incident.area_description, incident.polygon = area.name, area.polygon
        incident.geocode_name, incident.geocode_value = area.geocode_name, area.geocode_value
    texts = _texts(incident, template, _values(incident, None, now), None)
    incident.title = texts["title"]
    incident.save()
    _event(incident, actor, IncidentEvent.Kind.ACTIVATED, now,
           _("Opened from the playbook “%(playbook)s”.") % {"playbook": playbook.name_in()},
           data={"exercise": exercise, "placeholders": incident.placeholders})
    message = _event(incident, actor, IncidentEvent.Kind.MESSAGE, now, template=template,
                     data={"pre_approved": True}, **texts)
    _issue_alert(actor, incident, message, CapAlert.MsgType.ALERT, now)
    record(actor, organisation, "crisis.incident_opened", incident, playbook=playbook.pk, exercise=exercise)
    _bump_site(organisation)
    return incident


def _active(incident: Incident) -> None:
    if not incident.is_active:
        raise ValidationError(_("The incident is closed."))


@transaction.atomic
def add_update(actor: Actor, incident: Incident, placeholders: dict | None = None, *, texts: dict | None = None,
               now=None) -> IncidentEvent:
    """Publish an update: the playbook's update template filled with ``placeholders``, or free ``texts``
    ({"title": {...}, "body": {...}, "instruction": {...}}).  Issues a CAP Update; restarts the cadence."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _active(incident)
    if actor.person is None or not can(actor.person, incident.organisation, Cap.APPROVE):
        raise PermissionDenied
    now = (now or timezone.now()).replace(microsecond=0)
    incident.next_update_due_at = now + timedelta(minutes=incident.playbook.update_cadence_minutes)
    template = None if texts else _template(incident.playbook, PlaybookTemplate.Kind.UPDATE)
    filled = _texts(incident, template, _values(incident, placeholders, now), texts)
    incident.save(update_fields=["next_update_due_at"])
    event = _event(incident, actor, IncidentEvent.Kind.UPDATE, now, template=template,
                   data={"pre_approved": template is not None, "placeholders": placeholders or {}}, **filled)
    _issue_alert(actor, incident, event, CapAlert.MsgType.UPDATE, now)
    record(actor, incident.organisation, "crisis.update_added", incident, event=event.pk)
    _bump_site(incident.organisation)
    return event


@transaction.atomic
def close_incident(actor: Actor, incident: Incident, placeholders: dict | None = None, *, cancel: bool = False,
                   reason: str = "", now=None) -> Incident:
    """Close an incident: with the all-clear message (a CAP Update with responseType AllClear), or,
    when it was opened by mistake, ``cancel`` (a CAP Cancel of every earlier alert, with ``reason``)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _active(incident)
    if actor.person is None or not can(actor.person, incident.organisation, Cap.APPROVE):
        raise PermissionDenied
    now = (now or timezone.now()).replace(microsecond=0)
    if cancel:
        if not reason.strip():
            raise ValidationError(_("Say why the alert is cancelled."))
        texts = {"title": {code: _cancel_title(code) for code in incident.title},
                 "body": {code: reason for code in incident.title}, "instruction": {}}
        if incident.is_exercise:
            for part in ("title", "body"):
                texts[part] = {code: mark_exercise(code, text) for code, text in texts[part].items()}
        event = _event(incident, actor, IncidentEvent.Kind.CANCELLED, now, **texts)
        _issue_alert(actor, incident, event, CapAlert.MsgType.CANCEL, now)
    else:
        template = _template(incident.playbook, PlaybookTemplate.Kind.ALL_CLEAR)
        filled = _texts(incident, template, _values(incident, placeholders, now), None)
        event = _event(incident, actor, IncidentEvent.Kind.ALL_CLEAR, now, template=template,
                       data={"pre_approved": True}, **filled)
        _issue_alert(actor, incident, event, CapAlert.MsgType.UPDATE, now, response_type="AllClear")
    incident.status, incident.closed_at, incident.closed_by = Incident.Status.CLOSED, now, actor.person
    incident.next_update_due_at = None
    incident.save(update_fields=["status", "closed_at", "closed_by", "next_update_due_at"])
    _event(incident, actor, IncidentEvent.Kind.CLOSED, now)
    record(actor, incident.organisation, "crisis.incident_closed", incident, cancelled=cancel)
    _bump_site(incident.organisation)
    return incident


def _cancel_title(code: str) -> str:
    from django.utils import translation

    with translation.override(code):
        return _("The earlier warning is cancelled")


# CAP ---------------------------------------------------------------------------------------------


def cap_sender(organisation: Organisation) -> str:
    host = site_base_url(organisation).split("://", 1)[-1].split("/")[0].split(":")[0]
    return f"{organisation.slug}@{host}"


def crisis_page_url(organisation: Organisation, language: str) -> str:
    from kanava.site.links import url_in

    try:
        return site_base_url(organisation) + url_in(language, "crisis_public:page")
    except NoReverseMatch:  # the resident pages are not mounted
        return ""


def _issue_alert(actor: Actor, incident: Incident, event: IncidentEvent, msg_type: str, now,
                 response_type: str = "") -> CapAlert:
    organisation, playbook = incident.organisation, incident.playbook
    Incident.objects.filter(pk=incident.pk).update(cap_sequence=F("cap_sequence") + 1)
    incident.refresh_from_db(fields=["cap_sequence"])
    sender = cap_sender(organisation)
    identifier = f"{sender.split('@')[1]}-{organisation.slug}-crisis-{incident.pk}-{incident.cap_sequence}"
    earlier = ([alert.reference for alert in incident.cap_alerts.select_related("incident__organisation")]
               if msg_type != CapAlert.MsgType.ALERT else [])
    languages = [code for code in LANGUAGE_CODES if event.title.get(code) or event.body.get(code)]
    infos = [cap.Info(language=code, event=playbook.name_in(code), headline=event.title.get(code, ""),
                      description=event.body.get(code, ""), instruction=event.instruction.get(code, ""),
                      area_description=text_in(incident.area_description, code, organisation.majority_language),
                      sender_name=organisation.display_name(code), web=crisis_page_url(organisation, code))
             for code in languages]
    status = CapAlert.Status.EXERCISE if incident.is_exercise else CapAlert.Status.ACTUAL
    alert = cap.Alert(
        identifier=identifier, sender=sender, sent=timezone.localtime(now, organisation.tz), status=status,
        msg_type=msg_type, category=playbook.cap_category,
        urgency="Past" if response_type == "AllClear" else playbook.urgency,
        severity="Minor" if response_type == "AllClear" else playbook.severity,
        certainty=playbook.certainty, infos=infos, references=earlier,
        incidents=f"{organisation.slug}-crisis-{incident.pk}",
        note=" / ".join(EXERCISE_MARK.values()) if incident.is_exercise else "",
        response_type=response_type, sender_name=organisation.display_name(organisation.majority_language),
        web=crisis_page_url(organisation, organisation.majority_language), contact=organisation.contact_email,
        polygon=incident.polygon,
        geocode=(incident.geocode_name, incident.geocode_value) if incident.geocode_value else None)
    xml = cap.build(alert)
    problems = cap.validate(xml)
    if problems:  # a bug, not the user's input: refuse to issue an alert partners would reject
        raise ValueError("Invalid CAP alert: " + "; ".join(problems))
    saved = CapAlert.objects.create(incident=incident, event=event, identifier=identifier, sender=sender,
                                    sent=now, msg_type=msg_type, status=status, references=" ".join(earlier),
                                    xml=xml)
    _event(incident, actor, IncidentEvent.Kind.CAP_ALERT, now, f"{msg_type} {identifier}",
           data={"cap_alert": saved.pk})
    return saved
