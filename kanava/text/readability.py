"""How easy a text is to read, with a measure suited to each language.

Swedish and English: LIX (läsbarhetsindex, Björnsson 1968)::

    LIX = words / sentences + 100 * long words / words

where a long word has more than six letters.  The usual Swedish bands are
< 30 very easy, 30-40 easy, 40-50 standard (newspapers), 50-60 hard (official
texts), > 60 very hard (bureaucratic).  LIX works for English too (Anderson
1983), with the same bands.

Finnish: LIX reads Finnish as hard whatever one writes, because case endings
and compounds make most ordinary words longer than six letters ("kirjastossa",
"uimahallin").  The measure used here is Osmo A. Wiio's simplest readability
formula for Finnish (as given in Wiio, *Viestinnän perusteet*, 5th ed.,
Weilin + Göös 1989, and cited in J. Haataja's master's thesis at TKK)::

    grade = 2.7 + 0.3 * PS

where PS is the number of long words, words of at least four syllables in
their base form, per hundred words; the result estimates the school grade
(1-12) a reader needs.  It was made for Finnish, counts syllables, not letters
(so "talossammekin" is not long: its base form "talo" has two).  Base forms need a lemmatiser,
which we do not ship; the base form's syllables are estimated from the
Snowball stem (endings, possessive suffixes and clitics removed) plus one
syllable when the stemmer cut the word down to a consonant ("kaupung" for
"kaupungin", base "kaupunki").  The estimate is checked against hand counts
in the tests; it undercounts some verb forms by one ("hyväksyi": three
syllables, base "hyväksyä" four), so the score errs on the easy side.

Average sentence length is shown for every language and, for Finnish, also
sets a floor on the level (long sentences are hard even with short words).
"""

import re
from dataclasses import dataclass

from kanava.text.stems import stem_words, tokenise

EASY, FAIRLY_EASY, STANDARD, HARD = "easy", "fairly easy", "standard", "hard"

# A sentence ends at . ! ? or : followed by a space or the end, or at a line
# break (list items and short lines are sentences of their own).  "klo 9.30"
# and "1.5.2025" do not end sentences.
SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n+")
# Only the start of a text is measured: 100,000 characters are a long report,
# and a score is settled long before; a pasted 1 MB text must stay quick.
MAX_CHARACTERS = 100_000
LIX_LONG_WORD = 7  # letters: "more than six"
WIIO_LONG_WORD = 4  # syllables in the base form
FINNISH_VOWELS = frozenset("aeiouyäö")
# Two vowels that make one syllable nucleus: long vowels and diphthongs.
FINNISH_NUCLEI = frozenset(
    "aa ee ii oo uu yy ää öö ai ei oi ui yi äi öi au eu iu ou ey iy äy öy ie uo yö".split()
)


@dataclass(frozen=True)
class Readability:
    """``score`` is LIX (sv, en and unknown) or Wiio's grade (fi); ``level``
    is one of "easy", "fairly easy", "standard", "hard".  The counts are there
    to be shown next to the score."""

    language: str
    measure: str  # "lix" or "wiio"
    score: float
    level: str
    words: int
    sentences: int
    long_words: int
    long_word_percent: float
    average_sentence_length: float


def lix_level(lix: float) -> str:
    """The four levels from LIX's bands: < 30 (very easy) "easy"; 30-40
    (easy) "fairly easy"; 40-50 "standard"; 50 and above (hard, very hard)
    "hard" -- the text a reply should be rewritten from."""
    if lix < 30:
        return EASY
    if lix < 40:
        return FAIRLY_EASY
    if lix < 50:
        return STANDARD
    return HARD


def wiio_level(grade: float) -> str:
    """Levels from Wiio's school-grade estimate: below 7 (primary school)
    "easy"; 7-9 (comprehensive school) "fairly easy"; 9-11 (general
    newspaper text) "standard"; 11 and above (upper secondary and beyond,
    where official Finnish tends to sit) "hard"."""
    if grade < 7:
        return EASY
    if grade < 9:
        return FAIRLY_EASY
    if grade < 11:
        return STANDARD
    return HARD


def sentence_length_level(average: float) -> str:
    """Levels from average words per sentence, for Finnish: up to 10 "easy"
    (the plain-language advice), up to 15 "fairly easy", up to 20
    "standard", above that "hard"."""
    if average <= 10:
        return EASY
    if average <= 15:
        return FAIRLY_EASY
    if average <= 20:
        return STANDARD
    return HARD


LEVELS = (EASY, FAIRLY_EASY, STANDARD, HARD)


def count_sentences(text: str) -> int:
    """Sentences in ``text``: pieces between sentence ends that hold a word."""
    return sum(1 for piece in SENTENCE_END.split(text) if tokenise(piece))


def finnish_syllables(word: str) -> int:
    """Syllables in a lowercased Finnish word: one per vowel nucleus, where a
    long vowel or a diphthong is one nucleus and other vowel pairs are two
    ("tie-to-a", "kor-ke-aa")."""
    count, i = 0, 0
    while i < len(word):
        if word[i] not in FINNISH_VOWELS:
            i += 1
            continue
        if word[i : i + 2] in FINNISH_NUCLEI:
            i += 2
        else:
            i += 1
        count += 1
    return count


def base_form_syllables(word: str, stem: str) -> int:
    """Estimated syllables of ``word``'s base form from its Snowball ``stem``."""
    syllables = finnish_syllables(stem)
    if stem != word and stem and stem[-1] not in FINNISH_VOWELS:
        syllables += 1
    return syllables


def readability(text: str, language: str) -> Readability:
    """The readability of ``text`` in ``language`` ("fi" uses Wiio's formula,
    anything else LIX), read up to MAX_CHARACTERS.  An empty text scores 0,
    "easy"."""
    text = text[:MAX_CHARACTERS] if isinstance(text, str) else ""
    words = tokenise(text)
    sentences = max(count_sentences(text), 1) if words else 0
    average = len(words) / sentences if sentences else 0.0
    if language == "fi":
        long_words = sum(
            1 for word, stem in zip(words, stem_words(words, "fi")) if base_form_syllables(word, stem) >= WIIO_LONG_WORD
        )
        percent = 100 * long_words / len(words) if words else 0.0
        score = 2.7 + 0.3 * percent if words else 0.0
        level = max(wiio_level(score), sentence_length_level(average), key=LEVELS.index) if words else EASY
        measure = "wiio"
    else:
        long_words = sum(1 for word in words if len(word) >= LIX_LONG_WORD)
        percent = 100 * long_words / len(words) if words else 0.0
        score = average + percent
        level = lix_level(score)
        measure = "lix"
    return Readability(
        language=language,
        measure=measure,
        score=round(score, 1),
        level=level,
        words=len(words),
        sentences=sentences,
        long_words=long_words,
        long_word_percent=round(percent, 1),
        average_sentence_length=round(average, 1),
    )
