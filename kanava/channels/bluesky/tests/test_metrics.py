"""Reach: likes, reposts and quotes, replies, fetched 25 posts at a time and kept as a time series."""

import pytest

from kanava.channels.social import metrics
from kanava.channels.social.adapter import PostRef
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, DeliveryMetric

pytestmark = pytest.mark.outbox


def test_likes_reposts_quotes_and_replies_are_stored_as_a_time_series(bluesky, channel, publish):
    message = publish(channel)
    outbox.drain()
    fi = Delivery.objects.get(message=message, language="fi")
    sv = Delivery.objects.get(message=message, language="sv")
    assert fi.metrics_due_at is not None
    bluesky.set_metrics(fi.external_id, likeCount=7, repostCount=2, quoteCount=1, replyCount=3)

    assert metrics.collect([fi.pk, sv.pk]) == 2
    bluesky.set_metrics(fi.external_id, likeCount=12)
    assert metrics.collect([fi.pk]) == 1

    points = list(DeliveryMetric.objects.filter(delivery=fi).order_by("fetched_at", "pk"))
    assert [(p.impressions, p.reactions, p.shares, p.comments) for p in points] == [
        (None, 7, 3, 3), (None, 12, 3, 3)]
    assert points[0].raw == {"likeCount": 7, "repostCount": 2, "replyCount": 3, "quoteCount": 1}
    fi.refresh_from_db()
    assert (fi.metrics["reactions"], fi.metrics["shares"], fi.metrics["impressions"]) == (12, 3, None)
    assert DeliveryMetric.objects.get(delivery=sv).reactions == 0
    assert len(bluesky.requests_to("GET", r"getPosts$")) == 2  # both languages in one request, then one


def test_figures_for_many_posts_are_asked_25_at_a_time(bluesky, channel):
    posts = [bluesky.add_post("kanavala", f"Tiedote {i}") for i in range(30)]
    for i, post in enumerate(posts):
        bluesky.set_metrics(post.uri, likes=i)

    found = channel.adapter.fetch_metrics_for([PostRef(id=post.uri) for post in posts])

    assert {uri: m.reactions for uri, m in found.items()} == {post.uri: i for i, post in enumerate(posts)}
    assert [len(r.query_lists["uris"]) for r in bluesky.requests_to("GET", r"getPosts$")] == [25, 5]


def test_a_post_bluesky_no_longer_has_is_left_out(bluesky, channel):
    kept = bluesky.add_post("kanavala", "Tämä jää.")
    gone = f"at://{kept.did}/app.bsky.feed.post/3kgonegonegon"

    found = channel.adapter.fetch_metrics_for([PostRef(id=kept.uri), PostRef(id=gone)])

    assert list(found) == [kept.uri]
