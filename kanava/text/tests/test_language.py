"""Language identification: Finnish, Swedish, English, or unknown."""

import os

import pytest

from kanava.text.language import identify


@pytest.mark.parametrize(
    "text, language",
    [
        ("Onko totta että uimahalli suljetaan ensi vuonna?", "fi"),
        ("Lumiaura ei ole käynyt meidän tiellä kolmeen päivään 😡", "fi"),
        ("miks ette vastaa mun viestiin", "fi"),
        ("Stängs simhallen för gott nästa år?", "sv"),
        ("Hej, när öppnar biblioteket på lördag?", "sv"),
        ("When does the swimming hall open again after the renovation?", "en"),
        ("thx for clearing the snow so fast!!", "en"),
    ],
)
def test_it_tells_finnish_swedish_and_english_apart(text, language):
    found, confidence = identify(text)
    assert found == language
    assert 0.5 <= confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ok", "😀😀😀👍", "12345 678", "!!!???", "https://example.org/pool-closing-news", "@kunta #uimahalli"],
)
def test_it_says_unknown_when_there_are_too_few_letters(text):
    assert identify(text) == ("", 0.0)


def test_it_says_unknown_for_binary_garbage():
    garbage = bytes(range(256)) * 4 + os.urandom(512)
    assert identify(garbage) == ("", 0.0)
    assert identify(garbage.decode("latin-1")) == ("", 0.0)


def test_it_says_unknown_for_other_scripts():
    assert identify("Когда снова откроется бассейн после ремонта?") == ("", 0.0)
    assert identify("游泳池什么时候重新开放") == ("", 0.0)


def test_it_says_unknown_for_a_clearly_different_language():
    assert identify("Tere! Millal ujula pärast remonti jälle avatakse? Ma elan Tallinnas.") == ("", 0.0)
    assert identify("Guten Tag, wann öffnet das Schwimmbad nach der Renovierung wieder?") == ("", 0.0)


def test_it_reads_text_inside_html_and_accepts_bytes():
    assert identify("<p>Hei, <b>milloin</b> kirjasto aukeaa huomenna?</p>")[0] == "fi"
    assert identify("När öppnar biblioteket?".encode())[0] == "sv"


def test_it_ignores_what_is_not_a_string():
    assert identify(None) == ("", 0.0)
    assert identify(12345) == ("", 0.0)
