"""Reminders before an answer is late, and an alert to the lead when it is.

The owner is reminded ``remind_hours`` office hours before the due time (the
lead, when nobody owns the conversation); when the due time passes the leads
get an alert.  Each is sent once per due time: a new message from the
resident sets a new due time and both start over.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.core.notify import alert_leads
from kanava.inbox import due as due_times
from kanava.inbox.intake import targets_of
from kanava.inbox.models import OPEN_STATUSES, Conversation

logger = logging.getLogger("kanava.inbox")

#: Reminders are looked for among conversations due within this window (a long weekend fits).
LOOK_AHEAD = timedelta(days=6)
SYSTEM = Actor.system("reminders")


def remind_at(conversation: Conversation):
    targets = targets_of(conversation.organisation)
    return due_times.working_hours_before(conversation.due_at, targets.remind_hours, tz=conversation.organisation.time_zone,
                                          day_start=targets.workday_start, day_end=targets.workday_end)


def _remind(conversation: Conversation) -> None:
    organisation = conversation.organisation
    link = conversation.staff_url()
    owner = conversation.owner
    language = (owner.language if owner else organisation.majority_language) or "fi"
    with translation.override(language):
        when = timezone.localtime(conversation.due_at).strftime("%d.%m.%Y %H:%M")
        text = _("An answer is due on %(when)s: %(subject)s") % {"when": when, "subject": conversation.subject
                                                                  or conversation.resident_name or f"#{conversation.pk}"}
    if owner is None:
        alert_leads(organisation, text, link)
    else:
        try:
            send_mail(subject=f"[Kanava] {text[:120]}", message=f"{text}\n\n{settings.SITE_URL}{link}",
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[owner.email])
        except Exception:
            logger.exception("Could not email a reminder to %s", owner.email)
    record(SYSTEM, organisation, "inbox.reminded", conversation, owner=owner.pk if owner else None)


def _alert_overdue(conversation: Conversation) -> None:
    organisation = conversation.organisation
    with translation.override(organisation.majority_language):
        text = _("An answer is late: %(subject)s") % {"subject": conversation.subject or conversation.resident_name
                                                      or f"#{conversation.pk}"}
    alert_leads(organisation, text, conversation.staff_url())
    record(SYSTEM, organisation, "inbox.overdue", conversation)


def remind_due(now=None) -> int:
    """Sweep step: send the reminders and overdue alerts that are due; how many were sent."""
    now = now or timezone.now()
    sent = 0
    open_ = Conversation.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False).select_related(
        "organisation", "owner")
    for conversation in open_.filter(reminded_at__isnull=True, due_at__lte=now + LOOK_AHEAD, due_at__gt=now)[:200]:
        if remind_at(conversation) <= now and Conversation.objects.filter(
                pk=conversation.pk, reminded_at__isnull=True).update(reminded_at=now):
            _remind(conversation)
            sent += 1
    for conversation in open_.filter(Q(overdue_alerted_at__isnull=True), due_at__lte=now)[:200]:
        if Conversation.objects.filter(pk=conversation.pk, overdue_alerted_at__isnull=True).update(
                overdue_alerted_at=now):
            _alert_overdue(conversation)
            sent += 1
    return sent
