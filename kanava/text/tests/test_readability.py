"""Readability: LIX for Swedish and English, Wiio's long-word grade for Finnish."""

import pytest

from kanava.text.readability import (
    base_form_syllables,
    count_sentences,
    finnish_syllables,
    lix_level,
    readability,
    wiio_level,
)
from kanava.text.stems import stem


def test_lix_is_computed_as_by_hand():
    # Kommunstyrelsen(15) behandlade(10) ärendet(7) igår(4) / Beslutet(8) publiceras(10) imorgon(7):
    # 7 words, 2 sentences, 6 words longer than six letters -> 7/2 + 100*6/7 = 3.5 + 85.71 = 89.2
    measured = readability("Kommunstyrelsen behandlade ärendet igår. Beslutet publiceras imorgon.", "sv")
    assert (measured.words, measured.sentences, measured.long_words) == (7, 2, 6)
    assert measured.measure == "lix"
    assert measured.score == 89.2
    assert measured.level == "hard"
    assert measured.average_sentence_length == 3.5
    assert measured.long_word_percent == 85.7


def test_short_plain_swedish_is_easy():
    # 10 words, 2 sentences, no long word -> LIX 5
    measured = readability("Katten satt på mattan. Hunden sov i den stora korgen.", "sv")
    assert measured.score == 5.0
    assert measured.level == "easy"


def test_english_uses_lix_too():
    measured = readability("The council approved the budget. The pool opens on Monday.", "en")
    # 10 words, 2 sentences, long: council, approved -> 5 + 20 = 25
    assert (measured.measure, measured.score) == ("lix", 25.0)


@pytest.mark.parametrize(
    "lix, level", [(10, "easy"), (29.9, "easy"), (30, "fairly easy"), (45, "standard"), (50, "hard"), (75, "hard")]
)
def test_lix_bands(lix, level):
    assert lix_level(lix) == level


@pytest.mark.parametrize(
    "word, syllables",
    [("talo", 2), ("tietoa", 3), ("korkeaa", 3), ("kunnanvaltuusto", 5), ("ympäristölautakunta", 8), ("puu", 1)],
)
def test_finnish_syllables_are_counted_by_vowel_nuclei(word, syllables):
    assert finnish_syllables(word) == syllables


@pytest.mark.parametrize(
    "word, base_syllables",
    # base forms: kaupunki, talousarvio, käsitellä, talo, punainen, asukas
    [("kaupungin", 3), ("talousarvion", 5), ("käsitteli", 4), ("talossammekin", 2), ("punainen", 3), ("asukkaat", 3)],
)
def test_base_form_syllables_are_estimated_from_the_stem(word, base_syllables):
    assert base_form_syllables(word, stem(word, "fi")) == base_syllables


def test_finnish_long_word_grade_is_computed_as_by_hand():
    # kunnanvaltuusto (5 syllables), käsitteli (käsitellä, 4), talousarvion (talousarvio, 5) are long;
    # talo, on, punainen are not: PS = 3/6 * 100 = 50 -> grade 2.7 + 0.3 * 50 = 17.7
    measured = readability("Kunnanvaltuusto käsitteli talousarvion. Talo on punainen.", "fi")
    assert measured.measure == "wiio"
    assert (measured.words, measured.long_words, measured.long_word_percent) == (6, 3, 50.0)
    assert measured.score == 17.7
    assert measured.level == "hard"


def test_finnish_case_endings_alone_do_not_make_a_word_long():
    # LIX would call "kirjastossa" and "lauantaina" long; by syllables of the base form they are not.
    measured = readability("Kirjasto on auki lauantaina. Tule käymään kirjastossa!", "fi")
    assert measured.long_words == 0
    assert measured.level == "easy"


def test_long_finnish_sentences_are_hard_even_with_short_words():
    sentence = " ".join(["talo on iso ja puu on pieni ja"] * 4) + " kissa nukkuu."
    measured = readability(sentence, "fi")
    assert measured.average_sentence_length > 20
    assert measured.level == "hard"


@pytest.mark.parametrize("grade, level", [(5, "easy"), (8, "fairly easy"), (10, "standard"), (12, "hard")])
def test_wiio_bands(grade, level):
    assert wiio_level(grade) == level


def test_sentences_end_at_punctuation_and_line_breaks_but_not_inside_numbers():
    assert count_sentences("Vesikatko klo 9.30–12. Varaa vettä!\nKiitos") == 3


def test_empty_text_is_easy_and_zero():
    measured = readability("", "fi")
    assert (measured.words, measured.sentences, measured.score, measured.level) == (0, 0, 0.0, "easy")
