"""Publishing to a LinkedIn page through the outbox, against the local LinkedIn."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from kanava.channels.linkedin.adapter import THROTTLE_WAIT
from kanava.channels.social.health import health_of
from kanava.publishing import outbox
from kanava.publishing.checks import check_message
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import Delivery

from .conftest import make_due

pytestmark = pytest.mark.outbox

HEADERS = ("linkedin-version", "x-restli-protocol-version")


def png(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def deliveries(message) -> dict:
    return {d.language: d for d in Delivery.objects.filter(message=message)}


def test_a_bilingual_message_becomes_one_page_post_per_language_with_linkedins_headers(linkedin, page, publish):
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {language: d.state for language, d in done.items()} == {"fi": "delivered", "sv": "delivered"}
    assert [p.author for p in linkedin.posts] == [f"urn:li:organization:{linkedin.organization_id}"] * 2
    by_text = {p.text.split("\n")[0]: p for p in linkedin.posts}
    finnish, swedish = by_text["Vesikatko Kirkkotiellä"], by_text["Vattenavbrott på Kyrkvägen"]
    assert finnish.text == message.variants.get(language="fi").text
    assert swedish.text == message.variants.get(language="sv").text
    assert f"/fi/m/{message.pk}/" in finnish.text and f"/sv/m/{message.pk}/" in swedish.text
    assert finnish.body["visibility"] == "PUBLIC" and finnish.body["lifecycleState"] == "PUBLISHED"
    assert finnish.body["distribution"]["feedDistribution"] == "MAIN_FEED"
    assert done["fi"].external_id == finnish.id and done["fi"].url.endswith(f"/feed/update/{finnish.id}/")
    api_calls = [r for r in linkedin.log if r.path.startswith(("/rest/", "/v2/"))]
    assert api_calls and all(r.headers.get(h) for r in api_calls for h in HEADERS)
    assert {r.headers["x-restli-protocol-version"] for r in api_calls} == {"2.0.0"}


def test_reserved_characters_reach_readers_exactly_as_the_editor_wrote_them(linkedin, page, publish):
    texts = {"fi": "Valtuusto (kokous) [liite] {asia} <huom> kirjaamo@pikkula.fi | a~b *tärkeä* _alaviiva_ "
                   "C:\\kansio #Pikkula # yksin",
             "sv": "Fullmäktige (möte) @kommun #Pikkula"}
    message = publish(page, edit=texts)
    outbox.drain()

    assert {p.text for p in linkedin.posts} == set(texts.values())
    assert all(p.commentary != p.text for p in linkedin.posts), "sent escaped, read plain"
    assert set(message.variants.values_list("text", flat=True)) == set(texts.values())


def test_images_go_up_first_and_the_post_carries_each_with_its_alternative_text(linkedin, page, publish):
    message = publish(page, images=[("puisto.png", png(), {"fi": "Puisto keväällä", "sv": "Parken på våren"}),
                                    ("tie.png", png((0, 0, 200)), {"fi": "Kirkkotie", "sv": "Kyrkvägen"})])
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    by_language = {("fi" if p.text.startswith("Vesikatko") else "sv"): p for p in linkedin.posts}
    assert [i.alt for i in by_language["fi"].images] == ["Puisto keväällä", "Kirkkotie"]
    assert [i.alt for i in by_language["sv"].images] == ["Parken på våren", "Kyrkvägen"]
    assert all(i.content_type == "image/png" and i.data.startswith(b"\x89PNG") for p in linkedin.posts
               for i in p.images)
    assert "multiImage" in by_language["fi"].body["content"]
    assert len(linkedin.requests_to("POST", r"^/rest/images$")) == 4
    assert len(linkedin.requests_to("PUT", r"^/dms-uploads/")) == 4


def test_a_single_image_goes_as_media(linkedin, page, publish):
    publish(page, images=[("puisto.png", png(), {"fi": "Puisto", "sv": "Park"})])
    outbox.drain()

    assert sorted(p.body["content"]["media"]["altText"] for p in linkedin.posts) == ["Park", "Puisto"]


def test_3001_characters_are_blocked_before_review_and_3000_are_not(cast, actor_of, page, publish):
    from kanava.publishing import actions

    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions={
        "fi": {"title": "Pitkä", "body": "Teksti."}, "sv": {"title": "Lång", "body": "Text."}}, channels=[page])
    finnish = message.variants.get(language="fi")
    actions.do_edit_variant(actor_of(cast.editor), finnish, title="Pitkä", text="ä" * 2999 + "(")

    assert check_message(message).ok
    actions.do_edit_variant(actor_of(cast.editor), finnish, title="Pitkä", text="ä" * 3000 + "(")
    blocking = check_message(message).blocking
    assert [(p.code, p.language) for p in blocking] == [("too_long", "fi")]
    assert "3001 of 3000" in blocking[0].message
    with pytest.raises(WorkflowError):
        actions.do_submit_for_review(actor_of(cast.editor), message)


def test_an_expired_token_is_refreshed_before_posting_and_the_refresh_token_is_kept(linkedin, page, publish):
    refresh_token, refresh_expires = page.secrets["refresh_token"], page.refresh_expires_at
    linkedin.expire_tokens()
    page.token_expires_at = timezone.now() - timedelta(minutes=5)
    page.save()
    message = publish(page)
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(linkedin.posts) == 2
    page.refresh_from_db()
    assert page.secrets["refresh_token"] == refresh_token
    assert page.secrets["access_token"] != ""
    assert page.token_expires_at > timezone.now() + timedelta(days=59)
    # LinkedIn does not lengthen a refresh token's life: it still ends when it did.
    assert abs(page.refresh_expires_at - refresh_expires) < timedelta(minutes=5)
    assert len(linkedin.requests_to("POST", r"^/oauth/v2/accessToken$")) == 1


def test_an_expired_token_whose_refresh_token_was_revoked_fails_for_good(linkedin, page, publish):
    linkedin.revoke_tokens()
    page.token_expires_at = timezone.now() - timedelta(minutes=5)
    page.save()
    message = publish(page)
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"failed"}
    assert all("expired on" in d.last_error and "reconnect" in d.last_error for d in deliveries(message).values())
    assert linkedin.posts == []
    page.refresh_from_db()
    assert health_of(page).status == "broken"


def test_a_token_linkedin_calls_expired_early_is_refreshed_once_and_the_post_goes_out(linkedin, page, publish):
    linkedin.expire_tokens()  # Kanava still thinks it has 30 days
    message = publish(page)
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(linkedin.posts) == 2
    assert len(linkedin.requests_to("POST", r"^/oauth/v2/accessToken$")) == 1


def test_a_revoked_connection_fails_for_good_and_asks_for_a_reconnect(cast, linkedin, page, publish):
    linkedin.revoke_tokens()
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"failed"}
    assert all(d.attempts == 1 and "reconnect" in d.last_error for d in done.values())
    assert linkedin.posts == []
    page.refresh_from_db()
    assert "reconnect" in page.last_error
    assert health_of(page).status == "broken"


def test_throttling_pauses_the_channel_and_the_post_goes_out_later(linkedin, page, publish):
    linkedin.throttle(times=1)
    before = timezone.now()
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"pending"}
    assert all(d.next_attempt_at >= before + timedelta(seconds=THROTTLE_WAIT) for d in done.values())
    assert len(linkedin.requests_to("POST", r"^/rest/posts$")) == 1, "the paused channel waited"
    page.refresh_from_db()
    assert page.paused_until >= before + timedelta(seconds=THROTTLE_WAIT)
    assert health_of(page).status == "paused"

    page.paused_until = timezone.now() - timedelta(seconds=1)  # the wait is over
    page.save()
    make_due(message)
    outbox.drain()
    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    assert len(linkedin.posts) == 2


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(linkedin, page, publish):
    linkedin.fail_next(path=r"^/rest/posts$", method="POST", drop=True)
    message = publish(page)
    outbox.drain()
    assert len(linkedin.posts) == 2  # the lost answer's post is on LinkedIn
    waiting = [d for d in deliveries(message).values() if d.state == "pending"]
    assert len(waiting) == 1

    make_due(message)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"delivered"}
    assert len(linkedin.posts) == 2
    assert {d.external_id for d in done.values()} == {p.id for p in linkedin.posts}
    assert len(linkedin.requests_to("GET", r"^/rest/posts$")) == 1


def test_the_same_text_again_is_taken_as_the_post_linkedin_already_has(linkedin, page):
    from kanava.channels.social.adapter import Outgoing

    adapter = page.adapter
    first = adapter.post(Outgoing(text="Sama teksti (kahdesti)", index=0, total=1, key="k-0"))
    again = adapter.post(Outgoing(text="Sama teksti (kahdesti)", index=0, total=1, key="k-0"))

    assert again.id == first.id
    assert len(linkedin.posts) == 1


def test_a_retired_api_version_is_explained_and_not_retried(linkedin, page, publish):
    page.config = {**page.config, "api_version": "202301"}
    page.save()
    message = publish(page)
    outbox.drain()

    done = deliveries(message)
    assert {d.state for d in done.values()} == {"failed"}
    assert all("API version 202301" in d.last_error for d in done.values())
    assert all(d.attempts == 1 for d in done.values())
    assert linkedin.posts == []


def test_text_linkedin_rejects_fails_for_good_with_linkedins_reason(linkedin, page):
    from kanava.channels.base import ChannelError
    from kanava.channels.social.adapter import Outgoing

    with pytest.raises(ChannelError) as raised:
        page.adapter.post(Outgoing(text="x" * 3001, index=0, total=1, key="k-0"))

    assert raised.value.permanent and raised.value.retry_after is None
    assert "LinkedIn rejected the post" in str(raised.value)
    assert "exceeds the maximum allowed length" in str(raised.value)
    assert linkedin.posts == []
