"""Crisis mode: one step from a playbook to the first message on every channel (issue 8, parts 2 and 5).

:func:`activate` opens the incident (:func:`kanava.crisis.actions.open_incident`),
then writes the first message as a ``publishing.Message`` for the playbook's
channels and publishes it through the publishing actions with the *shortened
approval*: allowed only for a pre-approved, unchanged template, by a person with
``Cap.APPROVE`` and two-factor authentication.  With the playbook's two-person
rule a second approver must confirm (:func:`confirm`) before anything is
published.  Free text never takes the shortened path: :func:`post_update` with
``texts`` sends it to the normal review, and the sweep publishes it on the
crisis page, as a CAP Update and on the channels once it is approved.

Who is reached:

* a real incident: every enabled organisation channel (not a person's own
  account) of the kinds in ``playbook.channel_order``; SMS and email go to the
  subscribers of the playbook's audience topic (one topic: that topic; none or
  several: every subscriber, since a crisis must rather over-reach);
* a drill (``exercise``): only ``playbook.exercise_channels``; SMS and email only
  to the subscribers of ``playbook.exercise_topic`` and only when no confirmed
  subscriber of that kind follows "all topics" (they would get the drill too;
  see README).  Every title and text says HARJOITUS / ÖVNING / EXERCISE and the
  CAP status is Exercise.

Every step is an :class:`~kanava.crisis.models.IncidentEvent`; delivery
outcomes are added by :func:`record_deliveries` (the sweep, see
:mod:`kanava.crisis.tasks`), and :func:`remind_due` records a reminder once per
missed update interval and alerts the leads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanava.audience.models import Subscriber
from kanava.channels.sms.actions import sms_channel_for
from kanava.channels.models import Channel
from kanava.core.access import can
from kanava.core.audit import Actor, record
from kanava.core.notify import alert_leads
from kanava.core.roles import Cap
from kanava.core.two_factor import confirmed_totp
from kanava.crisis import actions
from kanava.crisis.models import (BANNER, Incident, IncidentEvent, PendingActivation, Playbook, PlaybookArea,
                                  PlaybookTemplate, text_in)
from kanava.publishing import actions as publishing
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import Delivery, Message

Kind = IncidentEvent.Kind
FINAL_DELIVERY_STATES = (Delivery.State.DELIVERED, Delivery.State.FAILED, Delivery.State.UNCERTAIN)


# Who is reached -----------------------------------------------------------------------------------


@dataclass
class Reach:
    channel: Channel
    included: bool
    recipients: int | None = None  # subscriber channels: how many subscribers it reaches now
    note: str = ""


def _ordered(playbook: Playbook, channels) -> list[Channel]:
    order = {kind: i for i, kind in enumerate(playbook.channel_order)}
    return sorted(channels, key=lambda c: (order.get(c.kind, len(order)), c.name, c.pk))


def _audience_topic(playbook: Playbook, exercise: bool, area: PlaybookArea | None = None):
    """Whom SMS and email reach: a drill's exercise list; the chosen area's list; the playbook's one list;
    none (several lists or none: every subscriber, since a crisis must rather over-reach)."""
    if exercise:
        return playbook.exercise_topic
    if area is not None and area.topic_id:
        return area.topic
    topics = list(playbook.audience_topics.all()[:2])
    return topics[0] if len(topics) == 1 else None


def incident_topic(incident: Incident):
    if incident.is_exercise:
        return incident.playbook.exercise_topic
    return incident.audience_topic or _audience_topic(incident.playbook, False)


def _subscribers(organisation, kind: str, topic, only_topic: bool = False):
    """Who a message to ``topic`` reaches (as the outbox's ``subscribers_for`` chooses them); a drill
    (``only_topic``) reaches its exercise list only, not those who follow all topics."""
    query = Subscriber.objects.filter(organisation=organisation, kind=kind, state=Subscriber.State.CONFIRMED)
    if topic is not None and only_topic:
        query = query.filter(all_topics=False, topics=topic).distinct()
    elif topic is not None:
        from django.db.models import Q

        query = query.filter(Q(all_topics=True) | Q(topics=topic)).distinct()
    return query


def reach(playbook: Playbook, exercise: bool, area: PlaybookArea | None = None) -> list[Reach]:
    """Every channel the first message would go to (``included``) or is kept from, with why."""
    organisation = playbook.organisation
    if exercise:
        candidates = playbook.exercise_channels.filter(organisation=organisation)
    else:
        candidates = Channel.objects.filter(organisation=organisation, owner=None,
                                            kind__in=playbook.channel_order)
    if area is None and not exercise:
        area = playbook.areas.select_related("topic").first()  # what opening without a choice uses
    topic = _audience_topic(playbook, exercise, area)
    found = []
    for channel in _ordered(playbook, candidates):
        if not channel.enabled:
            found.append(Reach(channel, False, note=_("The channel is switched off.")))
            continue
        kind = getattr(channel.adapter, "subscriber_kind", None) if channel.adapter.batched else None
        if kind is None:
            found.append(Reach(channel, True))
            continue
        if exercise and topic is None:
            found.append(Reach(channel, False, note=_("No exercise list: choose the playbook's exercise topic.")))
            continue
        found.append(Reach(channel, True, recipients=_subscribers(organisation, kind, topic, exercise).count()))
    return found


def channels_for(playbook: Playbook, exercise: bool) -> list[Channel]:
    return [item.channel for item in reach(playbook, exercise) if item.included]


# Who may approve ---------------------------------------------------------------------------------


def _as_actor(who) -> Actor | None:
    if who is None or isinstance(who, Actor):
        return who
    return Actor(person=who, ip_address=None)


def _require_approver(actor: Actor, organisation) -> None:
    """The shortened approval: ``Cap.APPROVE`` and two-factor authentication set up."""
    person = actor.person if actor else None
    if person is None or not can(person, organisation, Cap.APPROVE):
        raise PermissionDenied(_("You are not allowed to approve crisis messages."))
    if confirmed_totp(person) is None:
        raise PermissionDenied(_("Set up two-factor authentication before approving crisis messages."))


def _require_second(first: Actor, second: Actor, organisation) -> None:
    _require_approver(second, organisation)
    if second.person.pk == first.person.pk:
        raise ValidationError(_("The two-person rule needs a second, different approver."))


def _pre_approved(playbook: Playbook, kind: str) -> PlaybookTemplate:
    return actions._template(playbook, kind)  # refuses a missing or unapproved (edited) template


# Sending an event's text to the channels ---------------------------------------------------------


def _event(incident, actor: Actor, kind: str, now, text: str = "", **extra) -> IncidentEvent:
    return actions._event(incident, actor, kind, now, text, **extra)


def _versions(event: IncidentEvent) -> dict:
    versions = {}
    for code, title in event.title.items():
        body = event.body.get(code, "")
        instruction = event.instruction.get(code, "")
        versions[code] = {"title": title, "body": f"{body}\n\n{instruction}".strip() if instruction else body}
    return versions


def _workflow(error: WorkflowError) -> ValidationError:
    return ValidationError(str(error))


def _create(actor: Actor, incident: Incident, event: IncidentEvent, now) -> Message:
    playbook = incident.playbook
    channels = channels_for(playbook, incident.is_exercise)
    try:
        message = publishing.do_create_message(actor, incident.organisation, versions=_versions(event),
                                               channels=channels,
                                               topic=incident_topic(incident),
                                               topic_subscribers_only=incident.is_exercise)
        if any(getattr(channel.adapter, "requires_image", False) for channel in channels):
            _add_card(actor, incident, event, message)
    except WorkflowError as error:
        raise _workflow(error) from error
    names = ", ".join(channel.name for channel in channels) or _("no channels")
    _event(incident, actor, Kind.MESSAGE_CREATED, now, _("To %(channels)s.") % {"channels": names},
           data={"message": message.pk, "channels": [channel.pk for channel in channels],
                 "exercise": incident.is_exercise})
    return message


def _add_card(actor: Actor, incident: Incident, event: IncidentEvent, message: Message) -> None:
    """A platform that posts only images (Instagram) gets the crisis card: the titles in both languages,
    with the title and text as its alternative text (:mod:`kanava.crisis.card`)."""
    from kanava.crisis import card

    organisation = incident.organisation
    addresses = [actions.crisis_page_url(organisation, code).split("://", 1)[-1]
                 for code in organisation.required_languages]
    upload, alt = card.upload_for(event, " · ".join(dict.fromkeys(addresses)), incident.is_exercise)
    publishing.do_add_image(actor, message, upload, alt=alt)


def _send(actor: Actor, approver: Actor, incident: Incident, event: IncidentEvent, now,
          approvers: list[Actor]) -> Message:
    """The shortened approval: create, submit, approve and publish at once (the template was pre-approved)."""
    message = _create(actor, incident, event, now)
    event.message = message
    event.save(update_fields=["message"])
    try:
        _confirm_pre_approved_findings(approver, message, event.template)
        publishing.do_submit_for_review(actor, message)
        publishing.do_approve(approver, message)
        _event(incident, approver, Kind.APPROVED, now, _("Shortened approval of a pre-approved template by %(who)s.")
               % {"who": " + ".join(str(a) for a in approvers)}, data={"message": message.pk})
        publishing.do_publish(approver, message)
    except WorkflowError as error:
        raise _workflow(error) from error
    _event(incident, approver, Kind.PUBLISHED, now, data={"message": message.pk})
    return message


def _confirm_pre_approved_findings(approver: Actor, message: Message, template: PlaybookTemplate | None) -> None:
    """What the privacy guard finds in the pre-approved template's own words (a helpline's number) was
    approved with the template: confirm it.  Values typed into the placeholders are not: they still block."""
    if template is None:
        return
    from kanava.privacy.actions import do_confirm
    from kanava.privacy.guard import version_findings

    for item in version_findings(message.versions.all()):
        approved = " ".join(getattr(template, part).get(item.language, "")
                            for part in ("title", "body", "instruction"))
        if item.finding.text and item.finding.text in approved:
            do_confirm(approver, message, item.language, item.finding.kind, item.digest)


def _now(now=None):
    return (now or timezone.now()).replace(microsecond=0)


def _check_placeholders(template: PlaybookTemplate, placeholders: dict) -> None:
    values = {**{k: v for k, v in placeholders.items() if v}, "next_update": "00:00"}
    texts = [{code: actions.fill(text, values) for code, text in getattr(template, part).items()}
             for part in ("title", "body", "instruction")]
    missing = sorted(actions.placeholders_in(*texts))
    if missing:
        raise ValidationError(_("Fill in the placeholders: %(names)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in missing)})


def _request(actor: Actor, playbook: Playbook, kind: str, template: PlaybookTemplate, placeholders: dict,
             exercise: bool, now, incident: Incident | None = None, area: PlaybookArea | None = None
             ) -> PendingActivation:
    pending = PendingActivation.objects.create(
        organisation=playbook.organisation, playbook=playbook, incident=incident, kind=kind, area=area,
        area_name=area.name if area is not None else {},
        placeholders={k: v for k, v in placeholders.items() if v}, is_exercise=exercise, template=template,
        template_approved_at=template.approved_at, requested_by=actor.person, requested_at=now)
    if incident is not None:
        _event(incident, actor, Kind.PENDING, now, PendingActivation.Kind(kind).label, data={"pending": pending.pk})
    record(actor, playbook.organisation, "crisis.activation_requested", pending, kind=kind, exercise=exercise)
    return pending


# The public actions ------------------------------------------------------------------------------


@transaction.atomic
def activate(actor: Actor, playbook: Playbook, placeholders: dict, exercise: bool = False,
             second_approver=None, *, area: PlaybookArea | None = None, now=None) -> Incident | PendingActivation:
    """Open an incident and publish its first message on every channel in one step.

    With the playbook's two-person rule and no ``second_approver`` (a person or an
    actor other than ``actor``), returns a :class:`PendingActivation` that
    :func:`confirm` completes; nothing is published or opened before that.
    """
    organisation = playbook.organisation
    _require_approver(actor, organisation)
    now = _now(now)
    template = _pre_approved(playbook, PlaybookTemplate.Kind.FIRST)
    _check_placeholders(template, placeholders)
    if area is not None and area.playbook_id != playbook.pk:
        raise ValidationError(_("Choose one of the playbook's areas."))
    second = _as_actor(second_approver)
    if playbook.two_person_rule and second is None:
        return _request(actor, playbook, PendingActivation.Kind.FIRST, template, placeholders, exercise, now,
                        area=area)
    if second is not None:
        _require_second(actor, second, organisation)
    return _open(actor, second or actor, playbook, placeholders, exercise, now, area)


def _open(actor: Actor, approver: Actor, playbook: Playbook, placeholders: dict, exercise: bool, now,
          area: PlaybookArea | None = None) -> Incident:
    incident = actions.open_incident(actor, playbook, placeholders, exercise, now=now,
                                     area=actions.AreaData.of(area) if area is not None else None)
    first = incident.events.get(kind=Kind.MESSAGE)
    approvers = [actor] if approver is actor else [actor, approver]
    _send(actor, approver, incident, first, now, approvers)
    show_banner(approver, incident, now)
    link_prepared_claims(actor, incident, now)
    alert_contacts(actor, incident, first, now)
    record(actor, playbook.organisation, "crisis.activated", incident, exercise=exercise,
           approvers=[a.person.pk for a in approvers])
    return incident


def banner_wanted(playbook: Playbook, exercise: bool) -> bool:
    """The site-wide banner is the channel kind ``banner`` in the order; a drill shows it only when the
    playbook says so (a banner reaches every resident, not an exercise list)."""
    return BANNER in playbook.channel_order and (not exercise or playbook.exercise_banner)


def show_banner(actor: Actor, incident: Incident, now) -> bool:
    """Put the incident on the site-wide banner of every resident page (live when the step commits: the
    site version is bumped with it, so every cached page is rendered afresh)."""
    if not banner_wanted(incident.playbook, incident.is_exercise):
        return False
    incident.banner = True
    incident.save(update_fields=["banner"])
    _event(incident, actor, Kind.DELIVERY, now, _("Site-wide banner: shown on every page of the resident site."),
           data={"kind": BANNER, "state": Delivery.State.DELIVERED})
    actions._bump_site(incident.organisation)
    return True


def link_prepared_claims(actor: Actor, incident: Incident, now) -> int:
    """Link the playbook's prepared rumours and answers (the claims register) to the incident."""
    claims = list(incident.playbook.prepared_claims.filter(organisation=incident.organisation))
    if not claims:
        return 0
    incident.claims.add(*claims)
    _event(incident, actor, Kind.NOTE, now, _("Prepared rumours and answers linked: %(count)s.")
           % {"count": len(claims)}, data={"claims": [claim.pk for claim in claims]})
    return len(claims)


def alert_contacts(actor: Actor, incident: Incident, event: IncidentEvent, now) -> int:
    """Alert the playbook's internal contacts and partners: by email, and by SMS through the
    organisation's SMS gateway when they have a phone number.  One ``note`` event per contact and way;
    the sending happens after the commit and is best effort: a failure is added to the timeline and
    never holds back the channels.  Returns how many alerts were planned."""
    from django.conf import settings

    organisation = incident.organisation
    language = organisation.majority_language
    staff_link = f"{settings.SITE_URL}/{language}/staff/{organisation.slug}/crisis/incidents/{incident.pk}/"
    public_link = actions.crisis_page_url(organisation, language)
    sms_channel = sms_channel_for(organisation)
    plans = []
    for contact in contacts_alerted(incident.playbook, incident.is_exercise):
        link = staff_link if contact.group == contact.Group.INTERNAL else public_link
        if contact.email:
            plans.append(("email", contact, link))
        if contact.phone and sms_channel is not None:
            plans.append(("sms", contact, link))
    for way, contact, _link in plans:
        label = _("Alerted %(name)s (%(group)s) by email.") if way == "email" else \
            _("Alerted %(name)s (%(group)s) by SMS.")
        _event(incident, actor, Kind.NOTE, now, label % {"name": contact.name, "group": contact.get_group_display()},
               data={"contact": contact.pk, "way": way,
                     **({"email": contact.email} if way == "email" else {"phone": contact.phone})})
    if plans:
        transaction.on_commit(lambda: _send_alerts(incident, event, plans, sms_channel))
    return len(plans)


def contacts_alerted(playbook: Playbook, exercise: bool) -> list:
    """Whom crisis mode alerts: every contact; a drill only the internal ones (our own staff practise;
    outside partners are not told of a drill they did not agree to)."""
    contacts = list(playbook.contacts.all())
    if exercise:
        contacts = [contact for contact in contacts if contact.group == contact.Group.INTERNAL]
    return contacts


def _send_alerts(incident: Incident, event: IncidentEvent, plans: list, sms_channel: Channel | None) -> None:
    from django.conf import settings
    from django.core.mail import send_mail

    organisation = incident.organisation
    language = organisation.majority_language
    subject = text_in(event.title, language)
    body = "\n\n".join(text_in(part, language) for part in (event.body, event.instruction) if part)
    failures = []
    client = None
    try:
        for way, contact, link in plans:
            try:
                if way == "email":
                    send_mail(subject=f"[{organisation.display_name(language)}] {subject}"[:200],
                              message=f"{body}\n\n{link}", from_email=settings.DEFAULT_FROM_EMAIL,
                              recipient_list=[contact.email])
                    continue
                if client is None:
                    client = sms_channel.adapter.client()
                reference = f"crisis-{incident.pk}-e{event.pk}-c{contact.pk}"
                answers = client.send(f"{subject}\n{link}", [(contact.phone, reference)])
                refused = [answer for answer in answers if not answer.accepted]
                if refused:
                    failures.append((way, contact, refused[0].error or refused[0].status))
            except Exception as error:  # recorded on the timeline; the channels are not held back
                logging.getLogger("kanava.crisis").exception("Could not alert %s by %s", contact.name, way)
                failures.append((way, contact, str(error)[:200]))
    finally:
        if client is not None:
            client.close()
    for way, contact, error in failures:
        with translation.override(language):
            text = (_("Email alert to %(name)s failed: %(error)s") if way == "email" else
                    _("SMS alert to %(name)s failed: %(error)s")) % {"name": contact.name, "error": error}
        IncidentEvent.objects.create(incident=incident, at=_now(), kind=Kind.NOTE, text=text, actor_label="crisis",
                                     data={"contact": contact.pk, "way": way, "failed": True})


@transaction.atomic
def confirm(actor: Actor, pending: PendingActivation, *, now=None):
    """The second approver confirms a pending message: it is published now (returns the incident or event)."""
    # lock the request's own row only: PostgreSQL refuses FOR UPDATE on the nullable side of a join
    pending = (PendingActivation.objects.select_for_update(of=("self",))
               .select_related("playbook", "template", "requested_by").get(pk=pending.pk))
    organisation = pending.organisation
    if pending.state != PendingActivation.State.PENDING:
        raise ValidationError(_("This request was already handled."))
    requester = Actor(person=pending.requested_by, ip_address=None, label=str(pending.requested_by))
    if pending.requested_by is None:
        raise ValidationError(_("The person who asked is no longer here: ask again."))
    _require_second(requester, actor, organisation)
    _require_approver(requester, organisation)  # the one who asked may have lost the right meanwhile
    template = PlaybookTemplate.objects.get(pk=pending.template_id)
    if not template.pre_approved or template.approved_at != pending.template_approved_at:
        raise ValidationError(_("The template changed after the request: it must be approved and asked again."))
    now = _now(now)
    pending.state, pending.confirmed_by, pending.confirmed_at = PendingActivation.State.CONFIRMED, actor.person, now
    if pending.area_name and pending.area_id is None:
        raise ValidationError(_("The playbook's areas changed after the request: ask again."))
    if pending.kind == PendingActivation.Kind.FIRST:
        area = PlaybookArea.objects.select_related("topic").get(pk=pending.area_id) if pending.area_id else None
        result = _open(requester, actor, pending.playbook, pending.placeholders, pending.is_exercise, now, area)
        pending.result = result
        _event(result, actor, Kind.CONFIRMED, now, _("Two-person rule: asked by %(first)s, confirmed by %(second)s.")
               % {"first": requester, "second": actor})
    else:
        _event(pending.incident, actor, Kind.CONFIRMED, now,
               _("Two-person rule: asked by %(first)s, confirmed by %(second)s.") % {"first": requester, "second": actor})
        result = _followup(requester, actor, pending.incident, pending.kind, pending.placeholders, now)
        pending.result = pending.incident
    pending.save()
    record(actor, organisation, "crisis.activation_confirmed", pending, kind=pending.kind)
    return result


@transaction.atomic
def withdraw(actor: Actor, pending: PendingActivation) -> PendingActivation:
    """Drop a pending request (the person who asked, or another approver)."""
    _require_approver(actor, pending.organisation)
    updated = PendingActivation.objects.filter(pk=pending.pk, state=PendingActivation.State.PENDING).update(
        state=PendingActivation.State.WITHDRAWN)
    if not updated:
        raise ValidationError(_("This request was already handled."))
    pending.refresh_from_db()
    record(actor, pending.organisation, "crisis.activation_withdrawn", pending)
    return pending


def _followup(actor: Actor, approver: Actor, incident: Incident, kind: str, placeholders: dict, now):
    approvers = [actor] if approver is actor else [actor, approver]
    if kind == PendingActivation.Kind.UPDATE:
        event = actions.add_update(actor, incident, placeholders, now=now)
    else:
        actions.close_incident(actor, incident, placeholders, now=now)
        event = incident.events.filter(kind=Kind.ALL_CLEAR).latest("at", "id")
    _send(actor, approver, incident, event, now, approvers)
    record(actor, incident.organisation, "crisis.followup_published", incident, kind=kind, event=event.pk)
    return event


@transaction.atomic
def post_update(actor: Actor, incident: Incident, placeholders: dict | None = None, *, texts: dict | None = None,
                shortened: bool | None = None, second_approver=None, now=None):
    """Publish an update on every channel.

    The playbook's pre-approved update template (``placeholders``) takes the
    shortened approval, like the first message.  Free ``texts`` ({"title": {..},
    "body": {..}, "instruction": {..}}) go to the normal review (returns the
    ``in_review`` event) and are published once approved; asking for the
    shortened approval of free text (``shortened=True``) is refused.
    """
    if texts is not None:
        if shortened:
            raise ValidationError(_("Free text cannot take the shortened approval: it goes through the normal "
                                    "review. Use a pre-approved template for the shortened approval."))
        return _submit_free_text(actor, incident, texts, now)
    return _templated(actor, incident, PendingActivation.Kind.UPDATE, placeholders or {}, second_approver, now)


@transaction.atomic
def post_all_clear(actor: Actor, incident: Incident, placeholders: dict | None = None, *, second_approver=None,
                   now=None):
    """Publish the all-clear template on every channel and close the incident."""
    return _templated(actor, incident, PendingActivation.Kind.ALL_CLEAR, placeholders or {}, second_approver, now)


def _templated(actor, incident, kind, placeholders, second_approver, now):
    if not incident.is_active:
        raise ValidationError(_("The incident is closed."))
    _require_approver(actor, incident.organisation)
    now = _now(now)
    template = _pre_approved(incident.playbook, kind)
    _check_placeholders(template, {**incident.placeholders, **placeholders})
    second = _as_actor(second_approver)
    if incident.playbook.two_person_rule and second is None:
        return _request(actor, incident.playbook, kind, template, placeholders, incident.is_exercise, now,
                        incident=incident)
    if second is not None:
        _require_second(actor, second, incident.organisation)
    return _followup(actor, second or actor, incident, kind, placeholders, now)


def _submit_free_text(actor: Actor, incident: Incident, texts: dict, now) -> IncidentEvent:
    if not incident.is_active:
        raise ValidationError(_("The incident is closed."))
    if actor.person is None or not can(actor.person, incident.organisation, Cap.DRAFT):
        raise PermissionDenied(_("You are not allowed to write crisis messages."))
    now = _now(now)
    texts = {part: {code: text.strip() for code, text in (texts.get(part) or {}).items() if text and text.strip()}
             for part in ("title", "body", "instruction")}
    languages = incident.organisation.required_languages
    if any(not texts["title"].get(code) or not texts["body"].get(code) for code in languages):
        raise ValidationError(_("A crisis message needs a title and a text in every language of the organisation."))
    if incident.is_exercise:
        for part in ("title", "body"):
            texts[part] = {code: actions.mark_exercise(code, text) for code, text in texts[part].items()}
    holder = IncidentEvent(title=texts["title"], body=texts["body"], instruction=texts["instruction"])
    message = _create(actor, incident, holder, now)
    try:
        publishing.do_submit_for_review(actor, message)
    except WorkflowError as error:
        raise _workflow(error) from error
    event = _event(incident, actor, Kind.IN_REVIEW, now, _("Free text: published when it is approved."),
                   message=message, data={"awaiting": True, "texts": texts})
    record(actor, incident.organisation, "crisis.update_submitted", incident, message=message.pk)
    return event


def publish_reviewed(now=None) -> int:
    """Sweep step: free-text updates that passed the normal review become public updates and go out."""
    done = 0
    waiting = IncidentEvent.objects.filter(kind=Kind.IN_REVIEW, data__awaiting=True).select_related(
        "message", "incident", "incident__organisation", "incident__playbook")
    for event in waiting:
        message = event.message
        if message is None:
            continue
        state = message.state
        if state not in (Message.State.APPROVED, Message.State.PUBLISHING, Message.State.PUBLISHED,
                         Message.State.REJECTED):
            continue
        with transaction.atomic():
            if not IncidentEvent.objects.filter(pk=event.pk, data__awaiting=True).exists():
                continue
            event.data = {**event.data, "awaiting": False, "outcome": state}
            event.save(update_fields=["data"])
            if state == Message.State.REJECTED or not event.incident.is_active:
                continue
            approver = Actor(person=message.approved_by, ip_address=None, label="crisis")
            if approver.person is None:
                continue
            update = actions.add_update(approver, event.incident, texts=event.data["texts"], now=now)
            update.message = message
            update.save(update_fields=["message"])
            if state == Message.State.APPROVED:
                publishing.do_publish(approver, message)
            _event(event.incident, approver, Kind.PUBLISHED, _now(now), _("Reviewed free text."),
                   data={"message": message.pk})
            done += 1
    return done


# What happened on the channels, and the cadence ----------------------------------------------------


def record_deliveries(incident: Incident, now=None) -> int:
    """Add each delivery's outcome (delivered, failed, uncertain) to the timeline once."""
    now = _now(now)
    added = 0
    messages = [pk for pk in incident.events.exclude(message=None).values_list("message", flat=True)]
    deliveries = Delivery.objects.filter(message__in=messages, state__in=FINAL_DELIVERY_STATES).select_related(
        "channel").order_by("delivered_at", "id")
    seen = {(e.data.get("delivery"), e.data.get("state"))
            for e in incident.events.filter(kind=Kind.DELIVERY).only("data")}
    for delivery in deliveries:
        if (delivery.pk, delivery.state) in seen:
            continue
        at = (delivery.delivered_at or now).replace(microsecond=0)
        label = delivery.channel.name + (f" ({delivery.language})" if delivery.language else "")
        text = f"{label}: {delivery.get_state_display()}"
        if delivery.recipient_count:
            text += " · " + _("%(count)s recipients") % {"count": delivery.recipient_count}
        if delivery.last_error:
            text += f" · {delivery.last_error[:200]}"
        IncidentEvent.objects.create(
            incident=incident, at=at, kind=Kind.DELIVERY, text=text, actor_label="outbox",
            data={"delivery": delivery.pk, "state": delivery.state, "channel": delivery.channel_id,
                  "kind": delivery.channel.kind, "language": delivery.language, "message": delivery.message_id,
                  "recipients": delivery.recipient_count})
        added += 1
    return added


def due_reminders(now=None) -> list[Incident]:
    """Active incidents whose next update is overdue."""
    now = now or timezone.now()
    return list(Incident.objects.filter(status=Incident.Status.ACTIVE, next_update_due_at__lte=now)
                .select_related("organisation", "playbook").order_by("next_update_due_at"))


def remind_due(now=None) -> int:
    """Record one reminder per missed update interval and alert the leads; returns how many."""
    now = now or timezone.now()
    sent = 0
    for incident in due_reminders(now):
        due = incident.next_update_due_at
        cadence = timedelta(minutes=incident.playbook.update_cadence_minutes)
        missed = int((now - due) / cadence)
        key = f"{due.isoformat()}#{missed}"
        if incident.events.filter(kind=Kind.REMINDER, data__key=key).exists():
            continue
        organisation = incident.organisation
        with translation.override(organisation.majority_language):
            text = _("Crisis update overdue: %(incident)s (due at %(when)s).") % {
                "incident": incident.title_in(organisation.majority_language),
                "when": timezone.localtime(due, organisation.tz).strftime("%H:%M")}
            actions._event(incident, Actor.system("crisis"), Kind.REMINDER, _now(now), text,
                           data={"key": key, "due": due.isoformat(), "missed": missed + 1})
            alert_leads(organisation, f"{text} #{missed + 1}" if missed else text,
                        link=f"/{organisation.majority_language}/staff/{organisation.slug}/crisis/incidents/"
                             f"{incident.pk}/")
        sent += 1
    return sent


def delivery_summary(incident: Incident) -> list[dict]:
    """Per channel: the first message's first delivery time (for the page and the after-action report)."""
    first = incident.events.filter(kind=Kind.MESSAGE).exclude(message=None).first()
    if first is None:
        return []
    rows = {}
    for delivery in Delivery.objects.filter(message=first.message_id).select_related("channel").order_by("id"):
        row = rows.setdefault(delivery.channel_id, {"channel": delivery.channel, "states": [], "first_at": None})
        row["states"].append(delivery.state)
        if delivery.delivered_at and (row["first_at"] is None or delivery.delivered_at < row["first_at"]):
            row["first_at"] = delivery.delivered_at
    from kanava.crisis.report import duration

    for row in rows.values():
        row["after"] = (row["first_at"] - incident.activated_at) if row["first_at"] else None
    found = list(rows.values())
    for row in found:
        row["state_labels"] = sorted({str(Delivery.State(state).label) for state in row["states"]})
        row["after_label"] = duration(row["after"], tenths=True)
    from kanava.crisis.report import BannerChannel, banner_event

    if (banner := banner_event(incident.events.filter(kind=Kind.DELIVERY).order_by("at", "id"))) is not None:
        found.insert(0, {"channel": BannerChannel(name=_("Site-wide banner")), "states": [Delivery.State.DELIVERED],
                         "state_labels": [str(Delivery.State.DELIVERED.label)], "first_at": banner.at,
                         "after": banner.at - incident.activated_at,
                         "after_label": duration(banner.at - incident.activated_at, tenths=True)})
    return found


__all__ = ["Reach", "activate", "confirm", "withdraw", "post_update", "post_all_clear", "publish_reviewed",
           "record_deliveries", "due_reminders", "remind_due", "reach", "channels_for", "delivery_summary",
           "alert_contacts"]
