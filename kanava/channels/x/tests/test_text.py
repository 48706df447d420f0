"""Length as X counts it (weighted characters, links as 23), and what editors are told."""

import html

from kanava.channels.x.adapter import XAdapter, comparable
from kanava.publishing import actions
from kanava.publishing.models import Variant
from kanava.testing.platforms.x import shown_text

LINK = "https://www.pikkula.fi/fi/uutiset/2026/vesikatko-kirkkotiella-tiistaina-klo-9-12/"


def test_a_link_counts_as_23_however_long_it_is():
    assert len(LINK) > 23
    assert XAdapter.count(LINK) == 23
    assert XAdapter.count(f"Lue lisää: {LINK}") == len("Lue lisää: ") + 23
    assert XAdapter.count("Katso pikkula.fi") == len("Katso ") + 23, "X links a bare domain too"


def test_an_emoji_counts_as_2_and_finnish_and_swedish_letters_as_1():
    assert XAdapter.count("🙂") == 2
    assert XAdapter.count("👩‍👩‍👧") == 2, "one emoji however many code points"
    assert XAdapter.count("äöåÄÖÅ") == 6
    assert XAdapter.count("ä" * 280) == 280
    assert XAdapter.count("日本") == 4


def variant_with(cast, actor_of, channel, text):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[channel],
                                        versions={"fi": {"title": "Vesikatko", "body": "Vesi on poikki."},
                                                  "sv": {"title": "Vattenavbrott", "body": "Vattnet är avstängt."}})
    variant = Variant.objects.get(message=message, channel=channel, language="fi")
    return actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=text)


def test_280_weighted_characters_fit_and_281_are_too_long(cast, actor_of, x_channel):
    adapter = x_channel.adapter
    fits = variant_with(cast, actor_of, x_channel, "ä" * 256 + " " + LINK)
    assert adapter.length(fits).used == 280 and not adapter.length(fits).over
    assert not [p for p in adapter.validate(fits) if p.blocks]

    too_long = variant_with(cast, actor_of, x_channel, "ä" * 255 + "🙂 " + LINK)
    length = adapter.length(too_long)
    assert (length.used, length.limit) == (281, 280)
    (problem,) = [p for p in adapter.validate(too_long) if p.blocks]
    assert problem.code == "too_long" and "281" in problem.message and "thread" in problem.message


def test_a_long_text_offered_as_a_thread_is_no_longer_blocked(cast, actor_of, x_channel):
    variant = variant_with(cast, actor_of, x_channel, "Sana " * 120)
    Variant.objects.filter(pk=variant.pk).update(thread=True)
    variant.refresh_from_db()
    problems = x_channel.adapter.validate(variant)
    assert [p.code for p in problems] == ["thread"]
    assert "3 posts" in problems[0].message
    assert all(XAdapter.count(part) <= 280 for part in x_channel.adapter.parts(variant))


def test_the_derived_post_ends_with_a_link_to_the_whole_message(cast, actor_of, x_channel):
    message = actions.do_create_message(actor_of(cast.editor), cast.org, channels=[x_channel], versions={
        "fi": {"title": "Vesikatko", "body": "Vesi on poikki. " * 40},
        "sv": {"title": "Vattenavbrott", "body": "Vattnet är avstängt."}})
    variant = Variant.objects.get(message=message, channel=x_channel, language="fi")
    assert variant.text.endswith(f"/fi/m/{message.pk}/")
    assert XAdapter.count(variant.text) <= 280


def test_a_post_is_recognised_in_the_form_x_serves_it():
    sent = "Lue: https://www.pikkula.fi/a?b=1&c=2 & pikkula.fi <3\n\nKiitos!"
    served = shown_text(sent)
    assert "t.co" in served and "&amp;" in served and "&lt;3" in served
    assert comparable(html.unescape(served)) == comparable(sent)
    other = html.unescape(shown_text("Lue: https://toinen.fi/"))
    assert comparable(other) != comparable("Lue lisää: https://toinen.fi/")
