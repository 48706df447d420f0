"""Expired sessions, refused refreshes, rate limits, lost answers and crashes: never a lost or doubled post."""

import time
from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.utils import timezone

from kanava.channels.models import Channel
from kanava.channels.social.health import check_channel, health_of
from kanava.core.models import Alert
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, Variant

from .conftest import make_due
from .test_text import long_text

pytestmark = pytest.mark.outbox


def refresh_session(bluesky, refresh_jwt) -> httpx.Response:
    return httpx.post(f"{bluesky.url}/xrpc/com.atproto.server.refreshSession",
                      headers={"Authorization": f"Bearer {refresh_jwt}"})


def test_an_access_jwt_about_to_run_out_is_refreshed_before_posting_and_the_rotated_refresh_jwt_is_kept(
        bluesky, channel, publish):
    session = bluesky.issue_session("kanavala", access_lifetime=120)
    channel.secrets = {**channel.secrets, "access_token": session["accessJwt"], "refresh_token": session["refreshJwt"]}
    channel.token_expires_at = timezone.now() + timedelta(seconds=120)
    channel.save()
    publish(channel)

    outbox.drain()

    channel.refresh_from_db()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert len(bluesky.requests_to("POST", r"refreshSession$")) == 1
    assert channel.secrets["refresh_token"] != session["refreshJwt"]
    assert channel.secrets["access_token"] != session["accessJwt"]
    assert {r.bearer() for r in bluesky.requests_to("POST", r"createRecord$")} == {channel.secrets["access_token"]}
    assert channel.token_expires_at > timezone.now() + timedelta(minutes=110)
    assert channel.refresh_expires_at > timezone.now() + timedelta(days=80)
    answer = refresh_session(bluesky, session["refreshJwt"])  # rotated: the old one is spent
    assert (answer.status_code, answer.json()["error"]) == (400, "ExpiredToken")
    assert refresh_session(bluesky, channel.secrets["refresh_token"]).status_code == 200


def test_a_session_the_sdk_refreshes_by_itself_is_kept_with_its_rotated_refresh_jwt(bluesky, channel, publish):
    session = bluesky.issue_session("kanavala", access_lifetime=300)  # the SDK refreshes 15 min ahead
    channel.secrets = {**channel.secrets, "access_token": session["accessJwt"], "refresh_token": session["refreshJwt"]}
    channel.token_expires_at = None  # Kanava does not know when it runs out
    channel.save()
    publish(channel)

    outbox.drain()

    channel.refresh_from_db()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert len(bluesky.requests_to("POST", r"refreshSession$")) == 1
    assert channel.secrets["refresh_token"] != session["refreshJwt"]
    assert refresh_session(bluesky, channel.secrets["refresh_token"]).status_code == 200
    assert channel.token_expires_at > timezone.now() + timedelta(minutes=110)


def test_an_access_jwt_bluesky_calls_expired_early_is_refreshed_once_and_the_post_goes_out(
        bluesky, channel, publish):
    old = channel.secrets["access_token"]
    bluesky.expire_tokens("kanavala")  # Kanava still believes it has two hours
    publish(channel)

    outbox.drain()

    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert len(bluesky.requests_to("POST", r"refreshSession$")) == 1
    assert len(bluesky.posts) == 2
    creates = bluesky.requests_to("POST", r"createRecord$")
    assert [r.bearer() == old for r in creates] == [True, False, False]  # refused once, then one per language


def test_a_refused_refresh_fails_the_delivery_for_good_and_asks_the_lead_to_reconnect(bluesky, channel, publish):
    bluesky.revoke_tokens("kanavala")  # the app password was deleted in Bluesky's settings
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=timezone.now() + timedelta(minutes=5))
    message = publish(channel)

    outbox.drain()

    delivery = Delivery.objects.get(message=message, language="fi")
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert "reconnect it on the Connections page" in delivery.last_error
    assert bluesky.posts == []
    channel.refresh_from_db()
    assert health_of(channel).status in ("broken", "expired")
    assert Alert.objects.filter(organisation=channel.organisation, text__contains="reconnect").exists()
    assert any("reconnect" in m.body for m in mail.outbox)


def test_a_429_with_ratelimit_reset_pauses_the_channel_and_waits_until_the_reset(bluesky, channel, publish):
    reset = int(time.time()) + 900
    bluesky.fail_next(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, path=r"createRecord$",
                      headers={"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset),
                               "ratelimit-policy": "5000;w=3600"})
    message = publish(channel)

    outbox.drain()

    deliveries = Delivery.objects.filter(message=message)
    assert set(deliveries.values_list("state", flat=True)) == {"pending"}
    assert all(d.next_attempt_at.timestamp() >= reset - 5 for d in deliveries)
    channel.refresh_from_db()
    assert abs(channel.paused_until.timestamp() - reset) < 5
    assert health_of(channel).status == "paused"
    assert len(bluesky.requests_to("POST", r"createRecord$")) == 1  # the other language waited without asking

    Channel.objects.filter(pk=channel.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    make_due(message)
    outbox.drain()
    assert set(deliveries.values_list("state", flat=True)) == {"delivered"}
    assert len(bluesky.posts) == 2


def test_using_up_the_write_budget_pauses_the_channel_before_bluesky_has_to_refuse(bluesky, channel, publish):
    bluesky.write_points_per_hour = 6  # two posts
    publish(channel)

    outbox.drain()

    channel.refresh_from_db()
    assert len(bluesky.posts) == 2
    assert channel.paused_until > timezone.now() + timedelta(minutes=55)


def test_a_dropped_answer_after_create_record_leaves_exactly_one_post_after_the_retry(bluesky, channel, publish):
    bluesky.fail_next(drop=True, path=r"createRecord$")  # the post is made, the answer never comes
    message = publish(channel, versions={"fi": {"title": "Yksi", "body": "Vain kerran."},
                                         "sv": {"title": "En", "body": "Bara en gång."}})

    outbox.drain()
    dropped = Delivery.objects.get(message=message, state="pending")
    assert "did not answer" in dropped.last_error
    make_due(message)
    outbox.drain()

    dropped.refresh_from_db()
    assert (dropped.state, dropped.attempts) == ("delivered", 2)
    assert len(bluesky.posts) == 2
    assert sorted(post.langs[0] for post in bluesky.posts) == ["fi", "sv"]
    assert dropped.external_id in {post.uri for post in bluesky.posts}
    assert len(bluesky.requests_to("POST", r"createRecord$")) == 2  # found by its record key, not posted again
    assert bluesky.requests_to("GET", r"getRecord$")


def test_after_a_crash_the_part_that_went_out_is_found_and_the_thread_resumes_after_it(
        bluesky, channel, publish, cast):
    message = publish(channel, texts={"fi": long_text(650), "sv": "Kort."}, thread=True)
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message, language="fi")
    # A worker took the delivery, posted the first part and died before writing it down.
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_by="dead-worker", attempts=1,
                                                   claimed_at=timezone.now() - timedelta(hours=1))
    delivery.refresh_from_db()
    adapter = channel.adapter
    variant = Variant.objects.get(message=message, channel=channel, language="fi")
    went_out = adapter.post(adapter.outgoing(delivery, variant)[0])

    assert outbox.recover(delivery) == "pending"
    delivery.refresh_from_db()
    assert [part["id"] for part in delivery.detail["parts"]] == [went_out.id]
    outbox.drain()

    delivery.refresh_from_db()
    first, second, third = [post for post in bluesky.posts if post.langs == ["fi"]]
    assert delivery.state == "delivered" and first.uri == went_out.id
    assert (second.reply_to, third.reply_to, third.root) == (first.uri, second.uri, first.uri)
    assert len(bluesky.requests_to("POST", r"createRecord$")) == 4  # three parts and the Swedish post


def test_after_a_crash_a_single_post_that_went_out_is_recorded_as_delivered(bluesky, channel, publish):
    message = publish(channel)
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message, language="sv")
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_by="dead-worker", attempts=1,
                                                   claimed_at=timezone.now() - timedelta(hours=1))
    delivery.refresh_from_db()
    adapter = channel.adapter
    variant = Variant.objects.get(message=message, channel=channel, language="sv")
    went_out = adapter.post(adapter.outgoing(delivery, variant)[0])

    assert outbox.recover(delivery) == "delivered"

    delivery.refresh_from_db()
    assert (delivery.external_id, delivery.url) == (went_out.id, went_out.url)
    assert delivery.metrics_due_at is not None
    assert len(bluesky.posts) == 1


def test_the_health_check_asks_who_we_are_and_finds_a_revoked_session_before_a_post_breaks(bluesky, channel):
    assert check_channel(channel).status == "ok"
    assert bluesky.requests_to("GET", r"getSession$")

    bluesky.revoke_tokens("kanavala")
    health = check_channel(Channel.objects.get(pk=channel.pk))

    assert health.status == "broken"
    assert "reconnect" in health.headline
