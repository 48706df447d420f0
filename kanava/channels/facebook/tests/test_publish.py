"""Publishing to a Facebook Page through the outbox, against the local Graph API."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import requests
from django.utils import timezone

from kanava.channels.social import health
from kanava.publishing import outbox

from .conftest import deliveries, jpeg, make_due

pytestmark = pytest.mark.outbox


def test_a_bilingual_message_becomes_one_page_post_per_language_with_a_link_preview(meta, page, publish):
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {language: d.state for language, d in done.items()} == {"fi": "delivered", "sv": "delivered"}
    posts = {p.text.split("\n")[0]: p for p in meta.facebook_posts}
    finnish, swedish = posts["Vesikatko Kirkkotiellä"], posts["Vattenavbrott på Kyrkvägen"]
    assert finnish.text == message.variants.get(language="fi").text
    assert swedish.text == message.variants.get(language="sv").text
    assert finnish.owner == swedish.owner == meta.page_id
    assert finnish.link.endswith(f"/fi/m/{message.pk}/") and swedish.link.endswith(f"/sv/m/{message.pk}/")
    assert done["fi"].external_id == finnish.id and finnish.id.startswith(f"{meta.page_id}_")
    assert done["fi"].url == finnish.permalink
    writes = meta.requests_to("POST", r"/v21\.0/\d+/feed$")
    assert len(writes) == 2
    assert all(r.headers["authorization"] == f"Bearer {page.secrets['access_token']}" for r in writes)
    assert all("access_token" not in r.query for r in meta.log), "the token never goes in an address"
    page.refresh_from_db()
    assert page.paused_until is None and page.last_ok_at is not None


def test_images_go_up_unpublished_and_one_post_carries_them_with_their_alternative_texts(meta, page, publish):
    message = publish(page, images=[("puisto.jpg", jpeg(), {"fi": "Puisto keväällä", "sv": "Parken på våren"}),
                                    ("tie.jpg", jpeg((0, 0, 200)), {"fi": "Kirkkotie", "sv": "Kyrkvägen"})])
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(meta.facebook_posts) == 2, "one post per language, not one per image"
    by_language = {("fi" if p.text.startswith("Vesikatko") else "sv"): p for p in meta.facebook_posts}
    assert [i.alt for i in by_language["fi"].images] == ["Puisto keväällä", "Kirkkotie"]
    assert [i.alt for i in by_language["sv"].images] == ["Parken på våren", "Kyrkvägen"]
    assert all(i.content_type == "image/jpeg" for p in meta.facebook_posts for i in p.images)
    assert by_language["fi"].link == "", "a post with images has no link preview"
    assert all(not photo.published and photo.used_in for photo in meta.photos.values())
    assert len(meta.requests_to("POST", r"/photos$")) == 4


def test_an_expired_token_fails_for_good_saying_when_it_expired_and_the_channel_shows_it(meta, page, publish):
    meta.expire_tokens()
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"failed"}
    assert all(d.attempts == 1 for d in done.values()), "not retried: only a person can reconnect"
    assert "connection expired on" in done["fi"].last_error and "reconnect" in done["fi"].last_error
    assert meta.facebook_posts == []
    page.refresh_from_db()
    said = datetime.fromtimestamp(int(meta.tokens[page.secrets["access_token"]].expires_at), dt_timezone.utc)
    assert abs((page.token_expires_at - said).total_seconds()) <= 1, "the moment Meta named is kept"
    assert "expired on" in page.last_error
    state = health.health_of(page)
    assert state.status == health.EXPIRED and state.needs_reconnect


def test_a_revoked_token_asks_to_reconnect_without_inventing_an_expiry_date(meta, page, publish):
    meta.revoke_tokens()
    message = publish(page)
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"failed"}
    assert "no longer works" in deliveries(message)["fi"].last_error
    page.refresh_from_db()
    assert page.token_expires_at > timezone.now() + timedelta(days=40)
    assert health.health_of(page).status == health.BROKEN


def test_a_page_rate_limit_waits_as_long_as_meta_says_and_pauses_the_channel(meta, page, publish):
    meta.throttle(code=32, regain_minutes=20, path=r"/feed$", method="POST")
    before = timezone.now()
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"pending"}
    assert all(d.next_attempt_at >= before + timedelta(minutes=20) for d in done.values())
    assert any("slow down" in d.last_error for d in done.values())
    assert any("asked us to wait" in d.last_error for d in done.values()), "the other language did not even try"
    page.refresh_from_db()
    assert before + timedelta(minutes=19) < page.paused_until < before + timedelta(minutes=21)
    assert len(meta.requests_to("POST", r"/feed$")) == 1
    assert health.health_of(page).status == health.PAUSED

    make_due(message, page)
    outbox.drain()
    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(meta.facebook_posts) == 2


def test_an_application_limit_without_a_stated_wait_pauses_for_a_quarter_of_an_hour(meta, page, publish):
    meta.throttle(code=4, path=r"/feed$", method="POST")
    before = timezone.now()
    message = publish(page)
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"pending"}
    page.refresh_from_db()
    assert before + timedelta(minutes=14) < page.paused_until < before + timedelta(minutes=16)


def test_usage_at_96_percent_on_a_successful_answer_pauses_the_posts_after_it(meta, page, publish):
    meta.set_usage(app=96)
    message = publish(page)
    outbox.drain()

    states = sorted(d.state for d in deliveries(message).values())
    assert states == ["delivered", "pending"]
    assert len(meta.facebook_posts) == 1, "the post that got the answer went out; the next one waits"
    page.refresh_from_db()
    assert page.paused_until > timezone.now() + timedelta(minutes=10)


def test_a_post_whose_answer_was_lost_is_found_on_the_retry_and_not_made_twice(meta, page, publish):
    meta.fail_next(drop=True, path=r"/feed$", method="POST")
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert sorted(d.state for d in done.values()) == ["delivered", "pending"]
    assert len(meta.facebook_posts) == 2, "the dropped request was carried out"

    make_due(message)
    outbox.drain()
    done = deliveries(message)
    assert {d.state for d in done.values()} == {"delivered"}
    assert len(meta.facebook_posts) == 2
    assert sorted(d.external_id for d in done.values()) == sorted(p.id for p in meta.facebook_posts)
    assert len(meta.requests_to("GET", r"/feed$")) == 1, "the retry looked before posting"


def test_a_post_already_on_the_page_is_taken_as_ours_when_facebook_calls_it_a_duplicate(
        meta, page, cast, actor_of):
    from kanava.publishing import actions

    from .conftest import VERSIONS

    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=[page])
    finnish = message.variants.get(language="fi").text
    by_hand = requests.post(f"{meta.url}/v21.0/{meta.page_id}/feed", data={"message": finnish},
                            headers={"Authorization": f"Bearer {page.secrets['access_token']}"}, timeout=5)
    assert by_hand.status_code == 200
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"delivered"}
    assert done["fi"].external_id == by_hand.json()["id"] and done["fi"].attempts == 1
    assert len(meta.facebook_posts) == 2, "Finnish once (by hand), Swedish once"
    refused = [r for r in meta.requests_to("POST", r"/feed$") if "Vesikatko" in r.form().get("message", "")]
    assert len(refused) == 2, "the by-hand post, then Kanava's attempt that Facebook called a duplicate"


def test_a_server_error_is_retried(meta, page, publish):
    meta.fail_next(500, path=r"/feed$", method="POST")
    message = publish(page)
    outbox.drain()
    assert "temporary problem" in " ".join(d.last_error for d in deliveries(message).values())

    make_due(message)
    outbox.drain()
    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(meta.facebook_posts) == 2


def test_the_health_page_warns_two_weeks_before_the_user_token_runs_out(page):
    page.token_expires_at = timezone.now() + timedelta(days=10)
    page.save()
    state = health.health_of(page)
    assert state.status == health.EXPIRING and state.days_left in (9, 10)
