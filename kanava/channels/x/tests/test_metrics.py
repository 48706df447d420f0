"""Reach figures: X's public_metrics, 100 posts a request."""

import uuid
from datetime import timedelta

from django.utils import timezone

from kanava.channels.social import metrics
from kanava.publishing import actions
from kanava.publishing.models import Delivery, DeliveryMetric


def delivered(cast, actor_of, channel, posts):
    """One delivered delivery per post (as if each had gone out an hour ago)."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[channel],
                                        versions={"fi": {"title": "Tiedote", "body": "Tiedote."}})
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.bulk_create([
        Delivery(organisation=cast.org, message=message, channel=channel, language="fi", batch=i,
                 idempotency_key=uuid.uuid4().hex, state=Delivery.State.DELIVERED, external_id=post.id,
                 delivered_at=an_hour_ago, metrics_due_at=an_hour_ago,
                 detail={"parts": [{"id": post.id, "url": "", "extra": {}}]})
        for i, post in enumerate(posts)])
    return list(Delivery.objects.filter(message=message).order_by("batch"))


def test_figures_for_250_posts_take_three_requests(cast, actor_of, x_server, x_channel):
    posts = [x_server.add_post(f"Tiedote numero {i}") for i in range(250)]
    for i, post in enumerate(posts):
        x_server.set_metrics(post.id, impressions=1000 + i, reactions=i, comments=i % 7, shares=2, quotes=1,
                             bookmarks=5)
    deliveries = delivered(cast, actor_of, x_channel, posts)

    stored = metrics.collect([d.pk for d in deliveries])

    assert stored == 250
    lookups = x_server.requests_to("GET", r"^/2/tweets$")
    assert [len(r.query["ids"].split(",")) for r in lookups] == [100, 100, 50]
    assert all(r.query["tweet.fields"] == "public_metrics" for r in lookups)
    point = DeliveryMetric.objects.get(delivery=deliveries[42])
    assert (point.impressions, point.reactions, point.comments, point.shares) == (1042, 42, 0, 3)
    assert point.raw["bookmark_count"] == 5
    delivery = Delivery.objects.get(pk=deliveries[249].pk)
    assert delivery.metrics["impressions"] == 1249 and delivery.metrics["shares"] == 3
    assert delivery.metrics_rounds == 1 and delivery.metrics_due_at > timezone.now()


def test_a_post_deleted_on_x_gets_no_figures_and_the_others_still_do(cast, actor_of, x_server, x_channel):
    kept = x_server.add_post("Tämä jää.")
    gone = x_server.add_post("Tämä poistetaan.")
    x_server.set_metrics(kept.id, impressions=12, reactions=3)
    deliveries = delivered(cast, actor_of, x_channel, [kept, gone])
    with x_server.lock:
        x_server.posts.remove(gone)

    assert metrics.collect([d.pk for d in deliveries]) == 1
    assert DeliveryMetric.objects.filter(delivery=deliveries[0], impressions=12, reactions=3).exists()
    assert not DeliveryMetric.objects.filter(delivery=deliveries[1]).exists()


def test_a_rate_limited_metrics_round_waits_until_xs_reset(cast, actor_of, x_server, x_channel):
    post = x_server.add_post("Tiedote.")
    deliveries = delivered(cast, actor_of, x_channel, [post])
    x_server.throttle(reset_in=900, path=r"^/2/tweets$", method="GET")
    before = timezone.now()

    assert metrics.collect([d.pk for d in deliveries]) == 0
    delivery = Delivery.objects.get(pk=deliveries[0].pk)
    assert delivery.metrics_due_at >= before + timedelta(seconds=890)
    assert DeliveryMetric.objects.count() == 0
