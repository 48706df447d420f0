"""Telling followers: at most one digest a day, and the outcome once.

A digest is claimed before it is sent: ``last_digest_at`` is written in the same
transaction that picks the follower, so two workers (or a crash and a retry) never
send the same day's digest twice; a digest lost to a failing mail server is not
retried the same day.  The outcome notice is claimed the same way, one follow at a
time (``Follow.outcome_sent_at``), so a crash between sends repeats nobody's notice.

``sweep()`` runs from the outbox sweep (:func:`register` adds it) and also resumes
outcome notices that a crash interrupted.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanava.core.sites import site_base_url
from kanava.participation.models import Follow, Outcome, Process

logger = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(days=1)
BATCH = 200
SMS_LIMIT = 480


def register() -> None:
    """Add the daily digests and interrupted outcome notices to the outbox sweep (call from ``ready()``)."""
    from kanava.publishing.outbox import add_sweep_step

    add_sweep_step("participation_digests", sweep)


def sweep(now=None) -> int:
    sent = send_digests(now)
    for outcome in Outcome.objects.filter(published_at__isnull=False, notified_at__isnull=True).select_related(
            "process__organisation")[:20]:
        sent += notify_outcome(outcome)
    return sent


# -- addresses -----------------------------------------------------------------------

def _url(organisation, name: str, language: str, *args) -> str:
    with translation.override(language):
        return site_base_url(organisation) + reverse(name, args=args)


def _sender(organisation, language: str) -> str:
    if organisation.contact_email:
        return f"{organisation.display_name(language)} <{organisation.contact_email}>"
    return settings.DEFAULT_FROM_EMAIL


def _send(follow: Follow, subject: str, body: str, sms_text: str, reference: str) -> bool:
    """Email or SMS on the follow's channel; False (logged) when it could not be sent."""
    organisation = follow.organisation
    participant = follow.participant
    if follow.channel == Follow.Channel.SMS:
        from kanava.channels.base import ChannelError
        from kanava.channels.sms.actions import sms_channel_for

        channel = sms_channel_for(organisation)
        if channel is None or not participant.phone:
            logger.warning("No SMS channel or number for a participation notice (%s)", organisation.slug)
            return False
        try:
            channel.adapter.send_text(participant.phone, sms_text[:SMS_LIMIT], reference=reference)
        except ChannelError as error:
            logger.warning("Could not send a participation SMS for %s: %s", organisation.slug, error)
            return False
        return True
    if not participant.email:
        return False
    try:
        EmailMessage(subject, body, _sender(organisation, follow.language), [participant.email]).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Could not mail a participation notice for %s: %s", organisation.slug, type(error).__name__)
        return False
    return True


# -- daily digests -----------------------------------------------------------------

def _due_participants(now):
    """Participants following something with digests whose last digest is a day old or more."""
    cutoff = now - DIGEST_INTERVAL
    return (Follow.objects.filter(wants_digest=True).values("participant")
            .annotate(last=Max("last_digest_at")).filter(Q(last__isnull=True) | Q(last__lte=cutoff))
            .values_list("participant", flat=True)[:BATCH])


def _processes_of(follow: Follow):
    if follow.process_id:
        return [follow.process] if follow.process.state == Process.State.PUBLISHED else []
    return list(Process.objects.filter(organisation=follow.organisation, topic_id=follow.topic_id,
                                       state=Process.State.PUBLISHED))


def _lines(follows: list[Follow], now) -> list[dict]:
    """Per process: its title, link and new lines since the follow's last digest (or since following)."""
    sections, seen = [], set()
    for follow in follows:
        since = follow.last_digest_at or follow.created_at
        for process in _processes_of(follow):
            hook = process.manifest.digest_lines if process.kind in _kinds() else None
            if process.pk in seen or hook is None:
                continue
            seen.add(process.pk)
            lines = [str(line) for line in hook(process, since) if line]
            if lines:
                sections.append({"title": process.display_title(follow.language), "lines": lines,
                                 "url": _url(process.organisation, "participation:process", follow.language,
                                             process.slug)})
    return sections


def _kinds() -> set[str]:
    from kanava.participation.manifest import kinds

    return {kind.kind for kind in kinds()}


def _claim_digest(participant_id: int, now):
    """Lock the participant's digest follows; None if another worker took them or a digest went out today."""
    follows = list(Follow.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(participant_id=participant_id, wants_digest=True)
                   .select_related("participant", "organisation", "process__organisation", "topic"))
    if not follows:
        return None
    last = max((f.last_digest_at for f in follows if f.last_digest_at), default=None)
    if last is not None and last > now - DIGEST_INTERVAL:
        return None
    return follows


def send_digest_to(participant_id: int, now=None) -> bool:
    """One participant's digest, if due and if there is anything new; True when one was sent."""
    now = now or timezone.now()
    with transaction.atomic():
        follows = _claim_digest(participant_id, now)
        if not follows:
            return False
        follow = follows[0]
        with translation.override(follow.language):
            sections = _lines(follows, now)
            if not sections:
                return False
            Follow.objects.filter(pk__in=[f.pk for f in follows]).update(last_digest_at=now)
            message = _digest_message(follow, sections)
    with translation.override(follow.language):
        return _send(follow, *message, reference=f"kanava-digest-{follow.pk}-{secrets.token_hex(6)}")


def _digest_message(follow: Follow, sections: list[dict]) -> tuple[str, str, str]:
    organisation = follow.organisation
    context = {"organisation_name": organisation.display_name(follow.language), "sections": sections,
               "stop_url": _url(organisation, "participation:stop_following", follow.language, follow.token)}
    subject = _("What is new in the processes you follow – %(organisation)s") % {
        "organisation": context["organisation_name"]}
    body = render_to_string("participation/email/digest.txt", context)
    first = sections[0]
    sms = _("New in “%(title)s”: %(line)s More: %(url)s") % {"title": first["title"], "line": first["lines"][0],
                                                             "url": first["url"]}
    return subject, body, sms


def send_digests(now=None) -> int:
    now = now or timezone.now()
    return sum(1 for participant_id in list(_due_participants(now)) if send_digest_to(participant_id, now))


# -- the outcome -------------------------------------------------------------------

def _claim_outcome_notice(follow_id: int, now) -> bool:
    """Mark one follow as told before telling: a crash after this tells nobody twice."""
    return Follow.objects.filter(pk=follow_id, outcome_sent_at__isnull=True).update(outcome_sent_at=now) == 1


def _outcome_message(follow: Follow, process: Process, outcome: Outcome) -> tuple[str, str, str]:
    language = follow.language
    organisation = process.organisation
    title = process.display_title(language)
    url = _url(organisation, "participation:outcome", language, process.slug)
    context = {"organisation_name": organisation.display_name(language), "process_title": title, "url": url,
               "decision_title": outcome.decision_title.get(language) or next(iter(outcome.decision_title.values()), ""),
               "decision_url": outcome.decision_url,
               "stop_url": _url(organisation, "participation:stop_following", language, follow.token)}
    subject = _("“%(title)s”: what was decided") % {"title": title}
    body = render_to_string("participation/email/outcome.txt", context)
    sms = _("“%(title)s” has been decided. Read what you said and what we did: %(url)s") % {"title": title, "url": url}
    return subject, body, sms


def notify_outcome(outcome: Outcome, now=None) -> int:
    """Tell each follower of the process who wants the outcome, once, in their language."""
    now = now or timezone.now()
    process = Process.objects.select_related("organisation").get(pk=outcome.process_id)
    if outcome.published_at is None:
        return 0
    sent = 0
    waiting = (Follow.objects.filter(process=process, wants_outcome=True, outcome_sent_at__isnull=True)
               .select_related("participant", "organisation").order_by("pk"))
    for follow in waiting:
        if not _claim_outcome_notice(follow.pk, now):
            continue  # another worker told this one
        with translation.override(follow.language):
            message = _outcome_message(follow, process, outcome)
            if _send(follow, *message, reference=f"kanava-outcome-{follow.pk}-{secrets.token_hex(6)}"):
                sent += 1
    Outcome.objects.filter(pk=outcome.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    return sent
