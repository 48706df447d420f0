"""Reach and engagement of Facebook Page posts, kept as a time series."""

import pytest
from django.utils import timezone

from kanava.channels.social import metrics
from kanava.publishing import outbox
from kanava.publishing.models import DeliveryMetric

from .conftest import deliveries

pytestmark = pytest.mark.outbox


def test_each_posts_reactions_comments_shares_and_impressions_are_stored_as_a_point_in_time(meta, page, publish):
    message = publish(page)
    outbox.drain()
    done = deliveries(message)
    assert all(d.metrics_due_at is not None for d in done.values()), "figures are scheduled once it is out"
    meta.set_metrics(done["fi"].external_id, impressions=1520, reactions=48, comments=7, shares=3)
    meta.set_metrics(done["sv"].external_id, impressions=310, reactions=5)

    stored = metrics.collect([d.pk for d in done.values()], now=timezone.now())

    assert stored == 2
    finnish = DeliveryMetric.objects.get(delivery=done["fi"])
    assert (finnish.impressions, finnish.reactions, finnish.comments, finnish.shares) == (1520, 48, 7, 3)
    swedish = DeliveryMetric.objects.get(delivery=done["sv"])
    assert (swedish.impressions, swedish.reactions, swedish.comments, swedish.shares) == (310, 5, 0, 0), \
        "Graph leaves shares out until someone shares: that is 0, not unknown"
    done["fi"].refresh_from_db()
    assert done["fi"].metrics["impressions"] == 1520 and done["fi"].metrics_rounds == 1
    assert len(meta.requests_to("GET", r"/insights$")) == 2


def test_a_post_deleted_on_facebook_is_skipped_and_the_others_still_counted(meta, page, publish):
    message = publish(page)
    outbox.drain()
    done = deliveries(message)
    with meta.lock:
        meta.posts = [p for p in meta.posts if p.id != done["sv"].external_id]
    meta.set_metrics(done["fi"].external_id, impressions=12)

    assert metrics.collect([d.pk for d in done.values()]) == 1
    assert list(DeliveryMetric.objects.values_list("delivery__language", "impressions")) == [("fi", 12)]


def test_a_rate_limit_while_collecting_puts_the_round_off_until_meta_allows_it(meta, page, publish):
    message = publish(page)
    outbox.drain()
    done = deliveries(message)
    meta.throttle(code=32, regain_minutes=30, times=4, method="GET")
    now = timezone.now()

    assert metrics.collect([d.pk for d in done.values()], now=now) == 0
    for delivery in done.values():
        delivery.refresh_from_db()
        assert (delivery.metrics_due_at - now).total_seconds() >= 30 * 60
    assert not DeliveryMetric.objects.exists()
