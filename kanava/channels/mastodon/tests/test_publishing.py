"""Publishing to Mastodon through the outbox, against the local Mastodon."""

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from kanava.channels.social.health import check_channel
from kanava.publishing import actions, outbox
from kanava.publishing.checks import check_message
from kanava.publishing.models import Variant
from kanava.testing.platforms.mastodon import status_length

from .conftest import SITE, VERSIONS, deliveries, long_text, png_bytes

pytestmark = pytest.mark.outbox

STATUSES = r"^/api/v1/statuses$"


def test_a_bilingual_message_becomes_one_status_per_language_with_its_language_and_link(mastodon, channel, publish):
    message = publish(channel)
    outbox.drain()

    done = deliveries(message)
    assert {language: d.state for language, d in done.items()} == {"fi": "delivered", "sv": "delivered"}
    assert sorted(p.language for p in mastodon.posts) == ["fi", "sv"]
    for post in mastodon.posts:
        link = f"{SITE}/{post.language}/m/{message.pk}/"
        assert post.text == message.variants.get(language=post.language).text
        assert post.text.startswith(message.versions.get(language=post.language).title)
        assert post.text.endswith(link) and f'href="{link}"' in post.content
        assert (post.account, post.visibility, post.in_reply_to_id) == ("kanavala", "public", None)
        assert done[post.language].external_id == post.id
        assert done[post.language].url == mastodon.status_url(post)
        assert requests.get(done[post.language].url, timeout=10).status_code == 200
    keys = [r.headers["idempotency-key"] for r in mastodon.requests_to("POST", STATUSES)]
    assert sorted(keys) == sorted(f"{d.idempotency_key}-0" for d in done.values())
    channel.refresh_from_db()
    assert channel.last_ok_at and not channel.last_error


def test_the_servers_character_limit_is_read_at_run_time_and_decides_what_is_too_long(
        mastodon, channel, cast, actor_of):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions={
        "fi": {"title": "Kaava", "body": "Kaavaehdotus on nähtävillä."},
        "sv": {"title": "Plan", "body": "Planförslaget är framlagt."}}, channels=[channel])
    variant = Variant.objects.get(message=message, language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=long_text(70))
    assert 500 < len(variant.text) < 1000
    assert [p.code for p in channel.adapter.validate(variant)] == ["too_long"]

    mastodon.max_characters, mastodon.max_media_attachments = 1000, 6
    check_channel(channel)

    channel.refresh_from_db()
    assert channel.platform_state["limits"] == {"max_characters": 1000, "max_media_attachments": 6,
                                                "characters_reserved_per_url": 23}
    adapter = channel.adapter
    assert (adapter.limit(), adapter.max_images) == (1000, 6)
    assert adapter.validate(variant) == []
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    assert {p.language: p.text for p in mastodon.posts}["fi"] == variant.text


def test_every_link_counts_as_23_characters_as_mastodon_counts_it(mastodon, channel, publish):
    link = "https://www.pikkula.fi/asuminen/kaavoitus/vireilla-olevat-kaavat/kirkkotien-asemakaava"
    text = "Kaava. " * 66 + link  # 462 characters and a link: 485 as Mastodon counts
    assert len(text) > 500
    message = publish(channel, texts={"fi": text})
    outbox.drain()

    assert channel.adapter.count(text) == 485 == status_length(text, 23)
    assert deliveries(message)["fi"].state == "delivered"
    assert {p.language: p.text for p in mastodon.posts}["fi"] == text


def test_a_text_too_long_for_one_status_goes_out_as_a_numbered_thread_of_replies(mastodon, channel, publish):
    channel.config["visibility"] = "unlisted"
    channel.save()
    text = long_text(160)
    message = publish(channel, texts={"fi": text, "sv": "Se den finska tråden."}, thread=True)
    report = check_message(message)
    assert [p.code for p in report.per_channel[channel.pk] if p.language == "fi"] == ["thread"]
    outbox.drain()

    thread = [p for p in mastodon.posts if p.language == "fi"]
    assert len(thread) >= 3
    assert [p.in_reply_to_id for p in thread] == [None] + [p.id for p in thread[:-1]]
    assert [p.text.rsplit(" ", 1)[1] for p in thread] == [f"{i}/{len(thread)}" for i in range(1, len(thread) + 1)]
    assert " ".join(p.text.rsplit(" ", 1)[0] for p in thread) == text
    assert all(status_length(p.text, 23) <= 500 for p in thread)
    assert {(p.visibility, p.language) for p in mastodon.posts} == {("unlisted", "fi"), ("unlisted", "sv")}
    delivery = deliveries(message)["fi"]
    assert delivery.state == "delivered" and delivery.external_id == thread[0].id
    assert [part["id"] for part in delivery.detail["parts"]] == [p.id for p in thread]
    assert [part["url"] for part in delivery.detail["parts"]] == [mastodon.status_url(p) for p in thread]


def test_when_the_server_allows_less_the_automatic_text_is_shortened_and_ends_with_the_link(
        mastodon, channel, publish):
    mastodon.max_characters = 140
    check_channel(channel)
    summary = {"fi": "Kirkkotien vesijohto uusitaan ja vesi on poikki tiistaina kello yhdeksästä kahteentoista. "
                     "Vettä saa säiliöautosta koulun pihalta koko katkon ajan.",
               "sv": "Vattenledningen på Kyrkvägen förnyas och vattnet är avstängt på tisdag från nio till tolv. "
                     "Vatten finns i en tankbil på skolgården under hela avbrottet."}
    versions = {language: {**version, "summary": summary[language]} for language, version in VERSIONS.items()}
    message = publish(channel, versions=versions)
    outbox.drain()

    assert len(mastodon.posts) == 2
    for post in mastodon.posts:
        link = f"{SITE}/{post.language}/m/{message.pk}/"
        assert post.text.endswith(f"… {link}")
        assert post.text.startswith(versions[post.language]["title"])
        assert status_length(post.text, 23) <= 140 and channel.adapter.count(post.text) <= 140
        assert post.text.removesuffix(f"… {link}").strip() in f"{versions[post.language]['title']}\n\n" \
                                                               f"{summary[post.language]}"


def test_images_go_up_first_with_their_alternative_text_in_each_language(mastodon, channel, publish):
    message = publish(channel, images=[{"fi": "Puisto keväällä", "sv": "Parken på våren"},
                                       {"fi": "Kirkkotie", "sv": "Kyrkvägen"}])
    outbox.drain()

    assert {d.state for d in deliveries(message).values()} == {"delivered"}
    by_language = {p.language: p for p in mastodon.posts}
    assert [m.alt for m in by_language["fi"].media] == ["Puisto keväällä", "Kirkkotie"]
    assert [m.alt for m in by_language["sv"].media] == ["Parken på våren", "Kyrkvägen"]
    assert all(m.content_type == "image/png" and m.data.startswith(b"\x89PNG")
               for p in mastodon.posts for m in p.media)
    assert len(mastodon.requests_to("POST", r"^/api/v2/media$")) == 4, "the server's version picks the v2 endpoint"
    uploads = mastodon.requests_to("POST", r"^/api/v2/media$")
    assert all(r.headers["content-type"].startswith("multipart/form-data") for r in uploads)


def test_more_images_than_the_server_takes_are_stopped_before_publishing(mastodon, channel, cast, actor_of):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=[channel])
    for number in range(5):
        upload = SimpleUploadedFile(f"kuva{number}.png", png_bytes(colour=(number * 40, 0, 0)), "image/png")
        actions.do_add_image(actor_of(cast.editor), message, upload, {"fi": f"Kuva {number}", "sv": f"Bild {number}"})
    variant = Variant.objects.get(message=message, language="fi")
    assert [p.code for p in channel.adapter.validate(variant)] == ["too_many_images"]
