"""X's rate limits: 429 with x-rate-limit-reset, and the remaining count on every answer."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.models import Channel
from kanava.channels.social.health import PAUSED, health_of
from kanava.channels.x.tests.conftest import make_due
from kanava.publishing import outbox
from kanava.publishing.models import Delivery

pytestmark = pytest.mark.outbox

FIRST = {"fi": {"title": "Kirjasto", "body": "Kirjasto on kiinni maanantaina."}}
SECOND = {"fi": {"title": "Uimahalli", "body": "Uimahalli on auki tiistaina."}}


def test_a_429_waits_until_xs_reset_time_and_pauses_the_channel(cast, x_server, x_channel, publish, finnish_only):
    before = timezone.now()
    x_server.throttle(reset_in=600)
    message = publish(x_channel, versions=FIRST)
    outbox.drain()

    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at >= before + timedelta(seconds=590)
    assert "slow down" in delivery.last_error
    x_channel.refresh_from_db()
    assert before + timedelta(seconds=590) <= x_channel.paused_until <= before + timedelta(seconds=610)
    assert health_of(x_channel).status == PAUSED
    assert x_server.posts == []

    # Another message meanwhile waits without asking X.
    other = publish(x_channel, versions=SECOND)
    outbox.drain()
    assert Delivery.objects.get(message=other).state == "pending"
    assert len(x_server.requests_to("POST", r"^/2/tweets$")) == 1

    # After the reset both go out, once each.
    Channel.objects.filter(pk=x_channel.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    make_due(message)
    make_due(other)
    outbox.drain()
    assert set(Delivery.objects.filter(message__in=[message, other]).values_list("state", flat=True)) == {
        "delivered"}
    assert len(x_server.posts) == 2


def test_the_last_request_of_a_window_pauses_the_channel_until_the_reset(
        cast, x_server, x_channel, publish, finnish_only):
    x_server.rate_limits["tweets.create"] = 1
    message = publish(x_channel, versions=FIRST)
    outbox.drain()

    assert Delivery.objects.get(message=message).state == "delivered"
    assert len(x_server.requests_to("POST", r"^/2/tweets$")) == 1
    x_channel.refresh_from_db()
    assert x_channel.paused_until is not None
    assert abs(x_channel.paused_until.timestamp() - (time.time() + 900)) < 30
    other = publish(x_channel, versions=SECOND)
    outbox.drain()
    assert Delivery.objects.get(message=other).state == "pending"
    assert len(x_server.posts) == 1, "no request was spent on a certain 429"


def test_the_daily_cap_on_posts_waits_until_its_own_reset(cast, x_server, x_channel, publish, finnish_only):
    x_server.daily_limits["user"] = 1
    first = publish(x_channel, versions=FIRST)
    outbox.drain()
    assert Delivery.objects.get(message=first).state == "delivered"
    Channel.objects.filter(pk=x_channel.pk).update(paused_until=None)  # a person looked and resumed

    second = publish(x_channel, versions=SECOND)
    before = timezone.now()
    outbox.drain()
    assert len(x_server.requests_to("POST", r"^/2/tweets$")) == 2
    delivery = Delivery.objects.get(message=second)
    assert delivery.state == "pending"
    assert delivery.next_attempt_at >= before + timedelta(hours=23, minutes=55), "not the 15-minute window's reset"
    x_channel.refresh_from_db()
    assert x_channel.paused_until >= before + timedelta(hours=23, minutes=55)
    assert len(x_server.posts) == 1
