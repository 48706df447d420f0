"""A tone check for replies: defensive, dismissive or bureaucratic phrasing,
and text that is hard to read.

Field experience behind the inbox: a reply calms a discussion when it is
plain, personal and does not defend the institution.  ``tone_problems``
returns stable codes ("defensive", "dismissive", "bureaucratic",
"hard_to_read") with the phrase as written and its offsets; the Django side
words the advice and translates it.

Phrases are matched on Snowball stems, so inflected forms hit ("kyseisen
asian" hits "kyseinen"; "som vi redan har sagt" hits "som vi redan sagt").
A pattern is written as words separated by spaces, where each word is

- ``word``: any form with the same stem ("ansvar" matches "ansvaret");
- ``pref*``: any word beginning with ``pref`` as written, for Finnish words
  whose stems vary with consonant gradation ("tode*|tote*": "todettiin",
  "totesimme", "toteamme");
- ``a|b``: either.

One extra word may stand between two pattern words ("kuten olemme jo
aiemmin todenneet").  Patterns of all three languages are checked whatever
``language`` says, because bilingual municipalities write bilingual replies.
"""

from dataclasses import dataclass
from functools import lru_cache

from kanava.text.readability import HARD, SENTENCE_END, readability
from kanava.text.stems import LANGUAGES, stem_words, tokens

DEFENSIVE, DISMISSIVE, BUREAUCRATIC, HARD_TO_READ = "defensive", "dismissive", "bureaucratic", "hard_to_read"

# How far a draft is read: a reply is never longer, and the check must stay
# instant whatever is pasted into the box.
MAX_CHARACTERS = 20_000
# Extra words allowed between two words of a pattern.
MAX_GAP = 1
# Readability of a few words is noise; below this a text is never "hard".
MIN_WORDS_FOR_READABILITY = 12

SAID_FI = "tode*|tote*|kerro*|kerto*|sano*|mainit*|vastat*|vastan*|vastas*|selvit*|korost*"
SAID_SV = "sagt*|sade|sagts|påpek*|nämn*|skriv*|skrev*|förklar*|meddel*|svar*"
SAID_EN = "said|stated|state|explained|mentioned|told|pointed|noted|answered|clarified"

PATTERNS = {
    "fi": {
        DEFENSIVE: [
            f"kuten jo aiemmin {SAID_FI}",
            f"kuten aiemmin {SAID_FI}",
            f"kuten jo {SAID_FI}",
            f"kuten olemme {SAID_FI}",
            "olemme jo vastan*|vastat*|käsitel*|selvit*",
            "asia on jo käsitel*|käsitt*|selvitet*",
            "toista* vielä kerran",
            "et|ette|olet|olette ole ymmär*",
            "olet|olette ymmärtän* väärin",
            "toimi* lain|säädösten|ohjeiden|sääntöjen mukaisesti",
            "emme ole tehneet mitään väärää",
            "kuten kaikki tietävät",
        ],
        DISMISSIVE: [
            "ei kuulu* meille|meihin|kunnalle|kaupungille|toimivalt*",
            "ei ole meidän vastuu*|asia*|ongelm*|tehtäv*",
            "ei ole kunnan|kaupungin vastuu*|asia*|ongelm*|tehtäv*",
            "emme voi asia* mitään",
            "emme voi tehdä mitään",
            "teidän|sinun ongelm*",
            "turha valit*",
            "kääntykää|käänny jonkun|muiden puole*",
        ],
        BUREAUCRATIC: [
            "kysei*",
            "asianomai*",
            "toimenpit*|toimenpid*|toimenpite* ryhty*",
            "edellä mainit*|esitet*|todet*",
            "siltä osin",
            "johdosta",
            "huomioiden",
            "informoi*",
            "tarkoituksenmukai*",
        ],
    },
    "sv": {
        DEFENSIVE: [
            f"som vi redan {SAID_SV}",
            f"som tidigare {SAID_SV}",
            f"som vi {SAID_SV} tidigare",
            "vi har redan svar*|besvar*|behandl*",
            "ni har missförst*",
            "du har missförst*",
            "följt lag*|regl*|riktlinj*",
            "har inte gjort något fel",
            "som alla vet",
        ],
        DISMISSIVE: [
            "inte vårt ansvar|bord|problem",
            "inte kommunens ansvar|bord|problem",
            "angår inte oss|kommun*",
            "kan inte göra något åt",
            "inget vi kan göra",
            "ert|ditt problem",
            "lönt att klaga",
        ],
        BUREAUCRATIC: [
            "vederbör*",
            "härmed",
            "i enlighet med",
            "medelst",
            "därest",
            "jämlikt",
            "erhåll*",
            "beträffande",
            "ifrågavarande",
            "ovannämn*|ovan nämn*|åvannämn*",
            "tillhandahåll*",
            "föreliggande",
        ],
    },
    "en": {
        DEFENSIVE: [
            f"as we have already {SAID_EN}",
            f"as we already {SAID_EN}",
            f"as previously {SAID_EN}",
            f"as we {SAID_EN} before|earlier|previously",
            f"as {SAID_EN} above|before|earlier",
            "we have already answered|responded|addressed|dealt",
            "you have misunderstood",
            "you misunderstood",
            "with all due respect",
            "we have done nothing wrong",
            "acted in accordance with the law|rules",
            "as everyone knows",
        ],
        DISMISSIVE: [
            "not our responsibility|problem|job|concern|fault",
            "not the council's|municipality's|city's responsibility|problem|job|concern",
            "nothing we can do",
            "not something we can help",
            "take it up with",
            "your problem",
            "no point complaining",
        ],
        BUREAUCRATIC: [
            "pursuant to",
            "herewith",
            "hereby",
            "aforementioned|aforesaid",
            "heretofore",
            "forthwith",
            "henceforth",
            "notwithstanding",
            "inter alia",
            "in accordance with",
            "the undersigned",
            "in respect of",
        ],
    },
}


@dataclass(frozen=True, slots=True)
class ToneProblem:
    """One finding: ``code`` is stable; ``phrase`` is ``text[start:end]``."""

    code: str
    phrase: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a pattern: matching stems and surface prefixes."""

    stems: frozenset
    prefixes: tuple

    def matches(self, word: str, stem: str) -> bool:
        return stem in self.stems or word.startswith(self.prefixes)


def _compile_word(spec: str, language: str) -> _Word:
    choices = spec.split("|")
    prefixes = tuple(choice[:-1] for choice in choices if choice.endswith("*"))
    whole = [choice for choice in choices if not choice.endswith("*")]
    return _Word(frozenset(stem_words(whole, language)), prefixes)


@dataclass(frozen=True)
class _Patterns:
    """One language's patterns, indexed by their first word so that a long
    text costs one dictionary look-up per word, not one test per pattern."""

    by_first_stem: dict  # stem -> [(code, words)]
    by_first_prefix: list  # [(code, words)] whose first word has prefixes
    first_prefixes: tuple  # every prefix of those first words, for one startswith()

    def candidates(self, word: str, stem: str):
        yield from self.by_first_stem.get(stem, ())
        if word.startswith(self.first_prefixes):
            yield from self.by_first_prefix


@lru_cache(maxsize=None)
def _compiled(language: str) -> _Patterns:
    """``language``'s patterns, compiled once per process."""
    by_stem, by_prefix = {}, []
    for code, patterns in PATTERNS[language].items():
        for pattern in patterns:
            words = tuple(_compile_word(spec, language) for spec in pattern.lower().split())
            for first_stem in words[0].stems:
                by_stem.setdefault(first_stem, []).append((code, words))
            if words[0].prefixes:
                by_prefix.append((code, words))
    prefixes = tuple(prefix for _, words in by_prefix for prefix in words[0].prefixes)
    return _Patterns(by_stem, by_prefix, prefixes)


def _match_at(pattern: tuple[_Word, ...], words: list[str], stems: list[str], i: int) -> int | None:
    """The index of the last word of ``pattern`` matched from word ``i``, or None."""
    if not pattern[0].matches(words[i], stems[i]):
        return None
    last = i
    for part in pattern[1:]:
        for j in range(last + 1, min(last + 2 + MAX_GAP, len(words))):
            if part.matches(words[j], stems[j]):
                last = j
                break
        else:
            return None
    return last


def phrase_problems(text: str, language: str) -> list[ToneProblem]:
    """Defensive, dismissive and bureaucratic phrases of one ``language``'s
    patterns found in ``text``."""
    found = tokens(text)
    words = [token.word for token in found]
    stems = stem_words(words, language)
    patterns = _compiled(language)
    problems = []
    for i, (word, stem) in enumerate(zip(words, stems)):
        for code, pattern in patterns.candidates(word, stem):
            last = _match_at(pattern, words, stems, i)
            if last is not None:
                start, end = found[i].start, found[last].end
                problems.append(ToneProblem(code, text[start:end], start, end))
    return problems


def _without_overlaps(problems: list[ToneProblem]) -> list[ToneProblem]:
    """One finding per place: of overlapping findings with the same code the
    longest is kept."""
    kept: list[ToneProblem] = []
    for problem in sorted(problems, key=lambda p: (p.start, -(p.end - p.start))):
        if any(k.code == problem.code and k.start <= problem.start < k.end for k in kept):
            continue
        kept.append(problem)
    return kept


def _longest_sentence(text: str) -> tuple[int, int]:
    """Offsets of the sentence with the most words, to point at when the
    text as a whole is hard to read."""
    best, best_words, start = (0, len(text)), -1, 0
    for match in [*SENTENCE_END.finditer(text), None]:
        end = match.end() if match else len(text)
        count = len(tokens(text[start:end]))
        if count > best_words:
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip())
            best, best_words = (start + lead, start + len(piece.rstrip())), count
        start = end
    return best


def hard_to_read(text: str, language: str) -> ToneProblem | None:
    """A "hard_to_read" finding pointing at the longest sentence when the
    text's readability level is "hard" (see readability.py), else None."""
    measured = readability(text, language)
    if measured.words < MIN_WORDS_FOR_READABILITY or measured.level != HARD:
        return None
    start, end = _longest_sentence(text)
    return ToneProblem(HARD_TO_READ, text[start:end], start, end)


def tone_problems(text: str, language: str) -> list[ToneProblem]:
    """Everything the tone check finds in ``text`` (a draft reply written in
    ``language``: "fi", "sv", "en" or "" for unknown), ordered by position.
    Only the first 20,000 characters are read.  Never raises on odd input."""
    if not isinstance(text, str) or not text.strip():
        return []
    text = text[:MAX_CHARACTERS]
    problems = []
    for pattern_language in LANGUAGES:
        problems.extend(phrase_problems(text, pattern_language))
    problems = _without_overlaps(problems)
    hard = hard_to_read(text, language)
    if hard is not None:
        problems.append(hard)
    return sorted(problems, key=lambda p: (p.start, p.end, p.code))
