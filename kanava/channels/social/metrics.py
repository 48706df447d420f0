"""Reach and engagement: each published post's figures, fetched on a schedule and kept as a time series.

After a post goes out the platform is asked 1 hour, 6 hours, 1 day, 3 days
and 7 days later (most reach comes in the first days).  Each answer is a
:class:`~kanava.publishing.models.DeliveryMetric` row; the latest figures are
also kept on the delivery for fast pages.  The sweep hands due deliveries to
a task in chunks; adapters fetch in batches where the platform allows (X,
Bluesky) and otherwise with a few requests in parallel (:func:`fetch_each`).
"""

from __future__ import annotations

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kanava.channels.base import ChannelError

logger = logging.getLogger("kanava.metrics")


def schedule() -> list[timedelta]:
    """Seconds after publishing at which figures are fetched (settings.METRICS_SCHEDULE)."""
    from django.conf import settings

    return [timedelta(seconds=s) for s in settings.METRICS_SCHEDULE]


#: How long a chunk handed to a task is kept from being handed out again.
LEASE = timedelta(minutes=10)
CHUNK = 200
#: After a failure, figures are still asked for until this long after the last round.
GIVE_UP_AFTER = timedelta(days=1)
PARALLEL = 8


def first_due(adapter, delivered_at):
    """When a new post's figures are first fetched; None for channels without figures."""
    return delivered_at + schedule()[0] if getattr(adapter, "has_metrics", False) else None


def next_due(delivered_at, rounds_done: int):
    steps = schedule()
    if rounds_done >= len(steps):
        return None
    return delivered_at + steps[rounds_done]


def fetch_each(refs, fetch_one: Callable, parallel: int = PARALLEL) -> dict:
    """For platforms without a batch endpoint: ask for each post, a few at a time.

    ``fetch_one(ref)`` returns Metrics or None (the post is gone); a
    ChannelError from one post stops the rest (the connection or the rate
    limit is the same for all).
    """
    if not refs:
        return {}
    with ThreadPoolExecutor(max_workers=min(parallel, len(refs))) as pool:
        results = list(pool.map(fetch_one, refs))
    return {ref.id: metrics for ref, metrics in zip(refs, results) if metrics is not None}


def _lease_until(now):
    """When a handed-out chunk becomes due again if its task is lost.

    A few random microseconds make each sweep's lease a value of its own, so
    a sweep can read back exactly the rows it leased (two sweeps racing for
    the same rows each get only those their UPDATE changed).
    """
    return now + LEASE + timedelta(microseconds=secrets.randbelow(1_000_000))


def schedule_due(now=None, limit: int = 5000) -> int:
    """Sweep step: hand due deliveries to the collect task in chunks.  Returns how many were handed out.

    Each chunk is leased with one conditional UPDATE before it is handed
    out, so two sweeping workers never hand out the same delivery twice.
    """
    from kanava.publishing.models import Delivery
    from kanava.publishing.tasks import collect_metrics

    now = now or timezone.now()
    due = list(Delivery.objects.filter(state=Delivery.State.DELIVERED, metrics_due_at__lte=now)
               .order_by("metrics_due_at").values_list("pk", flat=True)[:limit])
    handed = 0
    for start in range(0, len(due), CHUNK):
        chunk = due[start:start + CHUNK]
        lease = _lease_until(now)
        Delivery.objects.filter(pk__in=chunk, state=Delivery.State.DELIVERED, metrics_due_at__lte=now).update(
            metrics_due_at=lease)
        taken = list(Delivery.objects.filter(pk__in=chunk, metrics_due_at=lease).order_by("pk")
                     .values_list("pk", flat=True))
        if taken:
            transaction.on_commit(lambda taken=taken: collect_metrics.enqueue(taken))
            handed += len(taken)
    return handed


def retry_at(delivery, now, wait: timedelta):
    """When to ask again after a failure; None once the schedule's last round is well past (give up)."""
    due = now + wait
    if delivery.delivered_at and due > delivery.delivered_at + schedule()[-1] + GIVE_UP_AFTER:
        return None
    return due


def _failed(deliveries, now, wait: timedelta) -> None:
    from kanava.publishing.models import Delivery

    for delivery in deliveries:
        Delivery.objects.filter(pk=delivery.pk).update(metrics_due_at=retry_at(delivery, now, wait))


def collect(delivery_ids: list[int], now=None) -> int:
    """Fetch and store the figures of these deliveries' posts.  Returns how many posts got figures.

    A failure moves the channel's deliveries later (as long as the platform
    asked, else 15 minutes, or 6 hours when the connection is broken); they
    are not counted as a round, and are given up a day after the last round.
    """
    from kanava.channels.social.adapter import PostRef
    from kanava.publishing.models import Delivery

    now = now or timezone.now()
    deliveries = list(Delivery.objects.filter(pk__in=delivery_ids, state=Delivery.State.DELIVERED)
                      .select_related("channel", "organisation"))
    by_channel: dict[int, list] = {}
    for delivery in deliveries:
        by_channel.setdefault(delivery.channel_id, []).append(delivery)
    stored = 0
    for group in by_channel.values():
        channel = group[0].channel
        adapter = channel.adapter
        refs, owner = [], {}
        for delivery in group:
            parts = (delivery.detail or {}).get("parts") or []
            if parts and parts[0].get("id"):
                ref = PostRef.from_json(parts[0])
                refs.append(ref)
                owner[ref.id] = delivery
            else:  # posted by hand, or a channel that keeps no post id: nothing to ask
                _reschedule(delivery, None)
        if not refs:
            continue
        try:
            adapter.ensure_fresh_token()
            found = adapter.fetch_metrics_for(refs)
        except ChannelError as error:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else (
                timedelta(hours=6) if error.permanent else timedelta(minutes=15))
            _failed(owner.values(), now, wait)
            logger.warning("Metrics for channel %s failed: %s", channel.pk, error)
            continue
        except Exception:
            logger.exception("Metrics for channel %s crashed", channel.pk)
            _failed(owner.values(), now, timedelta(hours=1))
            continue
        stored += store(owner, found, now)
    return stored


def store(owner: dict, found: dict, now) -> int:
    """Write one time-series point per post found and move each delivery to its next round."""
    from kanava.publishing.models import DeliveryMetric

    points = []
    for post_id, delivery in owner.items():
        metrics = found.get(post_id)
        if metrics is not None:
            points.append(DeliveryMetric(delivery=delivery, fetched_at=now, impressions=metrics.impressions,
                                         reactions=metrics.reactions, comments=metrics.comments,
                                         shares=metrics.shares, raw=metrics.raw))
            delivery.metrics = {**metrics.as_json(), "fetched_at": now.isoformat()}
        _reschedule(delivery, delivery.metrics if metrics is not None else None)
    DeliveryMetric.objects.bulk_create(points, batch_size=500)
    return len(points)


def _reschedule(delivery, latest: dict | None) -> None:
    from kanava.publishing.models import Delivery

    rounds = delivery.metrics_rounds + 1
    due = next_due(delivery.delivered_at, rounds) if delivery.delivered_at else None
    update = {"metrics_rounds": F("metrics_rounds") + 1, "metrics_due_at": due}
    if latest is not None:
        update["metrics"] = latest
    Delivery.objects.filter(pk=delivery.pk).update(**update)


def totals(deliveries) -> dict:
    """Sum of the latest figures over deliveries (a figure stays None if no post had it)."""
    result: dict[str, int | None] = {"impressions": None, "reactions": None, "comments": None, "shares": None}
    for delivery in deliveries:
        for key in result:
            value = (delivery.metrics or {}).get(key)
            if value is not None:
                result[key] = (result[key] or 0) + int(value)
    return result
