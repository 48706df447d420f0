"""What Mastodon's refusals, rate limits, errors and lost answers do to a delivery: nothing is posted twice."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kanava.channels.models import Channel
from kanava.channels.social.adapter import Outgoing, Progress
from kanava.channels.social.health import check_channel, health_of
from kanava.core.models import Alert
from kanava.publishing import outbox
from kanava.publishing.models import Delivery, Variant

from .conftest import deliveries, long_text, make_due

pytestmark = pytest.mark.outbox

STATUSES = r"^/api/v1/statuses$"


def drain() -> None:
    with translation.override("en"):
        outbox.drain()


def test_a_revoked_token_fails_at_once_asks_for_a_reconnect_and_marks_the_channel_broken(
        mastodon, channel, publish, cast):
    mastodon.revoke_tokens("kanavala")
    message = publish(channel)
    drain()

    for delivery in deliveries(message).values():
        assert (delivery.state, delivery.attempts) == ("failed", 1)
        assert delivery.last_error == ("The Mastodon connection no longer works (it was revoked or its password "
                                       "changed): reconnect it on the Connections page.")
    channel.refresh_from_db()
    health = health_of(channel)
    assert health.status == "broken" and health.needs_reconnect
    assert mastodon.posts == []
    assert Alert.objects.filter(organisation=cast.org, text__contains=channel.name).exists()


def test_a_rate_limit_pauses_the_channel_until_mastodons_reset_time_and_nothing_is_posted_twice(
        mastodon, channel, publish):
    mastodon.throttle(reset_in=600, path=STATUSES, method="POST")
    before = timezone.now()
    message = publish(channel)
    drain()

    waiting = deliveries(message)
    assert {d.state for d in waiting.values()} == {"pending"}
    assert all(d.next_attempt_at >= before + timedelta(seconds=590) for d in waiting.values())
    assert sorted("slow down" in d.last_error for d in waiting.values()) == [False, True]
    channel.refresh_from_db()
    assert before + timedelta(seconds=590) <= channel.paused_until <= timezone.now() + timedelta(seconds=601)
    assert health_of(channel).status == "paused"
    assert mastodon.posts == [] and len(mastodon.requests_to("POST", STATUSES)) == 1

    make_due(message)  # due, but the pause is not over: nothing is sent
    drain()
    assert {d.state for d in deliveries(message).values()} == {"pending"}
    assert len(mastodon.requests_to("POST", STATUSES)) == 1

    Channel.objects.filter(pk=channel.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    make_due(message)
    drain()
    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert sorted(p.language for p in mastodon.posts) == ["fi", "sv"]


def test_a_server_error_is_retried_and_the_status_goes_out_once(mastodon, channel, publish):
    mastodon.fail_next(500, path=STATUSES, method="POST")
    message = publish(channel)
    drain()

    states = {d.state for d in deliveries(message).values()}
    assert states == {"pending", "delivered"}
    failed = next(d for d in deliveries(message).values() if d.state == "pending")
    assert "error 500" in failed.last_error and failed.attempts == 1
    make_due(message)
    drain()
    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert sorted(p.language for p in mastodon.posts) == ["fi", "sv"]


def test_a_status_accepted_before_the_connection_dropped_is_found_on_retry_not_posted_again(
        mastodon, channel, publish):
    mastodon.fail_next(path=STATUSES, method="POST", drop=True)
    message = publish(channel)
    drain()

    unanswered = next(d for d in deliveries(message).values() if d.state == "pending")
    assert "did not answer" in unanswered.last_error
    assert len(mastodon.posts) == 2, "the server made the status although the answer was lost"
    make_due(message)
    drain()

    unanswered.refresh_from_db()
    made = next(p for p in mastodon.posts if p.language == unanswered.language)
    assert unanswered.state == "delivered" and unanswered.external_id == made.id
    assert sorted(p.language for p in mastodon.posts) == ["fi", "sv"]
    assert len(mastodon.requests_to("POST", STATUSES)) == 2, "found among the account's statuses, not posted again"
    assert mastodon.requests_to("GET", r"^/api/v1/accounts/\d+/statuses$")


def test_posting_a_part_again_with_its_idempotency_key_gives_back_the_first_status(mastodon, channel):
    adapter = channel.adapter
    part = Outgoing(text="Kirjasto on auki.", index=0, total=1, key="viesti-7-fi-0", language="fi")

    first, again = adapter.post(part), adapter.post(part)

    assert first.id == again.id and len(mastodon.posts) == 1
    other = adapter.post(Outgoing(text="Kirjasto on auki.", index=0, total=1, key="viesti-8-fi-0", language="fi"))
    assert other.id != first.id and len(mastodon.posts) == 2


def test_a_thread_that_failed_at_its_second_part_resumes_there_without_posting_the_first_again(
        mastodon, channel, publish):
    mastodon.fail_next(200, path=STATUSES, method="POST")  # the first part goes through
    mastodon.fail_next(503, path=STATUSES, method="POST")  # the second does not
    message = publish(channel, texts={"fi": long_text(120), "sv": "Se den finska tråden."}, thread=True)
    drain()

    delivery = deliveries(message)["fi"]
    assert delivery.state == "pending" and len(delivery.detail["parts"]) == 1
    first = delivery.detail["parts"][0]["id"]
    make_due(message)
    drain()

    delivery.refresh_from_db()
    thread = [p for p in mastodon.posts if p.language == "fi"]
    assert delivery.state == "delivered" and len(thread) >= 3
    assert thread[0].id == first and [p.text for p in thread].count(thread[0].text) == 1
    assert [p.in_reply_to_id for p in thread] == [None] + [p.id for p in thread[:-1]]
    assert [part["id"] for part in delivery.detail["parts"]] == [p.id for p in thread]


def test_after_a_crash_the_parts_that_went_out_are_found_and_the_thread_goes_on_after_them(
        mastodon, channel, publish):
    message = publish(channel, texts={"fi": long_text(120), "sv": "Se den finska tråden."}, thread=True)
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message, language="fi")
    assert outbox.claim(delivery.pk)
    # The worker posted two parts, wrote down only the first, and died.
    delivery.refresh_from_db()
    adapter = channel.adapter
    parts = adapter.outgoing(delivery, Variant.objects.get(message=message, channel=channel, language="fi"))
    first = adapter.post(parts[0])
    Progress(delivery).add(first)
    parts[1].reply_to = parts[1].root = first
    second = adapter.post(parts[1])
    Delivery.objects.filter(pk=delivery.pk).update(claimed_by="dead-worker",
                                                   claimed_at=timezone.now() - timedelta(minutes=5))
    delivery.refresh_from_db()

    assert outbox.recover(delivery) == "pending"
    delivery.refresh_from_db()
    assert [part["id"] for part in delivery.detail["parts"]] == [first.id, second.id]
    drain()

    delivery.refresh_from_db()
    thread = [p for p in mastodon.posts if p.language == "fi"]
    assert delivery.state == "delivered" and len(thread) == len(parts)
    assert [p.id for p in thread[:2]] == [first.id, second.id]
    assert [p.in_reply_to_id for p in thread] == [None] + [p.id for p in thread[:-1]]
    assert len({p.text for p in thread}) == len(thread)


def test_after_a_crash_a_status_that_never_arrived_is_posted_and_one_that_did_is_not(mastodon, channel, publish):
    message = publish(channel)
    outbox.fan_out(message.pk)
    fi, sv = (Delivery.objects.get(message=message, language=language) for language in ("fi", "sv"))
    for delivery in (fi, sv):
        assert outbox.claim(delivery.pk)
    adapter = channel.adapter
    fi.refresh_from_db()
    made = adapter.post(adapter.outgoing(fi, Variant.objects.get(message=message, channel=channel,
                                                                 language="fi"))[0])
    Delivery.objects.filter(pk__in=[fi.pk, sv.pk]).update(claimed_by="dead-worker",
                                                          claimed_at=timezone.now() - timedelta(minutes=5))

    assert [outbox.recover(Delivery.objects.get(pk=d.pk)) for d in (fi, sv)] == ["delivered", "pending"]
    drain()

    fi.refresh_from_db()
    assert fi.external_id == made.id and fi.url == made.url
    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert sorted(p.language for p in mastodon.posts) == ["fi", "sv"]


def test_a_status_the_server_refuses_fails_with_the_servers_reason_and_is_not_retried(mastodon, channel, publish):
    mastodon.max_characters = 1000
    check_channel(channel)
    message = publish(channel, texts={"fi": long_text(70)})
    mastodon.max_characters = 500  # the administrator lowered the limit after the message was approved
    drain()

    delivery = deliveries(message)["fi"]
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "Mastodon rejected the post: Validation failed: Text character limit of 500 exceeded"
    assert [p.language for p in mastodon.posts] == ["sv"]
