"""What residents and partners may see of crisis communication: the one door the resident pages read through.

Only the request's organisation's incidents and alerts, never another's.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from kanava.crisis.models import CapAlert, Incident, IncidentEvent

#: Updates shown per incident on the crisis page (newest first); older ones stay in the CAP feed.
UPDATES_SHOWN = 20
FEED_SIZE = 50


def active_incidents(organisation) -> list[Incident]:
    return list(Incident.objects.filter(organisation=organisation, status=Incident.Status.ACTIVE)
                .select_related("playbook", "organisation").order_by("-activated_at", "-id"))


#: How long an ended incident stays on the crisis page with its all-clear (for those who come from a link).
ENDED_SHOWN = timedelta(hours=24)


def shown_incidents(organisation, now=None) -> list[Incident]:
    """The crisis page's incidents: the active ones, then those ended in the last 24 hours."""
    now = now or timezone.now()
    recent = Q(status=Incident.Status.ACTIVE) | Q(status=Incident.Status.CLOSED, closed_at__gte=now - ENDED_SHOWN)
    incidents = list(Incident.objects.filter(recent, organisation=organisation)
                     .select_related("playbook", "organisation").order_by("-activated_at", "-id"))
    return sorted(incidents, key=lambda incident: not incident.is_active)


def public_updates(incident: Incident, limit: int = UPDATES_SHOWN) -> list[IncidentEvent]:
    """The incident's public messages, newest first."""
    return list(incident.events.filter(kind__in=IncidentEvent.PUBLIC_KINDS).order_by("-at", "-id")[:limit])


def alerts(organisation, limit: int = FEED_SIZE) -> list[CapAlert]:
    """The organisation's latest CAP alerts, newest first (exercises too: their status says so)."""
    return list(CapAlert.objects.filter(incident__organisation=organisation).select_related("event")
                .order_by("-sent", "-id")[:limit])


def alert(organisation, identifier: str) -> CapAlert | None:
    return CapAlert.objects.filter(incident__organisation=organisation, identifier=identifier).first()
