"""Publishing to X through the outbox, against the local X stand-in with X's own SDK pointed at it."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.models import Channel
from kanava.channels.social.text import x_weighted
from kanava.channels.x.tests.conftest import make_due
from kanava.publishing import outbox
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import Delivery, Variant

pytestmark = pytest.mark.outbox

LONG_FI = " ".join(
    f"Kirkkotien vesijohtotyöt jatkuvat {n}. viikolla, ja vesi voi olla poikki lyhyitä aikoja päivän mittaan."
    for n in range(1, 7))


def test_a_bilingual_message_goes_out_as_one_post_per_language(cast, x_server, x_channel, publish):
    message = publish(x_channel)
    outbox.drain()

    deliveries = {d.language: d for d in Delivery.objects.filter(message=message)}
    assert {language: d.state for language, d in deliveries.items()} == {"fi": "delivered", "sv": "delivered"}
    variants = {v.language: v.text for v in Variant.objects.filter(message=message)}
    assert sorted(p.text for p in x_server.posts) == sorted(variants.values())
    assert "Vesikatko Kirkkotiellä" in variants["fi"] and "Vattenavbrott på Kyrkvägen" in variants["sv"]
    assert all(p.reply_to is None and p.images == [] for p in x_server.posts)
    for language, delivery in deliveries.items():
        post = next(p for p in x_server.posts if p.text == variants[language])
        assert delivery.external_id == post.id
        assert delivery.url == f"{x_server.url}/kanavala/status/{post.id}"
        assert delivery.detail["parts"] == [{"id": post.id, "url": delivery.url, "extra": {}}]
        assert delivery.metrics_due_at is not None
    x_channel.refresh_from_db()
    assert x_channel.last_ok_at is not None and x_channel.last_error == ""


def test_a_long_text_goes_out_as_a_thread_of_replies(cast, x_server, x_channel, publish, finnish_only):
    assert x_weighted(LONG_FI) > 280
    message = publish(x_channel, texts={"fi": LONG_FI}, thread=True, versions={"fi": {"title": "Vesityöt",
                                                                                     "body": "Vesityöt jatkuvat."}})
    outbox.drain()

    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "delivered"
    posts = x_server.posts
    assert len(posts) >= 3
    assert all(x_weighted(p.text) <= 280 for p in posts)
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]
    assert {p.conversation_id for p in posts} == {posts[0].id}
    assert [p.text.rsplit(" ", 1)[1] for p in posts] == [f"{i}/{len(posts)}" for i in range(1, len(posts) + 1)]
    words = " ".join(p.text.rsplit(" ", 1)[0] for p in posts).split()
    assert words == LONG_FI.split()
    assert [part["id"] for part in delivery.detail["parts"]] == [p.id for p in posts]
    assert delivery.external_id == posts[0].id


def test_a_thread_cut_short_by_the_rate_limit_resumes_after_the_last_part_that_went_out(
        cast, x_server, x_channel, publish, finnish_only):
    x_server.rate_limits["tweets.create"] = 2  # the third part gets X's 429
    message = publish(x_channel, texts={"fi": LONG_FI}, thread=True, versions={"fi": {"title": "Vesityöt",
                                                                                     "body": "Vesityöt jatkuvat."}})
    outbox.drain()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "pending"
    assert [p["id"] for p in delivery.detail["parts"]] == [p.id for p in x_server.posts]
    assert len(x_server.posts) == 2

    # The window passes: X takes posts again, and the channel's pause is over.
    x_server.reset_rate_limits()
    x_channel.refresh_from_db()
    Channel.objects.filter(pk=x_channel.pk).update(paused_until=None)
    make_due(message)
    outbox.drain()
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    posts = x_server.posts
    assert len(posts) >= 3
    assert len({p.text for p in posts}) == len(posts), "no part went out twice"
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]
    assert [p["id"] for p in delivery.detail["parts"]] == [p.id for p in posts]


def test_images_go_with_the_first_post_each_with_its_alternative_text(cast, x_server, x_channel, publish):
    message = publish(x_channel, images=[
        {"fi": "Kartta katkoalueesta", "sv": "Karta över avbrottsområdet"},
        {"fi": "Vesilaitoksen auto Kirkkotiellä", "sv": "Vattenverkets bil på Kyrkvägen"}])
    outbox.drain()

    assert set(Delivery.objects.filter(message=message).values_list("state", flat=True)) == {"delivered"}
    by_language = {("fi" if "Vesikatko" in p.text else "sv"): p for p in x_server.posts}
    assert [m.alt for m in by_language["fi"].images] == ["Kartta katkoalueesta", "Vesilaitoksen auto Kirkkotiellä"]
    assert [m.alt for m in by_language["sv"].images] == ["Karta över avbrottsområdet",
                                                         "Vattenverkets bil på Kyrkvägen"]
    assert all(m.content_type == "image/png" and m.width == 60 for p in x_server.posts for m in p.images)
    assert len(x_server.requests_to("POST", r"^/2/media/metadata$")) == 4


def test_five_images_are_refused_before_publishing(cast, x_channel, publish):
    with pytest.raises(WorkflowError):
        publish(x_channel, images=[{"fi": f"Kuva {i}", "sv": f"Bild {i}"} for i in range(5)])


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(cast, x_server, x_channel, publish, finnish_only):
    x_server.fail_next(path=r"^/2/tweets$", method="POST", drop=True)
    message = publish(x_channel, versions={"fi": {"title": "Kirjasto", "body": "Kirjasto on kiinni maanantaina."}})
    outbox.drain()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "pending", "no answer: tried again later"
    assert len(x_server.posts) == 1, "the post was made although the answer never came"

    make_due(message)
    outbox.drain()
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert len(x_server.posts) == 1
    assert delivery.external_id == x_server.posts[0].id
    lookups = x_server.requests_to("GET", r"^/2/users/\d+/tweets$")
    assert len(lookups) == 1
    assert lookups[0].query["tweet.fields"] == "referenced_tweets,created_at"
    assert "start_time" in lookups[0].query


def test_a_duplicate_refusal_on_a_retry_counts_as_posted_when_the_post_is_found(
        cast, x_server, x_channel, publish, finnish_only):
    x_server.fail_next(path=r"^/2/tweets$", method="POST", drop=True)
    message = publish(x_channel, versions={"fi": {"title": "Uimahalli", "body": "Uimahalli avataan."}})
    outbox.drain()
    # X's timeline lags: the first search does not see the new post yet, so it is
    # sent again and X refuses it as a duplicate; the second search finds it.
    x_server.timeline_misses = 1
    make_due(message)
    outbox.drain()

    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "delivered"
    assert len(x_server.posts) == 1 and delivery.external_id == x_server.posts[0].id
    assert len(x_server.requests_to("POST", r"^/2/tweets$")) == 2
    assert len(x_server.requests_to("GET", r"^/2/users/\d+/tweets$")) == 2


def test_a_duplicate_of_an_older_post_is_refused_not_taken_for_ours(cast, x_server, x_channel, publish, finnish_only):
    text = "Kunnanvirasto on suljettu perjantaina."
    x_server.add_post(text, created_at=time.time() - 3 * 3600)  # the same text, posted by hand hours ago
    x_server.fail_next(502, path=r"^/2/tweets$", method="POST")
    message = publish(x_channel, texts={"fi": text}, versions={"fi": {"title": "Virasto", "body": text}})
    outbox.drain()
    make_due(message)
    outbox.drain()

    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "failed"
    assert delivery.attempts == 2
    assert "already has a post with the same text" in delivery.last_error
    assert len(x_server.posts) == 1


def test_text_with_links_and_ampersands_is_found_after_a_lost_answer(cast, x_server, x_channel, publish, finnish_only):
    text = "Lue lisää: https://www.pikkula.fi/vesi?katu=kirkkotie&aika=ti & pikkula.fi <3"
    x_server.fail_next(path=r"^/2/tweets$", method="POST", drop=True)
    message = publish(x_channel, texts={"fi": text}, versions={"fi": {"title": "Vesi", "body": text}})
    outbox.drain()
    make_due(message)
    outbox.drain()

    assert Delivery.objects.get(message=message).state == "delivered"
    assert len(x_server.posts) == 1
    assert "https://t.co/" in x_server.posts[0].shown and "&amp;" in x_server.posts[0].shown


def test_a_server_error_is_retried_and_the_post_goes_out_once(cast, x_server, x_channel, publish, finnish_only):
    x_server.fail_next(500, path=r"^/2/tweets$", method="POST")
    message = publish(x_channel, versions={"fi": {"title": "Tori", "body": "Torilla on markkinat."}})
    outbox.drain()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "pending" and "500" in delivery.last_error
    make_due(message)
    outbox.drain()
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and len(x_server.posts) == 1


def test_a_rejected_text_fails_at_once_with_xs_reason(cast, x_server, x_channel, publish, finnish_only):
    x_server.fail_next(400, {"errors": [{"message": "Your Tweet text is too long."}], "title": "Invalid Request",
                             "detail": "One or more parameters to your request was invalid.",
                             "type": "https://api.twitter.com/2/problems/invalid-request"},
                       path=r"^/2/tweets$", method="POST")
    message = publish(x_channel, versions={"fi": {"title": "Tori", "body": "Torilla on markkinat."}})
    outbox.drain()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "failed" and delivery.attempts == 1
    assert "Your Tweet text is too long." in delivery.last_error
    assert x_server.posts == []


def test_after_a_crash_the_posts_already_made_are_recorded_not_made_again(
        cast, x_server, x_channel, publish, finnish_only):
    message = publish(x_channel, texts={"fi": LONG_FI}, thread=True, versions={"fi": {"title": "Vesityöt",
                                                                                     "body": "Vesityöt jatkuvat."}})
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message)
    # A worker claimed it, posted the whole thread and died before writing anything down.
    adapter = x_channel.adapter
    parts = adapter.parts(Variant.objects.get(message=message))
    previous = None
    for text in parts:
        previous = x_server.add_post(text, reply_to=previous.id if previous else None)
    assert outbox.claim(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_by="dead-worker",
                                                   claimed_at=timezone.now() - timedelta(minutes=5))
    delivery.refresh_from_db()
    assert outbox.recover(delivery) == "delivered"

    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert [p["id"] for p in delivery.detail["parts"]] == [p.id for p in x_server.posts]
    assert len(x_server.posts) == len(parts)
