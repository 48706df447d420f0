"""Recovery of claims: dead workers, expired leases, late writes, a failing sweep step."""

import pytest
from django.utils import timezone

from kanava.channels.website.models import SitePost
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery, WorkerHeartbeat
from kanava.testing.personas import make_channel

pytestmark = pytest.mark.outbox
VERSIONS = {"fi": {"title": "Otsikko", "body": "Teksti."}, "sv": {"title": "Rubrik", "body": "Text."}}


@pytest.fixture
def planned(cast, actor_of):
    make_channel(cast.org, "website")
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS)
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.plan(message)
    return message


def claimed_by(delivery, worker, seconds_ago=60):
    """Leave the delivery as a worker that claimed it would; returns it as a sweeper would see it."""
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_by=worker,
                                                   claimed_at=timezone.now() - timezone.timedelta(seconds=seconds_ago))
    return Delivery.objects.get(pk=delivery.pk)


def test_a_dead_workers_website_delivery_is_found_again_not_published_twice(planned):
    delivery = planned.deliveries.get(language="fi")
    delivery.channel.adapter.publish(delivery, outbox.variants_for(delivery), delivery.idempotency_key)
    assert outbox.recover(claimed_by(delivery, "dead-worker")) == "delivered"
    assert SitePost.objects.filter(message=planned, language="fi").count() == 1


def test_a_claim_that_never_reached_the_channel_is_sent_again(planned):
    delivery = planned.deliveries.get(language="sv")
    assert outbox.recover(claimed_by(delivery, "dead-worker")) == "pending"
    assert outbox.deliver(delivery.pk) == "delivered"


def test_a_living_workers_claim_is_left_alone_until_its_lease_runs_out(planned, settings):
    delivery = planned.deliveries.get(language="fi")
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1)
    claimed_by(delivery, "alive", seconds_ago=60)
    assert delivery.pk not in {d.pk for d in outbox.dead_claims()}
    settings.OUTBOX_CLAIM_LEASE = 30
    assert delivery.pk in {d.pk for d in outbox.dead_claims()}


def test_a_late_write_from_a_worker_that_lost_its_claim_changes_nothing(planned):
    delivery = planned.deliveries.get(language="fi")
    claimed_by(delivery, "someone-else")
    outbox._mark_delivered(delivery, "x", "https://example.fi/x")
    assert Delivery.objects.get(pk=delivery.pk).state == "sending"


def test_two_sweepers_cannot_both_recover_the_same_claim(planned):
    delivery = planned.deliveries.get(language="fi")
    claimed_by(delivery, "dead-worker")
    stale_copy = Delivery.objects.get(pk=delivery.pk)
    assert outbox.recover(stale_copy) == "pending"
    assert outbox.recover(stale_copy) == "skipped"


def test_one_failing_recovery_does_not_stop_scheduled_publishing(planned, cast, actor_of):
    scheduled = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS)
    actions.do_submit_for_review(actor_of(cast.editor), scheduled)
    actions.do_approve(actor_of(cast.lead), scheduled)
    actions.do_schedule(actor_of(cast.lead), scheduled, timezone.now() + timezone.timedelta(seconds=1))
    type(scheduled).objects.filter(pk=scheduled.pk).update(scheduled_at=timezone.now())
    delivery = planned.deliveries.get(language="fi")
    claimed_by(delivery, "dead-worker")
    # Its channel's kind is no longer installed: recovering it raises.
    type(delivery.channel).objects.filter(pk=delivery.channel_id).update(kind="uninstalled")

    result = outbox.sweep()
    assert result["published"] == 1 and result["recovered"] == 0


def test_an_english_subscriber_of_a_finnish_and_swedish_message_gets_the_majority_language(cast, actor_of):
    from kanava.audience.models import Subscriber

    english = Subscriber.objects.create(organisation=cast.org, kind="email", address="en@example.fi",
                                        language="en", state="confirmed")
    swedish = Subscriber.objects.create(organisation=cast.org, kind="email", address="sv@example.fi",
                                        language="sv", state="confirmed")
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS)
    assert list(outbox.subscribers_for(message, "email", "fi")) == [english]
    assert list(outbox.subscribers_for(message, "email", "sv")) == [swedish]


def test_a_message_for_its_topics_subscribers_only_leaves_out_those_who_follow_all_topics(cast, actor_of):
    from kanava.audience.models import Subscriber

    everything = Subscriber.objects.create(organisation=cast.org, kind="email", address="all@example.fi",
                                           language="fi", state="confirmed", all_topics=True)
    chosen = Subscriber.objects.create(organisation=cast.org, kind="email", address="roads@example.fi",
                                       language="fi", state="confirmed", all_topics=False)
    chosen.topics.set([cast.topic])
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, topic=cast.topic)
    assert set(outbox.subscribers_for(message, "email", "fi")) == {everything, chosen}
    only = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, topic=cast.topic,
                                     topic_subscribers_only=True)
    assert list(outbox.subscribers_for(only, "email", "fi")) == [chosen]
