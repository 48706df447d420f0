"""Lengths as Mastodon counts them, and statuses read back for recovery."""

from kanava.channels.mastodon.adapter import same_text
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import render_content, status_length

LINK = "https://www.pikkula.fi/asuminen/kaavoitus/vireilla-olevat-kaavat/kirkkotien-asemakaava"


def test_a_status_read_back_from_mastodons_html_matches_the_text_that_was_posted():
    text = f"Vesikatko & <huolto> tiistaina\n\nLisää: {LINK} #Pikkula #vesi\nKiitos!"
    content = render_content(text, "https://kanavala.social")
    assert "<p>" in content and "&amp;" in content and 'class="invisible"' in content
    assert same_text(content, text)
    assert same_text(content, text.replace("\n\n", "\n"))
    assert not same_text(content, text.replace("tiistaina", "keskiviikkona"))
    assert not same_text(content, text + " 1/2")


def test_links_count_as_the_server_reserves_for_them(cast):
    text = "Kaava. " * 10 + LINK
    standard = make_channel(cast.org, "mastodon", config={"instance_url": "https://a.example"})
    assert standard.adapter.count(text) == 70 + 23 == status_length(text, 23)
    other = make_channel(cast.org, "mastodon", config={"instance_url": "https://b.example"},
                         platform_state={"limits": {"characters_reserved_per_url": 30, "max_characters": 1000}})
    assert other.adapter.count(text) == 70 + 30 == status_length(text, 30)
    assert (other.adapter.limit(), standard.adapter.limit()) == (1000, 500)
