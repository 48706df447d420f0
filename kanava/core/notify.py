"""Telling the communications lead that something needs a person."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from kanava.core.models import Alert, Membership, Organisation
from kanava.core.roles import Role

logger = logging.getLogger("kanava.notify")


def alert_leads(organisation: Organisation, text: str, link: str = "") -> Alert:
    """Record an alert on the lead's dashboard and email every lead.

    The alert row is the source of truth; a mail failure is logged, not raised,
    so an SMTP outage cannot hide the alert itself.
    """
    text = " ".join(str(text).split())  # one line: it also becomes an email subject
    recent = timezone.now() - timedelta(hours=1)
    existing = Alert.objects.filter(organisation=organisation, text=text, link=link, resolved_at__isnull=True,
                                    created_at__gte=recent).first()
    if existing:  # the same failure again (another batch of the same message): one alert is enough
        return existing
    alert = Alert.objects.create(organisation=organisation, text=text, link=link)
    leads = Membership.objects.filter(organisation=organisation, role__in=[Role.LEAD, Role.ADMIN]).select_related("person")
    for email in sorted({m.person.email for m in leads}):
        try:
            send_mail(
                subject=f"[Kanava] {text[:120]}",
                message=f"{text}\n\n{settings.SITE_URL}{link}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )
        except Exception:  # the alert is recorded; mail is best effort
            logger.exception("Could not email alert to %s", email)
    return alert


def in_language(language: str):
    return translation.override(language)
