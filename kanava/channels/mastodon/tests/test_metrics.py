"""Reach figures of published statuses: favourites, boosts and replies, kept as a time series."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from kanava.channels.social import metrics
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, DeliveryMetric

from .conftest import deliveries, long_text

pytestmark = pytest.mark.outbox


def reply_as_resident(mastodon, status_id: str) -> None:
    """Someone on Mastodon answers the post, through the API as their own app would."""
    token = mastodon.issue_token("asukas")
    answer = requests.post(f"{mastodon.url}/api/v1/statuses", timeout=10, headers={"Authorization": f"Bearer {token}"},
                           data={"status": "Kiitos tiedosta!", "in_reply_to_id": status_id})
    assert answer.status_code == 200 and answer.json()["in_reply_to_id"] == status_id


def test_favourites_boosts_and_replies_are_stored_as_reactions_shares_and_comments(mastodon, channel, publish):
    message = publish(channel, texts={"fi": long_text(120), "sv": "Vattnet är avstängt på tisdag."}, thread=True)
    outbox.drain()
    done = deliveries(message)
    assert done["fi"].metrics_due_at and done["fi"].metrics_due_at > timezone.now() + timedelta(minutes=50)
    mastodon.set_metrics(done["fi"].external_id, favourites_count=12, reblogs_count=3)
    reply_as_resident(mastodon, done["fi"].external_id)
    mastodon.set_metrics(done["sv"].external_id, reactions=4, shares=1, comments=2)

    assert metrics.collect([d.pk for d in done.values()]) == 2

    points = {p.delivery.language: p for p in DeliveryMetric.objects.select_related("delivery")}
    finnish, swedish = points["fi"], points["sv"]
    assert (finnish.impressions, finnish.reactions, finnish.shares, finnish.comments) == (None, 12, 3, 1), \
        "the thread's own second part is not a comment"
    assert finnish.raw == {"favourites_count": 12, "reblogs_count": 3, "replies_count": 2}
    assert (swedish.impressions, swedish.reactions, swedish.shares, swedish.comments) == (None, 4, 1, 2)
    fi = Delivery.objects.get(pk=done["fi"].pk)
    assert fi.metrics_rounds == 1 and fi.metrics["reactions"] == 12
    assert len(mastodon.requests_to("GET", r"^/api/v1/statuses/\d+$")) == 2


def test_a_deleted_status_is_left_out_and_the_others_get_a_new_point_in_the_series(mastodon, channel, publish):
    message = publish(channel)
    outbox.drain()
    done = deliveries(message)
    mastodon.set_metrics(done["fi"].external_id, favourites_count=1)
    metrics.collect([d.pk for d in done.values()])
    mastodon.set_metrics(done["fi"].external_id, favourites_count=5)
    mastodon.delete(done["sv"].external_id)

    assert metrics.collect([d.pk for d in done.values()]) == 1

    series = list(DeliveryMetric.objects.filter(delivery=done["fi"]).order_by("pk").values_list("reactions", flat=True))
    assert series == [1, 5]
    assert DeliveryMetric.objects.filter(delivery=done["sv"]).count() == 1


def test_a_revoked_connection_postpones_the_figures_instead_of_losing_them(mastodon, channel, publish):
    message = publish(channel)
    outbox.drain()
    mastodon.revoke_tokens()
    done = deliveries(message)

    assert metrics.collect([d.pk for d in done.values()]) == 0

    assert not DeliveryMetric.objects.exists()
    for delivery in Delivery.objects.filter(message=message):
        assert delivery.metrics_due_at > timezone.now() + timedelta(hours=5)
    channel.refresh_from_db()
    assert "reconnect" in channel.last_error
