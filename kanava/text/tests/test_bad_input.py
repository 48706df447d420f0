"""Odd input never crashes the text tools and gives sane answers quickly
(no timing is asserted; a runaway would show as a hung test)."""

import os

import pytest

from kanava.text.classify import default_classifier
from kanava.text.language import identify
from kanava.text.readability import readability
from kanava.text.similarity import SimilarityIndex
from kanava.text.stems import stems, tokenise
from kanava.text.tone import tone_problems

BAD = {
    "empty": "",
    "whitespace": " \n\t ",
    "huge": ("Uimahalli suljetaan pysyvästi ensi vuonna. " * 25_000)[:1_000_000],
    "one huge word": "a" * 1_000_000,
    "binary": os.urandom(4096).decode("latin-1"),
    "nul bytes": "\x00" * 1000 + "Hei",
    "lone surrogate": "Hei \ud800 maailma",
    "mixed script": "Uimahalli закрывается 游泳池 suljetaan ✓ Σίγουρα",
    "emoji only": "😡😡😡🔥🔥👍🏽👨‍👩‍👧",
    "html": '<script>alert("x")</script><p onclick="evil()">Stängs <b>simhallen</b>?</p>&amp;&lt;',
    "right to left": "\u202eHei maailma\u202c",
    "zero width": "Uima\u200bhalli\u200d suljetaan",
}


@pytest.fixture(scope="module")
def index():
    return SimilarityIndex([("pool", "Uimahalli suljetaan pysyvästi"), ("pool", "Simhallen stängs för gott")])


@pytest.mark.parametrize("name", BAD)
def test_language_identification_survives(name):
    language, confidence = identify(BAD[name])
    assert language in ("fi", "sv", "en", "")
    assert 0.0 <= confidence <= 1.0


@pytest.mark.parametrize("name", BAD)
def test_classification_survives(name):
    [prediction] = default_classifier().predict([BAD[name]])
    assert prediction.label in prediction.scores
    assert 0.0 <= prediction.confidence <= 1.0


@pytest.mark.parametrize("name", BAD)
def test_similarity_survives(name, index):
    for key, score in index.search(BAD[name]):
        assert key == "pool" and 0.0 <= score <= 1.0 + 1e-9


@pytest.mark.parametrize("name", BAD)
def test_tone_and_readability_survive(name):
    text = BAD[name]
    for problem in tone_problems(text, "fi"):
        assert text[problem.start : problem.end] == problem.phrase
    measured = readability(text, "sv")
    assert measured.level in ("easy", "fairly easy", "standard", "hard")
    assert stems(text, "fi") is not None and tokenise(text) is not None


def test_emoji_only_and_empty_are_unknown_language():
    assert identify(BAD["emoji only"]) == ("", 0.0)
    assert identify(BAD["empty"]) == ("", 0.0)


def test_a_huge_text_is_still_read_for_what_it_says(index):
    assert identify(BAD["huge"])[0] == "fi"
    assert index.search(BAD["huge"])[0][0] == "pool"


def test_none_and_bytes_are_accepted():
    assert default_classifier().predict([None, b"\xff\xfe Hei"])[0].label
    assert tone_problems(None, "fi") == []
    assert readability(None, "fi").words == 0
