"""Every change to ideas and initiatives: proposing, supporting, answering, hiding, signing.

Each ``do_*`` runs in one transaction and records an audit event.  Counters are
kept with ``F()`` updates; a second post of the same thing finds the first row
(unique constraints) and counts nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.core.models import Alert, Membership
from kanava.core.roles import Role
from kanava.participation.kinds.ideas import conf
from kanava.participation import hetu
from kanava.participation.kinds.ideas.models import (MAX_NAME, MAX_TITLE, Idea, IdeaEvent, Initiative,
                                                     InitiativeSignature, Support)
from kanava.participation.models import Contribution, Participant, Process
from kanava.privacy import residents

logger = logging.getLogger("kanava.participation.ideas")


class InitiativeRefused(Exception):
    """A signature that the law does not allow (not a resident, no strong identification); ``str()`` says why."""


def _touch(process: Process, **counters) -> None:
    """Resident-visible change: bump the version (cache key) and any counters."""
    changes = {"version": F("version") + 1}
    changes.update({name: F(name) + amount for name, amount in counters.items()})
    Process.objects.filter(pk=process.pk).update(**changes)


def _is_new_participant(process: Process, participant: Participant | None) -> bool:
    """Whether this participant has given nothing in the process yet (for ``participant_count``)."""
    if participant is None:
        return False
    return not (Idea.objects.filter(process=process, participant=participant).exists()
                or Support.objects.filter(process=process, participant=participant).exists()
                or InitiativeSignature.objects.filter(process=process, participant=participant).exists())


@dataclass(frozen=True)
class Proposed:
    idea: Idea
    created: bool  # False when the same form was posted again
    masked_kinds: tuple[str, ...] = ()  # personal data masked in the title, text or name (kanava.privacy.residents)


def do_propose(actor: Actor, process: Process, participant: Participant | None, *, title: str, text: str,
               author_name: str = "", category: str = "", language: str = "", submission_key: str = "",
               as_initiative: bool = False, source: str = Contribution.Source.ONLINE, recorded_by=None,
               created_at=None) -> Proposed:
    """Add an idea (and open it as an initiative when asked and allowed); the same ``submission_key`` twice adds one.

    Personal data in the title, text and name is masked before the idea is stored; a
    ``privacy.masked`` event tells the moderator which kinds (``Proposed.masked_kinds``).
    """
    masked = residents.mask_fields(language or process.organisation.majority_language,
                                   limits={"title": MAX_TITLE, "author_name": MAX_NAME},
                                   title=title.strip(), text=text.strip(), author_name=author_name.strip())
    title, text, author_name = masked.texts["title"], masked.texts["text"], masked.texts["author_name"]
    if submission_key:
        existing = Idea.objects.filter(process=process, submission_key=submission_key).first()
        if existing:
            return Proposed(existing, False)
    try:
        with transaction.atomic():
            new_participant = _is_new_participant(process, participant)
            idea = Idea.objects.create(
                process=process, participant=participant, title=title.strip(), text=text.strip(),
                author_name=author_name.strip(), category=category.strip(), language=language,
                submission_key=submission_key, source=source, recorded_by=recorded_by,
                created_at=created_at or timezone.now())
            IdeaEvent.objects.create(idea=idea, state=idea.state, created_at=idea.created_at)
            _touch(process, contribution_count=1, participant_count=int(new_participant))
            record(actor, process.organisation, "ideas.proposed", idea, process=process.pk, source=source)
            residents.record_masked(actor, process.organisation, idea, masked)
            if as_initiative and conf.IdeasConf.of(process).initiatives:
                _open_initiative(actor, idea)
    except IntegrityError:  # the same form posted twice at once: the other post made it
        existing = Idea.objects.filter(process=process, submission_key=submission_key).first()
        if existing is None:
            raise
        return Proposed(existing, False)
    return Proposed(idea, True, tuple(masked.kinds))


def do_support(actor: Actor, idea: Idea, participant: Participant) -> bool:
    """Support ``idea`` once per participant; True when counted now, False when it already was."""
    process = idea.process
    try:
        with transaction.atomic():
            new_participant = _is_new_participant(process, participant)
            Support.objects.create(process=process, idea=idea, participant=participant,
                                   language=translation.get_language() or "")
            Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
            _touch(process, participant_count=int(new_participant))
            record(actor, process.organisation, "ideas.supported", idea)
    except IntegrityError:
        return False
    idea.refresh_from_db(fields=["support_count"])
    return True


def do_answer(actor: Actor, idea: Idea, state: str, answer: dict[str, str]) -> Idea:
    """Answer publicly: set the state and the reasons per language; kept in the idea's status history."""
    if state not in Idea.State.values:
        raise ValueError(f"Unknown state {state!r}")
    answer = {language: text.strip() for language, text in answer.items() if text and text.strip()}
    with transaction.atomic():
        now = timezone.now()
        Idea.objects.filter(pk=idea.pk).update(state=state, answer=answer, answered_by=actor.person, answered_at=now)
        IdeaEvent.objects.create(idea=idea, state=state, answer=answer, created_at=now)
        _touch(idea.process)
        record(actor, idea.process.organisation, "ideas.answered", idea, state=state,
               languages=sorted(answer))
    idea.refresh_from_db()
    return idea


def do_hide(actor: Actor, idea: Idea, reason: str) -> None:
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now(), hidden_reason=reason.strip())
        _touch(idea.process)
        record(actor, idea.process.organisation, "ideas.hidden", idea, reason=reason.strip())
    idea.refresh_from_db()


def do_restore(actor: Actor, idea: Idea) -> None:
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(hidden_at=None, hidden_reason="")
        _touch(idea.process)
        record(actor, idea.process.organisation, "ideas.restored", idea)
    idea.refresh_from_db()


def _open_initiative(actor: Actor, idea: Idea) -> Initiative:
    initiative, created = Initiative.objects.get_or_create(
        idea=idea, defaults={"process": idea.process, "participant": idea.participant, "source": idea.source,
                             "language": idea.language, "recorded_by": idea.recorded_by})
    if created:
        record(actor, idea.process.organisation, "ideas.initiative_opened", initiative, idea=idea.pk)
    return initiative


def do_open_initiative(actor: Actor, idea: Idea) -> Initiative:
    """Turn ``idea`` into a municipal initiative that collects residents' signatures (once)."""
    with transaction.atomic():
        initiative = _open_initiative(actor, idea)
        _touch(idea.process)
    return initiative


def is_resident(process: Process, participant: Participant) -> bool:
    """Whether Suomi.fi gave the participant's home municipality as this municipality."""
    code = conf.IdeasConf.of(process).municipality_code
    return bool(code) and participant.home_municipality.strip().lstrip("0") == code.lstrip("0")


def do_sign(actor: Actor, initiative: Initiative, participant: Participant) -> bool:
    """Sign ``initiative`` as a strongly identified resident; True when counted now, False when already signed.

    Raises :class:`InitiativeRefused` for someone the law does not count.
    """
    if not participant.strong_id_digest or not participant.strong_verified_at:
        raise InitiativeRefused(_("Signing an initiative needs strong electronic identification."))
    if not is_resident(initiative.process, participant):
        raise InitiativeRefused(_("Only residents of the municipality can sign its initiatives. According to the "
                                  "population register your home municipality is another one."))
    return _add_signature(actor, initiative, participant.strong_id_digest, participant=participant)


def do_record_paper_signature(actor: Actor, initiative: Initiative, identity_code: str, *,
                              resident_checked: bool) -> bool:
    """Count a signer from a signed paper list; only the identity code's digest is kept.

    Raises ValueError for an invalid identity code or a signer whose residence was not checked.
    """
    born = hetu.birth_date(identity_code)
    if born is None or born > timezone.localdate():
        raise ValueError("invalid identity code")
    if not resident_checked:
        raise ValueError("residence not checked")
    from kanava.participation import identity

    digest = identity.digest("hetu", hetu.normalise(identity_code))
    participant = Participant.objects.filter(organisation=initiative.process.organisation,
                                             strong_id_digest=digest).first()
    return _add_signature(actor, initiative, digest, participant=participant,
                          source=Contribution.Source.PAPER, recorded_by=actor.person)


def _add_signature(actor: Actor, initiative: Initiative, digest: str, *, participant=None,
                   source=Contribution.Source.ONLINE, recorded_by=None) -> bool:
    process = initiative.process
    try:
        with transaction.atomic():
            new_participant = _is_new_participant(process, participant)
            InitiativeSignature.objects.create(process=process, initiative=initiative, participant=participant,
                                               strong_id_digest=digest, source=source, recorded_by=recorded_by,
                                               language=translation.get_language() or "")
            # The row lock taken here orders concurrent signatures: each sees the count its own adds to.
            Initiative.objects.filter(pk=initiative.pk).update(signature_count=F("signature_count") + 1)
            count = Initiative.objects.filter(pk=initiative.pk).values_list("signature_count", flat=True).get()
            _touch(process, participant_count=int(new_participant))
            record(actor, process.organisation, "ideas.initiative_signed", initiative, source=source)
            _maybe_reached(initiative, count)
    except IntegrityError:
        return False
    initiative.refresh_from_db(fields=["signature_count", "reached_at"])
    return True


def _maybe_reached(initiative: Initiative, count: int) -> None:
    """At the threshold, mark the initiative reached and alert the leads; the conditional update makes it once."""
    needed = initiative.threshold
    if needed is None or count < needed:
        return
    if not Initiative.objects.filter(pk=initiative.pk, reached_at__isnull=True).update(reached_at=timezone.now()):
        return  # another signature got there first
    organisation = initiative.process.organisation
    link = reverse("ideas_staff:initiative", kwargs={"org": organisation.slug, "pk": initiative.process_id,
                                                     "initiative": initiative.pk})
    with translation.override(organisation.majority_language):
        text = _("An initiative has the support of 2 %% of the residents (%(count)s of %(needed)s) and must go to "
                 "the council within six months: %(title)s") % {
                     "count": count, "needed": needed, "title": initiative.idea.title}
    text = " ".join(text.split())
    Alert.objects.create(organisation=organisation, text=text, link=link)
    record(Actor.system("ideas"), organisation, "ideas.initiative_reached", initiative, count=count, needed=needed)
    transaction.on_commit(lambda: _email_leads(organisation, text, link))


def _email_leads(organisation, text: str, link: str) -> None:
    """Email the alert to the leads (as ``kanava.core.notify.alert_leads`` does); a mail failure is only logged."""
    leads = Membership.objects.filter(organisation=organisation, role__in=[Role.LEAD, Role.ADMIN]).select_related("person")
    for email in sorted({membership.person.email for membership in leads}):
        try:
            send_mail(subject=f"[Kanava] {text[:120]}", message=f"{text}\n\n{settings.SITE_URL}{link}",
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[email])
        except Exception:  # the alert row is the source of truth; mail is best effort
            logger.exception("Could not email an initiative alert to %s", email)


def do_mark_submitted(actor: Actor, initiative: Initiative, submitted_on) -> None:
    """Record the day the initiative was filed for the council (the six-month deadline runs from it)."""
    with transaction.atomic():
        Initiative.objects.filter(pk=initiative.pk).update(submitted_on=submitted_on, submitted_by=actor.person)
        _touch(initiative.process)
        record(actor, initiative.process.organisation, "ideas.initiative_submitted", initiative,
               submitted_on=submitted_on.isoformat())
    initiative.refresh_from_db()

