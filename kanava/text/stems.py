"""Words and Snowball stems for Finnish, Swedish and English.

Finnish and Swedish inflect heavily ("uimahalli", "uimahallin", "uimahallia";
"simhall", "simhallen", "simhallar"), so matching and classifying work on
stems rather than on the words as written.  The stems come from the Snowball
stemmers in PyStemmer; they are not dictionary lemmas (Finnish consonant
gradation, "sulkea"/"suljetaan", is not undone), which is why similarity and
the classifier also look at character n-grams.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass

import Stemmer

LANGUAGES = ("fi", "sv", "en")
SNOWBALL_NAMES = {"fi": "finnish", "sv": "swedish", "en": "english"}

# A word is a run of letters, with combining marks kept inside it so that a
# decomposed "ä" (a + U+0308) stays one word; digits and "_" split words.
WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
# Longer "words" are noise (base64, a 1 MB run of one letter); they are cut
# here so that nothing downstream spends time on them.
MAX_WORD_LENGTH = 40

# Small hand-written lists: function words, pronouns and the fillers residents
# write around the point ("onko totta että", "hörde att").  Kept short on
# purpose: a stop word never counts towards similarity or classification.
STOP_WORDS = {
    "fi": frozenset(
        """
        ja tai sekä mutta vaan kun jos että jotta koska kuin niin myös vain jo vielä nyt sitten siis
        ei en et emme ette eivät ole on olen olet olemme olette ovat oli olivat ollut olla onko oliko
        minä sinä hän me te he mä sä se ne tämä tuo nämä nuo mikä mitä mikä joka jotka jonka joita
        minun sinun hänen meidän teidän heidän mun sun sen sitä siitä siihen sille niitä niiden näitä
        tässä siinä tästä täällä siellä tänne sinne mitään jotain jokin joku kaikki kaikkia
        kuten koko tai vai mm esim eli ym yms kyllä no joo jaa hei moi terve kiitos
        totta tosi kai ehkä aika ihan vähän paljon
        """.split()
    ),
    "sv": frozenset(
        """
        och eller men utan att som om när då så också bara redan nu sedan än
        inte ej är var vara varit blir blev bli har hade haft ha kan kunde ska skall skulle vill ville
        jag du han hon vi ni de den det dem denna detta dessa vad vem vilken vilket vilka
        min mitt mina din ditt dina sin sitt sina vår vårt våra er ert era hans hennes deras
        mig dig honom henne oss er sig dom dem man en ett
        i på av för till från med om under över hos vid mot utan efter före genom
        här där hit dit något någon några alla allt
        ja nej jo nå hej tack
        sant hörde hört väl kanske ganska mycket lite
        """.split()
    ),
    "en": frozenset(
        """
        a an the and or but nor so yet if then than that this these those there here
        is are was were be been being am do does did done have has had having
        i you he she it we they me him her us them my your his its our their mine yours
        what which who whom whose when where why how
        of in on at by for with about against between into through during before after above
        below to from up down out off over under again further once
        not no yes all any both each few more most other some such only own same too very
        can will just should would could may might must
        hi hello hey thanks thank please ok okay
        true really heard
        """.split()
    ),
}


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: ``word`` lowercased (NFC), ``start``/``end`` are
    offsets into the text as given, so a match can be shown in place."""

    word: str
    start: int
    end: int


def tokenise(text: str) -> list[str]:
    """The words of ``text``, lowercased, NFC-normalised, letters only
    (å, ä, ö and other letters kept).  Never raises on odd input."""
    if not isinstance(text, str) or not text:
        return []
    # The hot path of similarity and classification: no Token objects.
    return [
        (word if word.isascii() else unicodedata.normalize("NFC", word)).lower()
        for word in WORD.findall(text)
        if len(word) <= MAX_WORD_LENGTH
    ]


def tokens(text: str) -> list[Token]:
    """The words of ``text`` with their offsets into ``text``."""
    if not isinstance(text, str) or not text:
        return []
    found = []
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) > MAX_WORD_LENGTH:
            continue
        if not word.isascii():
            word = unicodedata.normalize("NFC", word)
        found.append(Token(word.lower(), match.start(), match.end()))
    return found


_local = threading.local()


def _stemmer(language: str):
    """This thread's stemmer for ``language``.  PyStemmer's stemmers are not
    thread-safe (each keeps a cache of recent words, which makes repeated
    words nearly free), and web and worker processes run threads."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(language)
    if stemmer is None:
        stemmer = stemmers[language] = Stemmer.Stemmer(SNOWBALL_NAMES[language])
    return stemmer


def stem_words(words: list[str], language: str) -> list[str]:
    """Snowball stems of already lowercased ``words``.  For an unknown
    language ("" or anything but fi/sv/en) the words come back unchanged:
    a wrong stemmer does more harm than none."""
    if language not in SNOWBALL_NAMES:
        return list(words)
    return _stemmer(language).stemWords(words)


def stem(word: str, language: str) -> str:
    """The Snowball stem of one lowercased word (unchanged for an unknown language)."""
    return stem_words([word], language)[0]


def is_stop_word(word: str, language: str) -> bool:
    """Whether ``word`` (lowercased) is on ``language``'s stop-word list; for an
    unknown language, whether it is on any of them."""
    if language in STOP_WORDS:
        return word in STOP_WORDS[language]
    return any(word in words for words in STOP_WORDS.values())


def stems(text: str, language: str, drop_stop_words: bool = True) -> list[str]:
    """The stems of the words of ``text`` in order, stop words left out unless
    ``drop_stop_words`` is false."""
    words = tokenise(text)
    if drop_stop_words:
        words = [word for word in words if not is_stop_word(word, language)]
    return stem_words(words, language)
