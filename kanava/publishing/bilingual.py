"""The bilingual check: do the Finnish and Swedish versions of a message say the same things?

A bilingual organisation (``required_languages`` holds both ``fi`` and ``sv``)
must inform in both languages (Language Act 423/2003), and the two versions
must agree.  :func:`bilingual_problems` compares them before review and
returns *warnings* (they never block: a translation may legitimately say
things differently).  A missing version is not reported here: it is already
an error in :func:`kanava.publishing.checks.language_problems`.

What is compared, on the plain text of title, summary and body:

- **Length.**  Swedish runs about 10 % longer than Finnish
  (:data:`SWEDISH_EXPANSION`); after dividing the Swedish length by that,
  one version more than :data:`LENGTH_RATIO` (1.6) times the other is flagged,
  when the longer one has at least :data:`MIN_LENGTH` characters (short
  titles-only messages vary too much to say anything).
- **Phone numbers** (found by the privacy guard's scanner, normalised:
  ``040 123 4567`` = ``+358 40 1234567``) and **email addresses**.
- **Dates**: ``5.12.2026``, ``5.12.``, ``5.–7.12.2026``, ``2026-12-05``,
  ``5. joulukuuta 2026``, ``5 december 2026``, ``den 5 dec``; a date without a
  year matches the same day and month with any year.
- **Times**: ``klo 14``, ``kl. 14.30``, ``klockan 14:30``, ``14.30``, ranges
  ``klo 9–12``; all as ``HH:MM``.
- **Other numbers**: ``1 200 €``, ``12,50``, ``15 %``, ``00100``; compared by
  value.  A small whole number (up to 12) missing from the other version is
  not flagged when that version spells a number word (``kolme``, ``tre``).
  A decimal *point* between hour-like digits (``12.50``) reads as a time:
  Finnish and Swedish write decimals with a comma.
- **Names**: capitalised words that are not at the start of a sentence.  A
  name matches a word of the other version with the same beginning (Finnish
  inflects names: *Virtanen*, *Virtasen*).  Place and street names are
  translated (*Kirkkokatu*, *Kyrkogatan*; *Kela*, *FPA*) and which unmatched
  word translates which cannot be told reliably (a name at a sentence start
  is not even seen as one), so only a person's name is flagged: a common
  first name followed by a surname, never translated, missing from the other
  version.  (Counting unmatched names on each side was tried on the demo
  texts and flagged correct translations.)  ``Kyrkogatan (Kirkkokatu)``
  pairs the two names.

The extraction functions (``facts``, ``compare``) are plain Python with no
Django import, testable on their own; ``bilingual_problems`` wraps them for
the check panel.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

#: Swedish text is about this much longer than the same Finnish text.
SWEDISH_EXPANSION = 1.10
#: One version longer than the other by more than this (after the expansion) is flagged.
LENGTH_RATIO = 1.6
#: The longer version must have at least this many characters for the length to say anything.
MIN_LENGTH = 120
#: Whole numbers up to this may be spelt out in the other version.
SPELLED_UP_TO = 12

# -- months and number words ------------------------------------------------------------

FI_MONTHS = ["tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras", "joulu"]
SV_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december"]
SV_MONTH_SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def _month_number(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for number, stem in enumerate(FI_MONTHS, start=1):
        if word.startswith(stem + "kuu"):
            return number
    for number, name in enumerate(SV_MONTHS, start=1):
        if word == name:
            return number
    for number, short in enumerate(SV_MONTH_SHORT, start=1):
        if word == short or (short == "sep" and word == "sept"):
            return number
    return None


_MONTH_WORD = (r"(?:(?:" + "|".join(FI_MONTHS) + r")kuu(?:ta|n|ssa)?|" + "|".join(SV_MONTHS) + "|"
               + "|".join(SV_MONTH_SHORT) + r"|sept)\.?")

# Beginnings of number words (Finnish inflects: kolme, kolmen, kolmas, kolmannessa).
NUMBER_WORDS = {
    1: ("yksi", "yhde", "yhtä", "yhte", "ensimm", "en ", "ett ", "första"),
    2: ("kaksi", "kahde", "kahta", "kahte", "toinen", "toise", "toista", "två", "andra"),
    3: ("kolm", "tre ", "tredje"),
    4: ("neljä", "fyra", "fjärde"),
    5: ("viisi", "viide", "viitt", "fem ", "femte"),
    6: ("kuusi", "kuude", "kuutt", "sex ", "sjätte"),
    7: ("seitsem", "sju ", "sjunde"),
    8: ("kahdeks", "åtta", "åttonde"),
    9: ("yhdeks", "nio ", "nionde"),
    10: ("kymmen", "tio ", "tionde"),
    11: ("yksitoista", "yhdestoista", "elva", "elfte"),
    12: ("kaksitoista", "kahdestoista", "tolv"),
}

# Common first names in Finland (Finnish and Swedish), for telling a person's name from a place's.
FIRST_NAMES = frozenset("""
Aada Aino Aki Aleksi Anders Anna Anne Anneli Annika Antti Ari Arja Arto Asko Birgitta Björn Bo Camilla Carita
Christer Christian Daniel Eeva Eero Eetu Eija Eila Eino Elias Elin Elina Ella Emil Emilia Emma Erik Erkki Esa
Eva Eveliina Fredrik Göran Hanna Hannele Hannu Harri Heidi Heikki Heli Helena Helmi Henri Henrik Ida Ilkka
Ilona Irma Jaakko Jan Jani Janne Jari Jarmo Jenni Jessica Johan Johanna Johannes Joni Joonas Jouko Jouni Juha
Juhani Juho Jukka Jussi Kaarina Kai Kaija Kaisa Kaj Kalle Kari Karin Karl Katja Kimmo Kirsi Kristian
Kristiina Kristina Lars Lasse Laura Lauri Leena Leo Liisa Linnea Magnus Maija Malin Mari Maria Marika
Marja Marjatta Marko Markku Markus Martti Mats Matti Merja Mia Mika Mikael Mikko Minna Mirja Niina Niko
Niklas Nina Nils Noora Olli Onni Oskari Outi Paavo Pasi Paula Pauli Pekka Pentti Per Pertti Peter Petra
Petri Petteri Pia Pirjo Päivi Raimo Reijo Riikka Riitta Risto Ritva Sami Sanna Sara Sari Satu Seija Seppo
Sirpa Sofia Stefan Susanna Suvi Tapani Tapio Teemu Tero Thomas Tiina Timo Tomi Tommi Toni Tuomas Tuomo Tuula
Ulf Ulla Ulrika Ville Väinö
""".split())

# -- the facts of one version ----------------------------------------------------------

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_SPACE = "[ \u00a0\u202f]"
_DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# The end of a numeric date: ".2026", ".26", "." or nothing (Swedish often writes "15.6"), not a longer number.
_DATE_END = r"(?:\.(\d{4}|\d{2}(?!\d))?|(?![\d,]))"
# 5.–7.12.2026, 5–7.12., 5.-7.12.26, 1–14.6
_NUMERIC_RANGE = re.compile(rf"\b(\d{{1,2}})\.?{_SPACE}?{_DASH}{_SPACE}?(\d{{1,2}})\.(\d{{1,2}}){_DATE_END}")
# 5.12.2026, 5.12.26, 5.12., 5.12 (a month over 12 makes it a time: 14.30)
_NUMERIC_DATE = re.compile(rf"\b(\d{{1,2}})\.(\d{{1,2}}){_DATE_END}")
# 5. joulukuuta 2026, 5 december 2026, 5–7 december, 5.–7. joulukuuta
_NAMED_DATE = re.compile(
    rf"\b(\d{{1,2}})\.?(?:{_SPACE}?{_DASH}{_SPACE}?(\d{{1,2}})\.?)?{_SPACE}+({_MONTH_WORD})(?:{_SPACE}+(\d{{4}}))?\b",
    re.I)
_CLOCK = r"(?:klo|kl\.?|kello|klockan)"
_HOUR = r"(?:[01]?\d|2[0-3])(?:[.:][0-5]\d)?"
_CLOCK_TIME = re.compile(rf"\b{_CLOCK}{_SPACE}*({_HOUR})(?:{_SPACE}?{_DASH}{_SPACE}?({_HOUR}))?(?!\d)", re.I)
_BARE_TIME = re.compile(r"(?<![\d.,:])((?:[01]?\d|2[0-3])[.:][0-5]\d)(?![\d,]|[.:]\d)")
_NUMBER = re.compile(rf"(?<![\w.,])(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+|\d+)(?:[,.]\d+)?(?![\w])")
_PERCENT = re.compile(rf"^{_SPACE}?(?:%|prosent|procent)", re.I)
_MONEY = re.compile(rf"^{_SPACE}?(?:€|eur)", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass
class Facts:
    """What one version says that the other must say too, each normalised value with how it was written."""

    length: int = 0
    phones: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    dates: dict[tuple[int, int, int | None], str] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)
    numbers: dict[Decimal, str] = field(default_factory=dict)
    names: list["Name"] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # every word, for matching names and number words
    text: str = ""


@dataclass
class Name:
    text: str  # "Matti Virtanen", "Kirkkokatu"
    parts: list[str]
    person: bool  # a first name followed by a surname
    partners: list[str] = field(default_factory=list)  # written next to it in parentheses: "Kyrkogatan (Kirkkokatu)"


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _year(value: str | None) -> int | None:
    if not value:
        return None
    year = int(value)
    return year + 2000 if year < 100 else year


def _valid(day: int, month: int, year: int | None) -> bool:
    try:
        datetime.date(year or 2024, month, day)  # 2024: a leap year, so 29.2. without a year is valid
    except ValueError:
        return False
    return year is None or 1900 <= year <= 2100


def _preceded_by_clock(text: str, start: int) -> bool:
    return re.search(rf"{_CLOCK}{_SPACE}*$", text[max(0, start - 10):start], re.I) is not None


def _add_date(facts: Facts, day: int, month: int, year: int | None, written: str) -> bool:
    if _valid(day, month, year):
        facts.dates.setdefault((day, month, year), written.strip())
        return True
    return False


def _take_named_dates(text: str, facts: Facts) -> str:
    """ISO dates and dates with the month's name; before clock times, which cannot look like them."""
    def add(day, month, year, written):
        return _add_date(facts, day, month, year, written)

    for match in list(_ISO_DATE.finditer(text)):
        if add(int(match[3]), int(match[2]), int(match[1]), match[0]):
            text = _blank(text, match.start(), match.end())
    for match in list(_NAMED_DATE.finditer(text)):
        month = _month_number(match[3])
        if month is None:
            continue
        year = _year(match[4])
        first = add(int(match[1]), month, year, match[0])
        if match[2]:
            add(int(match[2]), month, year, match[0])
        if first:
            text = _blank(text, match.start(), match.end())
    return text


def _take_numeric_dates(text: str, facts: Facts) -> str:
    """5.12.2026, 5.12., 15.6 and ranges; after clock times ("klo 10.11." is a time)."""
    def add(day, month, year, written):
        return _add_date(facts, day, month, year, written)

    for match in list(_NUMERIC_RANGE.finditer(text)):
        if _preceded_by_clock(text, match.start()):
            continue  # "klo 9–11.10" is a time
        month, year = int(match[3]), _year(match[4])
        if _valid(int(match[1]), month, year) and _valid(int(match[2]), month, year):
            add(int(match[1]), month, year, match[0])
            add(int(match[2]), month, year, match[0])
            text = _blank(text, match.start(), match.end())
    for match in list(_NUMERIC_DATE.finditer(text)):
        if _preceded_by_clock(text, match.start()):
            continue  # "klo 10.11." at the end of a sentence is a time
        if add(int(match[1]), int(match[2]), _year(match[3]), match[0]):
            text = _blank(text, match.start(), match.end())
    return text


def _clock(value: str) -> str:
    hour, _sep, minutes = value.replace(":", ".").partition(".")
    return f"{int(hour):02d}:{minutes or '00'}"


def _take_clock_times(text: str, facts: Facts) -> str:
    for match in list(_CLOCK_TIME.finditer(text)):
        for value in (match[1], match[2]):
            if value:
                facts.times.setdefault(_clock(value), " ".join(match[0].split()))
        text = _blank(text, match.start(), match.end())
    return text


def _take_bare_times(text: str, facts: Facts) -> str:
    for match in list(_BARE_TIME.finditer(text)):
        facts.times.setdefault(_clock(match[1]), match[1])
        text = _blank(text, match.start(), match.end())
    return text


def _take_numbers(text: str, facts: Facts) -> None:
    for match in _NUMBER.finditer(text):
        written = match[0]
        digits = re.sub(_SPACE, "", written).replace(",", ".")
        try:
            value = Decimal(digits)
        except InvalidOperation:
            continue
        after = text[match.end():match.end() + 12]
        if _PERCENT.match(after):
            written += " %"
        elif _MONEY.match(after):
            written += " €"
        facts.numbers.setdefault(value.normalize(), written)


def _phone(written: str) -> str:
    """``+358 (0)40 123 4567``, ``00358 40 1234567`` and ``040-123 4567`` are one number."""
    digits = re.sub(r"\(0\)", "", written)
    digits = "".join(char for char in digits if char.isdigit() or char == "+")
    for prefix in ("+358", "00358"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix):]
    return digits


def _take_contacts(text: str, facts: Facts) -> str:
    from kanava.privacy import scan  # plain Python, like this part of the module

    for finding in reversed(scan.scan(text)):
        if finding.kind == scan.PHONE:
            facts.phones.setdefault(_phone(finding.text), finding.text)
        elif finding.kind == scan.EMAIL:
            facts.emails.setdefault(finding.text.lower(), finding.text)
        else:
            continue
        text = _blank(text, finding.start, finding.end)
    return text


def _sentence_start(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence, a paragraph or a list item (capitalised anyway).

    A single line break is a soft wrap inside a paragraph, as in Markdown; a blank line starts a paragraph.
    """
    before = text[:start]
    if re.search(r"(?:\A|\n)[ \t]*\n[ \t]*\Z|\A\s*\Z", before):
        return True
    if before.rstrip().rstrip("\"'”“»«(").rstrip().endswith((".", "!", "?", ":", "•")):
        return True
    return re.fullmatch(r"\s*(?:[-*+#>]+|\d+[.)])\s*", before.rsplit("\n", 1)[-1]) is not None


def _take_names(text: str, facts: Facts) -> None:
    """Capitalised words not at the start of a sentence, consecutive ones joined into one name.

    ``text`` has the numbers already blanked out; where sentences start is read
    from the original text (``facts.text``): "… 28.11. Salen rymmer" starts one.
    """
    original = facts.text
    groups: list[list[re.Match]] = []
    previous: re.Match | None = None  # the last capitalised word kept
    for match in _WORD.finditer(text):
        word = match[0]
        facts.words.append(word.lower())
        if not word[0].isupper():
            continue
        joined = previous is not None and re.fullmatch(r"[ \u00a0-]", text[previous.end():match.start()])
        if joined:
            groups[-1].append(match)
        elif not _sentence_start(original, match.start()) or word in FIRST_NAMES:
            groups.append([match])
        else:
            previous = None
            continue
        previous = match
    for group in groups:
        parts = [match[0] for match in group]
        if len(parts) == 1 and _sentence_start(original, group[0].start()):
            continue  # a first name alone at a sentence start may be a word ("Kai", "Per"): only with a surname
        name = Name(" ".join(parts), parts, person=len(parts) >= 2 and parts[0] in FIRST_NAMES)
        inside = re.match(r"\s*\(([^)]{1,60})\)", text[group[-1].end():group[-1].end() + 80])
        if inside:
            name.partners = [word for word in _WORD.findall(inside[1]) if word[0].isupper()]
        facts.names.append(name)
    # "Kyrkogatan (Kirkkokatu)": each of the two is the other's partner.
    for name, following in zip(facts.names, facts.names[1:]):
        if set(following.parts) <= set(name.partners):
            following.partners = following.partners + name.parts


def facts(text: str) -> Facts:
    """The comparable facts of one version's plain text."""
    found = Facts(length=len(" ".join(text.split())), text=text)
    rest = _URL.sub(lambda match: " " * len(match[0]), text)
    rest = _take_contacts(rest, found)
    rest = _take_named_dates(rest, found)
    rest = _take_clock_times(rest, found)
    rest = _take_numeric_dates(rest, found)
    rest = _take_bare_times(rest, found)
    _take_numbers(rest, found)
    _take_names(rest, found)
    return found


# -- comparing two versions -------------------------------------------------------------

def same_stem(one: str, other: str) -> bool:
    """Whether two words are one name, inflected or not: ``Virtanen``/``Virtasen``, ``Helsinki``/``Helsingissä``."""
    one, other = one.lower(), other.lower()
    if one == other:
        return True
    shorter = min(len(one), len(other))
    if shorter < 4:
        return False
    common = 0
    for a, b in zip(one, other):
        if a != b:
            break
        common += 1
    return common >= 4 and common >= shorter - 3


def _found_in(word: str, words: list[str]) -> bool:
    return any(same_stem(word, other) for other in words)


def _spelled(value: Decimal, text: str) -> bool:
    if value != value.to_integral_value() or not 0 < value <= SPELLED_UP_TO:
        return False
    padded = " " + " ".join(text.lower().split()) + " "
    return any(f" {word}" in padded for word in NUMBER_WORDS.get(int(value), ()))


@dataclass
class Difference:
    """Something in one version (``language``) that the other (``other``) lacks."""

    what: str  # "length", "phones", "emails", "dates", "times", "numbers", "names"
    language: str
    other: str
    values: list[str]
    lengths: tuple[int, int] = (0, 0)  # for "length": (this version, the other)


def _only(mine: dict, theirs: dict) -> list[str]:
    return [written for key, written in mine.items() if key not in theirs]


def _date_only(mine: dict, theirs: dict) -> list[str]:
    def matched(key):
        day, month, year = key
        return any(d == day and m == month and (year is None or y is None or y == year) for d, m, y in theirs)

    return [written for key, written in mine.items() if not matched(key)]


def _unmatched_names(mine: Facts, theirs: Facts) -> list[Name]:
    partners: dict[str, set[str]] = {}  # a name's partners from any of its occurrences
    for name in mine.names:
        partners.setdefault(name.text.lower(), set()).update(partner.lower() for partner in name.partners)
    missing = []
    for name in mine.names:
        if any(_found_in(partner, theirs.words) for partner in partners[name.text.lower()]):
            continue
        if name.person:
            # first name exactly (or inflected), and the surname
            if not all(_found_in(part.lower(), theirs.words) for part in name.parts):
                missing.append(name)
        elif not any(_found_in(part.lower(), theirs.words) for part in name.parts):
            missing.append(name)
    return missing


def _distinct(names: list[Name]) -> list[Name]:
    seen, kept = set(), []
    for name in names:
        key = name.text.lower()
        if not any(same_stem(key, other) for other in seen):
            seen.add(key)
            kept.append(name)
    return kept


def compare(first: Facts, second: Facts, languages: tuple[str, str] = ("fi", "sv")) -> list[Difference]:
    """What differs between two versions' facts; ``languages`` names them (the second is the Swedish one
    when the length expansion applies)."""
    one, two = languages
    differences = []
    expansion = {("fi", "sv"): SWEDISH_EXPANSION, ("sv", "fi"): 1 / SWEDISH_EXPANSION}.get((one, two), 1)
    a, b = first.length, second.length / expansion
    if min(a, b) > 0 and max(first.length, second.length) >= MIN_LENGTH and max(a, b) / min(a, b) > LENGTH_RATIO:
        longer, shorter = (one, two) if a > b else (two, one)
        lengths = (first.length, second.length) if a > b else (second.length, first.length)
        differences.append(Difference("length", longer, shorter, [], lengths))
    for what, only in (("phones", _only), ("emails", _only), ("dates", _date_only), ("times", _only)):
        for mine, theirs, language, other in ((first, second, one, two), (second, first, two, one)):
            values = only(getattr(mine, what), getattr(theirs, what))
            if values:
                differences.append(Difference(what, language, other, values))
    for mine, theirs, language, other in ((first, second, one, two), (second, first, two, one)):
        values = [written for value, written in mine.numbers.items()
                  if value not in theirs.numbers and not _spelled(value, theirs.text)]
        if values:
            differences.append(Difference("numbers", language, other, values))
    missing = {one: _distinct(_unmatched_names(first, second)), two: _distinct(_unmatched_names(second, first))}
    for language, other in ((one, two), (two, one)):
        # Only people: place, street and institution names are translated (Kirkkokatu, Kyrkogatan; Kela, FPA),
        # and which unmatched word translates which cannot be told reliably; a person's name never is.
        flagged = [name for name in missing[language] if name.person]
        if flagged:
            differences.append(Difference("names", language, other, [name.text for name in flagged]))
    return differences


# -- the check panel -------------------------------------------------------------------

def _version_text(version) -> str:
    from kanava.publishing.render import markdown_to_text

    return "\n\n".join(part for part in (version.title, version.summary, markdown_to_text(version.body)) if part)


def _messages():
    from django.utils.translation import gettext_lazy as _

    return {
        "length": _("The %(language)s text is much longer than the %(other)s text (%(long)s against %(short)s "
                    "characters). Check that both versions say the same."),
        "phones": _("Phone numbers in the %(language)s text are missing from the %(other)s text: %(values)s."),
        "emails": _("Email addresses in the %(language)s text are missing from the %(other)s text: %(values)s."),
        "dates": _("Dates in the %(language)s text are missing from the %(other)s text: %(values)s."),
        "times": _("Times in the %(language)s text are missing from the %(other)s text: %(values)s."),
        "numbers": _("Numbers in the %(language)s text are missing from the %(other)s text: %(values)s."),
        "names": _("Names in the %(language)s text are missing from the %(other)s text: %(values)s."),
    }


def bilingual_problems(message) -> list:
    """Warnings where the Finnish and Swedish versions of ``message`` differ (see the module's docstring).

    Nothing when the organisation is not bilingual or a version is missing
    (``language_problems`` reports that as an error).
    """
    from kanava.channels.base import Problem
    from kanava.core.models import LANGUAGE_NAMES

    required = list(message.organisation.required_languages or [])
    if not {"fi", "sv"} <= set(required):
        return []
    versions = {v.language: v for v in message.versions.all()}
    if any(language not in versions or not versions[language].body.strip() for language in ("fi", "sv")):
        return []
    order = ("sv", "fi") if required.index("sv") < required.index("fi") else ("fi", "sv")
    found = compare(facts(_version_text(versions[order[0]])), facts(_version_text(versions[order[1]])), order)
    texts = _messages()
    problems = []
    for difference in found:
        text = texts[difference.what] % {
            "language": LANGUAGE_NAMES[difference.language], "other": LANGUAGE_NAMES[difference.other],
            "values": ", ".join(difference.values), "long": difference.lengths[0], "short": difference.lengths[1]}
        problems.append(Problem(f"bilingual_{difference.what}", text, severity="warning"))
    return problems
