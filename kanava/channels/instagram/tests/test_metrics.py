"""Reach and engagement of Instagram posts, kept as a time series."""

import pytest

from kanava.channels.facebook.tests.conftest import deliveries, jpeg
from kanava.channels.social import metrics
from kanava.publishing import outbox
from kanava.publishing.models import DeliveryMetric

pytestmark = pytest.mark.outbox


def test_views_likes_comments_and_shares_are_stored_as_a_point_in_time(meta, account, publish):
    message = publish(account, images=[("puisto.jpg", jpeg(), {"fi": "Puisto", "sv": "Parken"})])
    outbox.drain()
    done = deliveries(message)
    meta.set_metrics(done["fi"].external_id, views=2400, likes=130, comments=12, shares=9)

    assert metrics.collect([d.pk for d in done.values()]) == 2

    finnish = DeliveryMetric.objects.get(delivery=done["fi"])
    assert (finnish.impressions, finnish.reactions, finnish.comments, finnish.shares) == (2400, 130, 12, 9)
    assert finnish.raw["views"] == 2400
    swedish = DeliveryMetric.objects.get(delivery=done["sv"])
    assert (swedish.impressions, swedish.reactions) == (0, 0)
    asked = meta.requests_to("GET", r"/insights$")
    assert {r.query["metric"] for r in asked} == {"views,likes,comments,shares"}
