"""Words, stems and stop words."""

import unicodedata

from kanava.text.stems import is_stop_word, stem, stems, tokenise, tokens


def test_words_are_lowercased_letters_with_scandinavian_letters_kept():
    assert tokenise("Älä YLLÄTÄ: Åbo, Öja & Ärrä-79!") == ["älä", "yllätä", "åbo", "öja", "ärrä"]


def test_a_decomposed_letter_stays_inside_its_word():
    decomposed = unicodedata.normalize("NFD", "Päiväkoti")
    assert tokenise(decomposed) == ["päiväkoti"]


def test_tokens_know_where_they_are_in_the_text():
    text = "Hei, kyseisen asian osalta"
    found = tokens(text)
    assert [text[t.start : t.end] for t in found] == ["Hei", "kyseisen", "asian", "osalta"]


def test_very_long_runs_of_letters_are_not_words():
    assert tokenise("a" * 500 + " uimahalli") == ["uimahalli"]


def test_inflected_finnish_forms_share_a_stem():
    assert stem("uimahalli", "fi") == stem("uimahallin", "fi") == stem("uimahallia", "fi")


def test_inflected_swedish_forms_share_a_stem():
    assert stem("simhall", "sv") == stem("simhallen", "sv") == stem("simhallar", "sv")
    assert stem("stängs", "sv") == stem("stänga", "sv")


def test_english_stems():
    assert stem("closing", "en") == stem("closes", "en") == "close"


def test_an_unknown_language_leaves_words_as_they_are():
    assert stem("uimahallin", "") == "uimahallin"


def test_stop_words_are_left_out_unless_asked_for():
    assert stems("Onko totta että uimahalli suljetaan?", "fi") == [stem("uimahalli", "fi"), stem("suljetaan", "fi")]
    assert "et" in stems("Onko totta että uimahalli suljetaan?", "fi", drop_stop_words=False)
    assert is_stop_word("och", "sv") and is_stop_word("the", "en") and not is_stop_word("simhallen", "sv")
    assert is_stop_word("the", "")


def test_threads_stem_side_by_side():
    from concurrent.futures import ThreadPoolExecutor

    words = ["uimahallin", "kirjastossa", "kaupungilta"] * 2000
    expected = [stem(word, "fi") for word in words]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: stems(" ".join(words), "fi", drop_stop_words=False), range(8)))
    assert all(result == expected for result in results)
