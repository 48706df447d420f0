"""Length as Bluesky counts it, threads split between words, and record keys that stay the same on a retry."""

import re
from datetime import UTC, datetime

from kanava.channels.bluesky.adapter import BlueskyAdapter, record_key
from kanava.channels.social import text as social_text
from kanava.publishing.models import Variant
from kanava.testing.platforms.bluesky import TID

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # four people joined into one family
E_WITH_ACUTE = "e\u0301"  # an e and a combining acute accent
FINNISH_FLAG = "\U0001F1EB\U0001F1EE"

WORDS = ("Pääkirjaston", "lukusali", "avautuu", "öisin", "myös", "ryhmille,", "ja", "työpajoissa", "käydään",
         "läpi", "e-kirjastoa.", FAMILY, "Välkommen", "till", "biblioteket!")


def long_text(graphemes: int) -> str:
    words, i = [], 0
    while social_text.graphemes(" ".join(words)) < graphemes:
        words.append(WORDS[i % len(WORDS)])
        i += 1
    return " ".join(words)


def test_a_family_emoji_counts_as_one_although_it_is_seven_code_points():
    assert len(FAMILY) == 7
    assert BlueskyAdapter.count(FAMILY) == 1
    assert BlueskyAdapter.count(FAMILY * 300) == 300


def test_combining_accents_and_flags_count_as_what_a_reader_sees():
    assert len(f"Caf{E_WITH_ACUTE}") == 5
    assert BlueskyAdapter.count(f"Caf{E_WITH_ACUTE}") == 4
    assert BlueskyAdapter.count(f"Hei {FINNISH_FLAG}!") == 6
    assert BlueskyAdapter.count("Pääkirjasto") == 11


def test_a_700_grapheme_text_becomes_a_thread_split_between_whole_words(channel):
    text = long_text(700)
    assert social_text.graphemes(text) >= 700
    variant = Variant(channel=channel, language="fi", text=text, thread=True)

    parts = channel.adapter.parts(variant)

    assert len(parts) == 3
    assert all(social_text.graphemes(part) <= 300 for part in parts)
    assert [re.search(r" (\d)/3$", part).group(1) for part in parts] == ["1", "2", "3"]
    words = [word for part in parts for word in re.sub(r" \d/3$", "", part).split()]
    assert words == text.split()  # every word once, in order, none cut in two


def test_record_keys_are_valid_tids_the_same_on_every_attempt_and_different_for_every_post():
    created = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
    first = [record_key("kanava-1-2-fi-0-abc", created, i) for i in range(3)]
    again = [record_key("kanava-1-2-fi-0-abc", created, i) for i in range(3)]
    other = record_key("kanava-1-2-sv-0-def", created, 0)

    assert first == again
    assert len(set(first + [other])) == 4
    assert all(TID.match(key) for key in first + [other])
    assert first == sorted(first)  # the parts of a thread sort in their order
