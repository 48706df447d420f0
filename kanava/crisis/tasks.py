"""Crisis mode's share of the outbox sweep (every worker runs it every few seconds).

Per tick: free-text updates that passed the normal review go out
(:func:`~kanava.crisis.activation.publish_reviewed`), delivery outcomes of active
and recently closed incidents reach their timelines
(:func:`~kanava.crisis.activation.record_deliveries`), and overdue updates get
one reminder per missed interval (:func:`~kanava.crisis.activation.remind_due`).
Each part is idempotent, so a lost tick delays nothing by more than a tick.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger("kanava.crisis")


def sweep(now=None) -> int:
    from kanava.crisis.activation import publish_reviewed, record_deliveries, remind_due
    from kanava.crisis.models import Incident

    now = now or timezone.now()
    done = 0
    for name, step in (("reviewed updates", publish_reviewed), ("reminders", remind_due)):
        try:
            done += step(now)
        except Exception:  # one failing part must not stop the others
            logger.exception("Crisis sweep: %s failed", name)
    recent = Incident.objects.filter(Q(status=Incident.Status.ACTIVE) | Q(closed_at__gte=now - timedelta(days=1)))
    for incident in recent.select_related("organisation"):
        try:
            done += record_deliveries(incident, now)
        except Exception:
            logger.exception("Crisis sweep: deliveries of incident %s failed", incident.pk)
    return done


def register() -> None:
    """Add crisis mode to the outbox sweep (called from ``CrisisConfig.ready``)."""
    from kanava.publishing.outbox import add_sweep_step

    add_sweep_step("crisis", sweep)
