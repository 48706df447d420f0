"""Publishing to Bluesky through the outbox, against the local PDS with the atproto SDK."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kanava.channels.base import ChannelError
from kanava.channels.bluesky.adapter import MAX_IMAGE_BYTES
from kanava.channels.social import text as social_text
from kanava.channels.social.adapter import Outgoing
from kanava.publishing import actions, outbox
from kanava.publishing.checks import check_message
from kanava.publishing.models import Delivery

from .test_text import FAMILY, long_text

pytestmark = pytest.mark.outbox


def posts_in(bluesky, language):
    return [post for post in bluesky.posts if post.langs == [language]]


def refs(post) -> dict:
    """The strong references (uri, cid) a reply carries to its thread's root and parent."""
    return {part: (ref["uri"], ref["cid"]) for part, ref in post.reply.items() if part in ("root", "parent")}


def test_a_bilingual_message_goes_out_as_one_post_per_language_with_its_language(bluesky, channel, publish):
    message = publish(channel)
    outbox.drain()

    deliveries = {d.language: d for d in Delivery.objects.filter(message=message)}
    assert {lang: d.state for lang, d in deliveries.items()} == {"fi": "delivered", "sv": "delivered"}
    assert sorted(post.langs for post in bluesky.posts) == [["fi"], ["sv"]]
    fi, sv = posts_in(bluesky, "fi")[0], posts_in(bluesky, "sv")[0]
    assert fi.text.startswith("Kirjasto avautuu\n\nPääkirjasto on taas auki maanantaina.")
    assert sv.text.startswith("Biblioteket öppnar\n\nHuvudbiblioteket är öppet igen på måndag.")
    assert fi.reply_to is None and fi.handle == "kanavala.bsky.social"
    assert deliveries["fi"].external_id == fi.uri
    assert deliveries["fi"].url == f"{bluesky.url}/profile/kanavala.bsky.social/post/{fi.rkey}"
    assert deliveries["fi"].detail["parts"][0]["extra"] == {"uri": fi.uri, "cid": fi.cid, "rkey": fi.rkey}
    assert not bluesky.requests_to("POST", r"createSession$")  # the stored session is used, no new sign-in


def test_the_link_facet_counts_utf8_bytes_so_letters_like_a_and_o_before_the_link_do_not_shift_it(
        bluesky, channel, publish):
    message = publish(channel)
    outbox.drain()

    for language in ("fi", "sv"):
        post = posts_in(bluesky, language)[0]
        link = f"https://uutiset.pikkula.fi/{language}/m/{message.pk}/"
        encoded = post.text.encode("utf-8")
        start = encoded.index(link.encode())
        assert start != post.text.index(link)  # ä, ö and å take two bytes each
        links = [f for f in post.facets if f["features"][0]["$type"] == "app.bsky.richtext.facet#link"]
        assert [facet["features"] for facet in links] == [[{"$type": "app.bsky.richtext.facet#link", "uri": link}]]
        index = links[0]["index"]
        assert (index["byteStart"], index["byteEnd"]) == (start, start + len(link.encode()))
        assert encoded[index["byteStart"]:index["byteEnd"]].decode() == link


def test_hashtags_become_tag_facets(bluesky, channel, publish):
    publish(channel, texts={"fi": "Tervetuloa #pääkirjasto avajaisiin!", "sv": "Välkommen till #biblioteket!"})
    outbox.drain()

    post = posts_in(bluesky, "fi")[0]
    start = post.text.encode().index("#pääkirjasto".encode())
    assert post.facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "pääkirjasto"}]
    index = post.facets[0]["index"]
    assert (index["byteStart"], index["byteEnd"]) == (start, start + len("#pääkirjasto".encode()))


def test_a_700_grapheme_text_goes_out_as_a_thread_with_root_and_parent_references(bluesky, channel, publish):
    text = long_text(700)
    message = publish(channel, texts={"fi": text, "sv": "Se den finska tråden."}, thread=True)
    report = check_message(message)
    assert report.ok
    assert [p.code for p in report.per_channel[channel.pk]] == ["thread"]

    outbox.drain()

    first, second, third = posts_in(bluesky, "fi")
    assert [social_text.graphemes(p.text) <= 300 for p in (first, second, third)] == [True, True, True]
    assert [p.text[-4:] for p in (first, second, third)] == [" 1/3", " 2/3", " 3/3"]
    assert first.reply is None
    assert refs(second) == {"root": (first.uri, first.cid), "parent": (first.uri, first.cid)}
    assert refs(third) == {"root": (first.uri, first.cid), "parent": (second.uri, second.cid)}
    assert FAMILY in first.text + second.text + third.text
    delivery = Delivery.objects.get(message=message, language="fi")
    assert delivery.external_id == first.uri
    assert [part["id"] for part in delivery.detail["parts"]] == [first.uri, second.uri, third.uri]
    assert len(posts_in(bluesky, "sv")) == 1


def test_images_go_out_with_their_alt_text_in_the_posts_language(bluesky, channel, publish):
    publish(channel, images=[{"fi": "Lukusali ikkunan valossa.", "sv": "Läsesalen i ljuset från fönstret."},
                             {"fi": "Kirjaston ovi.", "sv": "Bibliotekets dörr."}])
    outbox.drain()

    fi, sv = posts_in(bluesky, "fi")[0], posts_in(bluesky, "sv")[0]
    assert [image.alt for image in fi.images] == ["Lukusali ikkunan valossa.", "Kirjaston ovi."]
    assert [image.alt for image in sv.images] == ["Läsesalen i ljuset från fönstret.", "Bibliotekets dörr."]
    assert {image.mime_type for image in fi.images} == {"image/png"}
    assert (fi.images[0].aspect_ratio["width"], fi.images[0].aspect_ratio["height"]) == (60, 40)
    assert fi.record["embed"]["$type"] == "app.bsky.embed.images"


def test_an_image_over_bluesky_s_one_megabyte_is_made_smaller_instead_of_refused(bluesky, channel, publish, cast,
                                                                                  actor_of):
    buffer = io.BytesIO()
    Image.effect_noise((900, 700), 90).convert("RGB").save(buffer, format="PNG")
    assert buffer.tell() > MAX_IMAGE_BYTES
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions={
        "fi": {"title": "Kohinaa", "body": "Iso kuva."}, "sv": {"title": "Brus", "body": "En stor bild."}},
        channels=[channel])
    actions.do_add_image(actor_of(cast.editor), message, SimpleUploadedFile("iso.png", buffer.getvalue(),
                                                                            "image/png"),
                         {"fi": "Harmaata kohinaa.", "sv": "Grått brus."})
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()

    image = posts_in(bluesky, "fi")[0].images[0]
    assert image.mime_type == "image/jpeg" and image.size <= MAX_IMAGE_BYTES
    assert image.alt == "Harmaata kohinaa."


def test_a_text_over_300_graphemes_is_stopped_before_publishing_unless_it_goes_as_a_thread(
        bluesky, channel, cast, actor_of):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions={
        "fi": {"title": "Pitkä", "body": "Teksti."}, "sv": {"title": "Lång", "body": "Text."}}, channels=[channel])
    variant = message.variants.get(language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title="Pitkä", text=long_text(320))

    problems = check_message(message).per_channel[channel.pk]

    assert [(p.code, p.blocks) for p in problems] == [("too_long", True)]
    assert "publish it as a thread" in problems[0].message


def test_the_pds_refuses_a_post_over_300_graphemes_and_the_reason_is_shown(bluesky, channel):
    out = Outgoing(text=long_text(301), index=0, total=1, key="handmade-1", language="fi")

    with pytest.raises(ChannelError) as refused:
        channel.adapter.post(out)

    assert refused.value.permanent
    assert "must not be longer than 300 graphemes" in str(refused.value)
    assert bluesky.posts == []


def test_posting_the_same_part_again_finds_the_first_post_instead_of_making_a_second(bluesky, channel):
    out = Outgoing(text="Sama viesti kahdesti? Ei koskaan.", index=0, total=1, key="handmade-2", language="fi")
    adapter = channel.adapter

    first = adapter.post(out)
    again = channel.adapter.post(out)

    assert again.id == first.id and again.extra["cid"] == first.extra["cid"]
    assert len(bluesky.posts) == 1
    assert len(bluesky.requests_to("POST", r"createRecord$")) == 2  # the second was refused at the same key


def test_a_short_text_of_many_emoji_is_stopped_by_bluesky_s_3000_byte_limit(bluesky, channel, cast, actor_of):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions={
        "fi": {"title": "Perhe", "body": "Perheet."}, "sv": {"title": "Familj", "body": "Familjer."}},
        channels=[channel])
    variant = message.variants.get(language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title="Perhe", text=FAMILY * 150)

    problems = check_message(message).per_channel[channel.pk]

    assert social_text.graphemes(FAMILY * 150) == 150
    assert [(p.code, p.blocks) for p in problems] == [("too_many_bytes", True)]
