"""Reach figures on a schedule: handed out once, fetched from the platform, kept as a time series."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kanava.channels.social import metrics
from kanava.channels.social.adapter import Outgoing
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery, DeliveryMetric
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer

FINNISH = {"fi": {"title": "Kirjasto", "body": "Kirjasto on kiinni maanantaina."}}


@pytest.fixture
def mastodon():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def channel(cast, mastodon):
    cast.org.required_languages = ["fi"]
    cast.org.save(update_fields=["required_languages"])
    return make_channel(cast.org, "mastodon", "Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets(), account_name="@kanavala")


def posted(cast, actor_of, channel, count: int, delivered_ago=timedelta(hours=1)) -> list[Delivery]:
    """``count`` statuses really posted on the server, each a delivered Delivery as the outbox leaves it."""
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=FINNISH, channels=[channel])
    adapter = channel.adapter
    delivered_at = timezone.now() - delivered_ago
    rows = []
    for batch in range(count):
        ref = adapter.post(Outgoing(text=f"Tiedote {batch}", index=0, total=1, key=uuid.uuid4().hex, language="fi"))
        rows.append(Delivery(organisation=cast.org, message=message, channel=channel, language="fi", batch=batch,
                             idempotency_key=uuid.uuid4().hex, state=Delivery.State.DELIVERED, external_id=ref.id,
                             url=ref.url, delivered_at=delivered_at,
                             metrics_due_at=metrics.first_due(adapter, delivered_at),
                             detail={"parts": [ref.as_json()]}))
    Delivery.objects.bulk_create(rows)
    return list(Delivery.objects.filter(message=message).order_by("batch"))


def due_rows(cast, channel, count: int) -> list[int]:
    """``count`` delivered posts due for figures (their ids need not exist: nothing asks the platform)."""
    message = actions.do_create_message(_actor(cast), cast.org, versions=FINNISH, channels=[channel])
    moment = timezone.now() - timedelta(hours=2)
    Delivery.objects.bulk_create([
        Delivery(organisation=cast.org, message=message, channel=channel, language="fi", batch=i,
                 idempotency_key=uuid.uuid4().hex, state=Delivery.State.DELIVERED, delivered_at=moment,
                 metrics_due_at=moment + timedelta(hours=1), detail={"parts": [{"id": str(i), "url": ""}]})
        for i in range(count)])
    return list(Delivery.objects.filter(message=message).values_list("pk", flat=True))


def _actor(cast):
    from kanava.core.audit import Actor

    return Actor(person=cast.editor, ip_address="192.0.2.10")


def handed_out() -> list[list[int]]:
    """The chunks given to the collect task, in the order they were enqueued."""
    return [row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(
        task_path="kanava.publishing.tasks.collect_metrics").order_by("enqueued_at", "id")]


# Not an outbox test for the RQ run: it reads the handed-out chunks from the database task backend.
def test_a_published_post_is_asked_1_hour_6_hours_1_3_and_7_days_after_and_then_never(
        cast, actor_of, mastodon, channel, django_capture_on_commit_callbacks):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=FINNISH, channels=[channel])
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == Delivery.State.DELIVERED
    published = delivery.delivered_at
    assert delivery.metrics_due_at == published + timedelta(hours=1)

    offsets = [timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=3), timedelta(days=7)]
    for round_, offset in enumerate(offsets, start=1):
        now = published + offset
        assert metrics.schedule_due(now - timedelta(seconds=1)) == 0, "not before its time"
        mastodon.set_metrics(delivery.external_id, favourites_count=round_ * 10, reblogs_count=round_)
        with django_capture_on_commit_callbacks(execute=True):
            assert metrics.schedule_due(now) == 1
        assert handed_out()[-1] == [delivery.pk]
        assert metrics.collect([delivery.pk], now) == 1
        delivery.refresh_from_db()
        assert delivery.metrics_rounds == round_
        following = offsets[round_] if round_ < len(offsets) else None
        assert delivery.metrics_due_at == (published + following if following else None)

    assert metrics.schedule_due(published + timedelta(days=60)) == 0
    series = list(DeliveryMetric.objects.filter(delivery=delivery).order_by("fetched_at")
                  .values_list("reactions", "shares", "impressions"))
    assert series == [(10, 1, None), (20, 2, None), (30, 3, None), (40, 4, None), (50, 5, None)]
    assert delivery.metrics["reactions"] == 50 and delivery.metrics["impressions"] is None


def test_each_fetch_is_a_point_in_the_series_and_the_latest_is_kept_on_the_delivery(cast, actor_of, mastodon,
                                                                                     channel):
    (delivery,) = posted(cast, actor_of, channel, 1)
    now = timezone.now()
    mastodon.set_metrics(delivery.external_id, favourites=3, reblogs=1, replies=0)
    metrics.collect([delivery.pk], now)
    mastodon.set_metrics(delivery.external_id, favourites=8, reblogs=2, replies=1)
    metrics.collect([delivery.pk], now + timedelta(hours=5))

    points = list(DeliveryMetric.objects.filter(delivery=delivery).order_by("fetched_at"))
    assert [(p.reactions, p.shares, p.comments) for p in points] == [(3, 1, 0), (8, 2, 1)]
    assert points[1].fetched_at - points[0].fetched_at == timedelta(hours=5)
    delivery.refresh_from_db()
    assert (delivery.metrics["reactions"], delivery.metrics["comments"]) == (8, 1)
    assert delivery.metrics["fetched_at"] == (now + timedelta(hours=5)).isoformat()
    assert metrics.totals([delivery]) == {"impressions": None, "reactions": 8, "comments": 1, "shares": 2}


def test_due_posts_are_handed_out_in_chunks_and_not_again_while_leased(cast, channel,
                                                                       django_capture_on_commit_callbacks):
    ids = due_rows(cast, channel, 450)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert metrics.schedule_due(now) == 450
        assert metrics.schedule_due(now) == 0

    chunks = handed_out()
    assert [len(chunk) for chunk in chunks] == [200, 200, 50]
    assert sorted(i for chunk in chunks for i in chunk) == sorted(ids)
    leased = set(Delivery.objects.filter(pk__in=ids).values_list("metrics_due_at", flat=True))
    assert all(now + metrics.LEASE <= moment < now + metrics.LEASE + timedelta(seconds=1) for moment in leased)

    # The task was lost (its worker died): after the lease the posts are handed out again.
    later = now + metrics.LEASE + timedelta(seconds=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert metrics.schedule_due(later) == 450


def test_two_sweeps_at_once_never_hand_out_a_post_twice(transactional_db, cast, channel):
    ids = due_rows(cast, channel, 900)
    now = timezone.now()
    start = threading.Barrier(2)
    counts, failures = [], []

    def sweep():
        try:
            start.wait()
            counts.append(metrics.schedule_due(now))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            connection.close()

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join(timeout=60)

    assert failures == []
    handed = [i for chunk in handed_out() for i in chunk]
    assert sorted(handed) == sorted(ids), "every post once, none twice"
    assert sum(counts) == len(ids)


def test_a_rate_limited_fetch_waits_as_long_as_the_platform_asked_and_is_not_a_round(cast, actor_of, mastodon,
                                                                                     channel):
    deliveries = posted(cast, actor_of, channel, 2)
    mastodon.throttle(reset_in=1800, times=5, path=r"^/api/v1/statuses/")
    now = timezone.now()

    assert metrics.collect([d.pk for d in deliveries], now) == 0

    for delivery in deliveries:
        delivery.refresh_from_db()
        assert delivery.metrics_rounds == 0
        assert now + timedelta(minutes=28) < delivery.metrics_due_at < now + timedelta(minutes=31)
    assert not DeliveryMetric.objects.exists()


def test_a_platform_that_is_down_is_asked_again_in_a_quarter_of_an_hour(cast, actor_of, mastodon, channel):
    (delivery,) = posted(cast, actor_of, channel, 1)
    mastodon.fail_next(503, times=3, path=r"^/api/v1/statuses/")
    now = timezone.now()
    metrics.collect([delivery.pk], now)
    delivery.refresh_from_db()
    assert delivery.metrics_due_at == now + timedelta(minutes=15) and delivery.metrics_rounds == 0


def test_a_broken_connection_is_asked_again_hours_later_and_given_up_after_the_last_round(cast, actor_of, mastodon,
                                                                                         channel):
    (delivery,) = posted(cast, actor_of, channel, 1)
    mastodon.revoke_tokens("kanavala")
    now = timezone.now()
    metrics.collect([delivery.pk], now)
    delivery.refresh_from_db()
    assert delivery.metrics_due_at == now + timedelta(hours=6)

    past_the_schedule = delivery.delivered_at + timedelta(days=8)
    metrics.collect([delivery.pk], past_the_schedule)
    delivery.refresh_from_db()
    assert delivery.metrics_due_at is None


def test_a_post_made_by_hand_is_not_asked_for_and_moves_on(cast, actor_of, mastodon, channel):
    (delivery,) = posted(cast, actor_of, channel, 1)
    Delivery.objects.filter(pk=delivery.pk).update(detail={"by_hand": {"by": cast.lead.pk}})
    metrics.collect([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.metrics_rounds == 1
    assert mastodon.requests_to("GET", r"^/api/v1/statuses/\d+$") == []


def test_channels_without_figures_are_never_scheduled(cast):
    website = make_channel(cast.org, "website", "Website")
    assert metrics.first_due(website.adapter, timezone.now()) is None
    assert metrics.next_due(timezone.now(), len(metrics.schedule())) is None
