"""Publishing to Instagram through the outbox: containers, carousels, alt texts, the daily quota."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.channels.facebook.tests.conftest import VERSIONS, deliveries, jpeg, make_due
from kanava.channels.instagram.adapter import InstagramAdapter
from kanava.channels.social import health
from kanava.publishing import actions, outbox
from kanava.publishing.checks import check_message
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import MessageImage

pytestmark = pytest.mark.outbox

PARK = ("puisto.jpg", jpeg(), {"fi": "Puisto keväällä", "sv": "Parken på våren"})


def test_a_bilingual_message_with_an_image_becomes_one_instagram_post_per_language(meta, account, publish):
    message = publish(account, images=[PARK])
    outbox.drain()

    done = deliveries(message)
    assert {language: d.state for language, d in done.items()} == {"fi": "delivered", "sv": "delivered"}
    posts = {p.text.split("\n")[0]: p for p in meta.instagram_posts}
    finnish, swedish = posts["Vesikatko Kirkkotiellä"], posts["Vattenavbrott på Kyrkvägen"]
    assert finnish.text == message.variants.get(language="fi").text
    assert finnish.owner == meta.instagram_id and finnish.media_type == "IMAGE"
    assert [i.alt for i in finnish.images] == ["Puisto keväällä"]
    assert [i.alt for i in swedish.images] == ["Parken på våren"]
    stored = MessageImage.objects.get(message=message)
    assert finnish.images[0].url.endswith(stored.file.url), "the image's absolute public address"
    with stored.file.open("rb") as handle:
        assert finnish.images[0].data == handle.read(), "Instagram fetched the very image from the site"
    assert done["fi"].external_id == finnish.id and done["fi"].url == finnish.permalink
    assert len(meta.requests_to("POST", r"/media_publish$")) == 2
    account.refresh_from_db()
    assert account.platform_state["limits"]["quota_usage"] == 1, "the quota was read before each post"


def test_a_message_without_an_image_is_blocked_before_review_with_a_clear_reason(cast, actor_of, account):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=[account])

    blocking = check_message(message).blocking
    assert {(p.code, p.language) for p in blocking} == {("image_required", "fi"), ("image_required", "sv")}
    assert blocking[0].message == "Instagram needs at least one image."
    with pytest.raises(WorkflowError, match="Instagram needs at least one image"):
        actions.do_submit_for_review(actor_of(cast.editor), message)


def test_three_images_become_a_carousel_each_with_its_alternative_text(meta, account, publish):
    images = [("puisto.jpg", jpeg(), {"fi": "Puisto", "sv": "Parken"}),
              ("tie.jpg", jpeg((0, 0, 200)), {"fi": "Kirkkotie", "sv": "Kyrkvägen"}),
              ("tori.jpg", jpeg((0, 150, 0)), {"fi": "Tori", "sv": "Torget"})]
    message = publish(account, images=images)
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    by_language = {("fi" if p.text.startswith("Vesikatko") else "sv"): p for p in meta.instagram_posts}
    assert by_language["fi"].media_type == by_language["sv"].media_type == "CAROUSEL_ALBUM"
    assert [i.alt for i in by_language["fi"].images] == ["Puisto", "Kirkkotie", "Tori"]
    assert [i.alt for i in by_language["sv"].images] == ["Parken", "Kyrkvägen", "Torget"]
    containers = meta.requests_to("POST", r"/media$")
    assert len(containers) == 8, "three items and one carousel per language"
    carousels = [r.form() for r in containers if r.form().get("media_type") == "CAROUSEL"]
    assert len(carousels) == 2 and all(len(c["children"].split(",")) == 3 for c in carousels)
    items = [r.form() for r in containers if r.form().get("is_carousel_item") == "true"]
    assert all("caption" not in item for item in items), "the caption belongs to the carousel"


def test_a_caption_over_2200_characters_is_blocked_and_2200_is_not(cast, actor_of, account):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=[account])
    actions.do_add_image(actor_of(cast.editor), message, *_upload(PARK))
    finnish = message.variants.get(language="fi")
    actions.do_edit_variant(actor_of(cast.editor), finnish, title=finnish.title, text="ä" * 2200)
    assert check_message(message).ok

    actions.do_edit_variant(actor_of(cast.editor), finnish, title=finnish.title, text="ä" * 2201)
    blocking = check_message(message).blocking
    assert [(p.code, p.language) for p in blocking] == [("too_long", "fi")]
    assert "2201 of 2200" in blocking[0].message


def test_a_caption_instagram_refuses_fails_for_good_with_instagrams_reason(meta, account, publish):
    hashtags = " ".join(f"#aihe{n}" for n in range(31))
    message = publish(account, images=[PARK], edit={"fi": f"Vesikatko {hashtags}"})
    outbox.drain()

    finnish = deliveries(message)["fi"]
    assert finnish.state == "failed" and finnish.attempts == 1
    assert "30 hashtags" in finnish.last_error and "Instagram rejected the post" in finnish.last_error
    assert [p.text.split("\n")[0] for p in meta.instagram_posts] == ["Vattenavbrott på Kyrkvägen"]


def test_a_used_up_daily_quota_waits_an_hour_instead_of_failing(meta, account, publish):
    meta.use_quota(count=100)
    before = timezone.now()
    message = publish(account, images=[PARK])
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"pending"}
    assert all(d.next_attempt_at >= before + timedelta(hours=1) for d in done.values())
    assert any("100 posts in 24 hours" in d.last_error for d in done.values())
    assert meta.requests_to("POST", r"/media$") == [], "nothing was prepared"
    account.refresh_from_db()
    assert account.platform_state["limits"]["quota_usage"] == 100
    assert account.paused_until >= before + timedelta(minutes=59)
    assert health.health_of(account).status == health.PAUSED


def test_a_quota_refusal_at_publishing_also_waits(meta, account, publish):
    meta.fail_next(400, meta.error_body("Application request limit reached", 9, 2207042), path=r"/media_publish$")
    message = publish(account, images=[PARK])
    outbox.drain()

    assert sorted(d.state for d in deliveries(message).values()) == ["pending", "pending"]
    account.refresh_from_db()
    assert account.paused_until > timezone.now() + timedelta(minutes=55)


def test_an_image_instagram_cannot_fetch_fails_for_good_and_says_why(meta, account, publish, settings):
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing answers there
    message = publish(account, images=[PARK])
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"failed"}
    assert "could not fetch the image" in done["fi"].last_error
    assert "reachable from the internet" in done["fi"].last_error
    assert meta.instagram_posts == []


def test_an_image_elsewhere_is_taken_on_trust_and_never_fetched(meta, account, publish, settings):
    settings.SITE_URL = "https://uutiset.pikkula.example"
    message = publish(account, images=[PARK])
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert all(p.images[0].url.startswith("https://uutiset.pikkula.example/media/") and p.images[0].data == b""
               for p in meta.instagram_posts)


def test_a_container_that_takes_a_while_is_waited_for(meta, account, publish, monkeypatch):
    monkeypatch.setattr(InstagramAdapter, "poll_waits", (0.01,) * 6)
    meta.processing_reads = 2
    message = publish(account, images=[PARK])
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(meta.requests_to("GET", r"/v21\.0/\d+$")) >= 6, "each container was asked about until finished"


def test_a_container_instagram_could_not_process_fails_for_good_with_its_reason(meta, account, publish):
    meta.fail_processing(times=2, reason="Error: Media upload has failed with error code 2207005")
    message = publish(account, images=[PARK])
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"failed"}
    assert "could not process the image" in done["fi"].last_error and "2207005" in done["fi"].last_error
    assert meta.requests_to("POST", r"/media_publish$") == []


def test_a_post_whose_answer_was_lost_is_found_on_the_retry_and_not_made_twice(meta, account, publish):
    meta.fail_next(drop=True, path=r"/media_publish$")
    message = publish(account, images=[PARK])
    outbox.drain()
    assert sorted(d.state for d in deliveries(message).values()) == ["delivered", "pending"]

    make_due(message)
    outbox.drain()
    done = deliveries(message)
    assert {d.state for d in done.values()} == {"delivered"}
    assert len(meta.instagram_posts) == 2
    assert sorted(d.external_id for d in done.values()) == sorted(p.id for p in meta.instagram_posts)
    assert all(d.url.startswith(f"{meta.url}/p/") for d in done.values())


def test_an_expired_token_answered_with_401_fails_for_good_and_names_the_date(meta, account, publish):
    meta.token_error_status = 401
    meta.expire_tokens()
    message = publish(account, images=[PARK])
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"failed"}
    assert "Instagram connection expired on" in done["fi"].last_error
    account.refresh_from_db()
    assert health.health_of(account).status == health.EXPIRED


def _upload(image):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, data, alt = image
    return SimpleUploadedFile(name, data, "image/jpeg"), alt


def test_an_image_that_is_not_a_jpeg_is_a_warning_that_does_not_block(cast, actor_of, account):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 0)).save(buffer, "PNG")
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=[account])
    upload = SimpleUploadedFile("kartta.png", buffer.getvalue(), "image/png")
    actions.do_add_image(actor_of(cast.editor), message, upload, {"fi": "Kartta", "sv": "Karta"})
    report = check_message(message)
    assert report.ok
    warnings = [p for p in report.per_channel[account.pk] if p.code == "instagram_jpeg"]
    assert len(warnings) == 2 and "kartta.png" in warnings[0].message


def test_a_connection_past_its_expiry_fails_before_anything_is_sent(meta, account, publish):
    account.token_expires_at = timezone.now() - timedelta(hours=1)
    account.save()
    message = publish(account, images=[PARK])
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"failed"}
    assert "Instagram connection expired on" in deliveries(message)["fi"].last_error
    assert meta.requests_to("POST", r".") == [], "Meta has no refresh token: nothing to try"
