"""Text as the platforms count it: counters, threads and shortened variants.

Property-style: many texts generated from a fixed seed (Finnish and Swedish
words, emoji sequences, combining marks, CJK, links short and long, words
longer than a post, no-break spaces, paragraphs), each split and shortened
with every platform's counter, and the promises checked on every result.
"""

import random
import re

import pytest
import regex

from kanava.channels.social import text
from kanava.channels.social.text import (characters, characters_urls_as_23, graphemes, shorten_with_link,
                                         split_thread, x_weighted)

GRAPHEME = regex.compile(r"\X")
NUMBER = re.compile(r" (\d+)/(\d+)$")

WORDS = ("kunnanvaltuusto päättää äänestys öljylämmitys Kirkkotiellä vesikatko tiistaina klo 9–12 "
         "kommunfullmäktige beslutar Kyrkvägen vattenavbrott tisdag kl. Pikkula Ähtäri Åland ÖVERSTE "
         "liikenne- ja rakennuslautakunta yhteispalvelupiste").split()
EMOJI = ["👨‍👩‍👧‍👦", "🇫🇮", "🇸🇪", "👍🏽", "❤️", "1️⃣", "🏳️‍🌈", "🧑🏿‍🚀"]
COMBINING = ["e\u0301", "a\u0308", "o\u0308", "A\u030a", "n\u0303", "Z\u0335\u0336"]
CJK = ["漢字", "ひらがな", "한국어"]
URLS = ["https://pikkula.fi/fi/m/12/", "https://www.pikkula.fi/asuminen/jatehuolto?kieli=sv&sivu=3",
        "http://example.org/" + "polku/" * 60]
ENDINGS = [".", "!", "?", ":", "…", ",", ""]


def make_text(rng: random.Random, size: int) -> str:
    """A text of about ``size`` words, in paragraphs of sentences, with everything that is hard to cut."""
    paragraphs, paragraph, sentence = [], [], []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.06:
            word = rng.choice(EMOJI)
        elif roll < 0.11:
            word = rng.choice(WORDS) + rng.choice(COMBINING)
        elif roll < 0.14:
            word = rng.choice(CJK)
        elif roll < 0.18:
            word = rng.choice(URLS)
        elif roll < 0.19:
            word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzåäö") for _ in range(rng.randint(320, 700)))
        elif roll < 0.21:
            word = f"{rng.randint(1, 999)}\u00a0000\u00a0€"
        else:
            word = rng.choice(WORDS)
        sentence.append(word)
        if rng.random() < 0.12:
            paragraph.append(" ".join(sentence) + rng.choice(ENDINGS))
            sentence = []
        if rng.random() < 0.04 and paragraph:
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    paragraph.append(" ".join(sentence))
    paragraphs.append(" ".join(paragraph))
    separator = rng.choice(["\n\n", "\n", "\n\n\n"])
    return separator.join(p for p in paragraphs if p.strip())


def boundaries(value: str) -> set[int]:
    """Offsets where a grapheme cluster starts or ends."""
    found = {0}
    for match in GRAPHEME.finditer(value):
        found.add(match.end())
    return found


def without_number(part: str, index: int, total: int) -> str:
    if total == 1:
        return part
    match = NUMBER.search(part)
    assert match and (int(match.group(1)), int(match.group(2))) == (index, total), part[-20:]
    return part[:match.start()]


def assert_good_thread(source: str, parts: list[str], limit: int, count) -> None:
    """Every part fits with its number; the parts are the text, in order, cut only between graphemes."""
    source = source.strip()
    assert parts, "no parts"
    assert all(count(part) <= limit for part in parts), [count(p) for p in parts]
    bodies = [without_number(part, i, len(parts)) for i, part in enumerate(parts, start=1)]
    edges = boundaries(source)
    cursor = 0
    for i, body in enumerate(bodies):
        assert body and body == body.strip(), repr(body[:40])
        start = source.find(body, cursor)
        assert start >= 0, f"part {i + 1} is not the next piece of the text: {body[:60]!r}"
        gap = source[cursor:start]
        assert gap.strip() == "", f"lost between parts: {gap!r}"
        assert start in edges and start + len(body) in edges, "a cut inside a grapheme cluster"
        if i and not gap:  # cut inside a word: only a word too long for a whole post may be
            word_start = max(source.rfind(c, 0, start) for c in " \n") + 1
            word_end = min([j for j in (source.find(" ", start), source.find("\n", start)) if j >= 0]
                           or [len(source)])
            assert count(source[word_start:word_end]) > limit - count(f" {len(parts)}/{len(parts)}"), \
                f"a word was cut: {source[word_start:word_end][:40]!r}"
        cursor = start + len(body)
    assert source[cursor:].strip() == "", "the end of the text was lost"


COUNTERS = [(characters, 500), (graphemes, 300), (characters_urls_as_23, 500), (characters, 2200)]


@pytest.mark.parametrize("count,limit", COUNTERS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_generated_texts_split_into_parts_that_fit_and_lose_nothing(count, limit):
    rng = random.Random(f"threads-{count.__name__}-{limit}")
    for _ in range(80):
        source = make_text(rng, rng.randint(5, 400))
        assert_good_thread(source, split_thread(source, limit, count), limit, count)


def test_generated_texts_split_for_x_with_its_weighted_count():
    rng = random.Random("threads-x")
    for _ in range(15):  # X's own counter is slow: fewer, but every kind of text
        source = make_text(rng, rng.randint(30, 160))
        assert_good_thread(source, split_thread(source, 280, x_weighted), 280, x_weighted)


@pytest.mark.parametrize("count,limit", COUNTERS + [(x_weighted, 280)], ids=lambda v: getattr(v, "__name__", str(v)))
def test_shortened_texts_fit_end_with_the_link_and_are_the_texts_beginning(count, limit):
    rng = random.Random(f"shorten-{count.__name__}")
    link = "https://uutiset.pikkula.fi/fi/m/4711/"
    for _ in range(15 if count is x_weighted else 100):
        source = make_text(rng, rng.randint(1, 300)).strip()
        result = shorten_with_link(source, limit, link, count)
        assert count(result) <= limit
        assert result.endswith(link)
        if count(f"{source}\n\n{link}") <= limit:
            assert result == f"{source}\n\n{link}"
            continue
        head = result[: -len(f" … {link}")]
        assert result == f"{head} … {link}"
        assert source.startswith(head)
        assert len(head) in boundaries(source)


def test_a_text_that_fits_is_one_post_without_a_number():
    assert split_thread("  Vesikatko tiistaina.  ", 500) == ["Vesikatko tiistaina."]


def test_a_thread_prefers_ending_posts_at_paragraphs():
    # 191, 175, 223 and 159 characters: each more than half a post, no two together fit in one
    paragraphs = [" ".join(["Lause on tässä."] * n) for n in (12, 11, 14, 10)]
    parts = split_thread("\n\n".join(paragraphs), 300)
    assert [without_number(p, i, len(parts)) for i, p in enumerate(parts, start=1)] == paragraphs


def test_a_thread_ends_a_post_at_a_sentence_rather_than_in_the_middle_of_one():
    source = ("Kunnanvaltuusto kokoontuu maanantaina. " * 6 + "Esityslistalla on talousarvio, "
              "investoinnit, koulujen korjaukset ja uuden päiväkodin rakentaminen Kirkkotien varteen. ") * 2
    parts = split_thread(source, 280)
    assert all(without_number(p, i, len(parts)).endswith(".") for i, p in enumerate(parts, start=1))


def test_numbers_of_a_long_thread_take_their_real_width():
    source = " ".join(["sana"] * 2000)  # 9,999 characters: parts 1/36 ... 36/36
    parts = split_thread(source, 300)
    assert len(parts) > 9 and parts[-1].endswith(f" {len(parts)}/{len(parts)}")
    assert all(len(p) <= 300 for p in parts)


def test_a_word_longer_than_a_post_is_cut_between_graphemes():
    word = "👨‍👩‍👧‍👦" * 400  # every family is one grapheme of seven code points
    parts = split_thread(word, 300, graphemes)
    bodies = [without_number(p, i, len(parts)) for i, p in enumerate(parts, start=1)]
    assert "".join(bodies) == word
    assert all(len(body) % 7 == 0 for body in bodies)
    assert all(graphemes(p) <= 300 for p in parts)


def test_a_no_break_space_keeps_a_number_with_its_unit():
    source = ("Avustusta myönnetään enintään 1\u00a0000\u00a0€ hakijaa kohden. " * 30).strip()
    parts = split_thread(source, 280)
    assert all(not without_number(p, i, len(parts)).endswith(("1", "000")) for i, p in enumerate(parts, start=1))


def test_a_space_with_a_combining_mark_is_not_a_place_to_cut():
    # " \u0301" is one grapheme cluster (a space carrying an accent): no line may break inside it.
    assert text._tokens("a \u0301b c") == ["a \u0301b ", "c"]
    assert text._tokens("x \u0301 y") == ["x \u0301 ", "y"]
    assert text._tokens("yksi\u00a0000 kaksi") == ["yksi\u00a0000 ", "kaksi"]


def test_shorten_keeps_whole_words_and_drops_a_dangling_comma():
    source = "Vesikatko Kirkkotiellä tiistaina, torstaina ja perjantaina klo 9–12."
    assert shorten_with_link(source, 53, "https://p.fi/m/1/") == "Vesikatko Kirkkotiellä tiistaina … https://p.fi/m/1/"


def test_shorten_of_a_text_that_fits_only_without_the_link_still_ends_with_the_link():
    source = "x" * 490
    result = shorten_with_link(source, 500, "https://p.fi/m/1/")
    assert result.endswith("… https://p.fi/m/1/") and len(result) <= 500


def test_shorten_cuts_one_enormous_word_between_graphemes():
    result = shorten_with_link("🇫🇮" * 400, 300, "https://p.fi/m/1/", graphemes)
    assert graphemes(result) <= 300 and result.endswith("… https://p.fi/m/1/")
    assert len(result.split(" ")[0]) % 2 == 0  # whole flags: two regional indicators each


def test_shorten_without_a_link_ends_with_an_ellipsis():
    assert shorten_with_link("yksi kaksi kolme neljä", 12, "") == "yksi kaksi …"


def test_a_link_longer_than_the_limit_is_all_that_is_left():
    link = "https://p.fi/" + "a" * 60
    assert shorten_with_link("Lyhyt teksti tässä.", 40, link) == link


def test_x_counts_every_link_as_23_and_wide_characters_as_two():
    assert x_weighted("https://pikkula.fi/" + "a" * 300) == 23
    assert x_weighted("Katso https://pikkula.fi/fi/m/12/") == len("Katso ") + 23
    assert x_weighted("äöå ÄÖÅ") == 7
    assert x_weighted("漢字") == 4
    assert x_weighted("👨‍👩‍👧‍👦") == 2
    assert x_weighted("e\u0301") == 1  # X counts after normalising to NFC


def test_graphemes_count_what_a_reader_sees_as_one_character():
    assert graphemes("👨‍👩‍👧‍👦🇫🇮👍🏽1️⃣") == 4
    assert graphemes("e\u0301a\u0308") == 2
    assert graphemes("Åbo") == 3


def test_mastodon_counts_each_link_as_23_characters():
    assert characters_urls_as_23("https://pikkula.fi/" + "a" * 300) == 23
    assert characters_urls_as_23("a https://p.fi b http://x.org/y") == 2 + 23 + 3 + 23
    assert characters_urls_as_23("äö") == 2
