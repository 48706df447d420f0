"""Personal data in text: identity codes, phone numbers, email addresses, IBANs, sensitive words.

``scan(text) -> list[Finding]`` with character offsets into ``text``, sorted by start,
never overlapping.  No Django import: the guard is plain Python so it can be
benchmarked and run on any text (messages, comments, exports, standard input).

How it stays fast (>= 20 MB/s of ordinary text on one core): two regular
expressions do all the scanning in C and Python code runs only on their
candidates.

- ``CANDIDATES`` on the text as it is: every branch begins with one character
  class (digits, ``+``, ``(``, ``@``, capital letters), so the regex engine skips
  the ordinary letters between candidates without entering the pattern.  The
  cheap shapes it finds are then validated (date, check character, Luhn,
  mod 97, the number plan).
- ``SENSITIVE`` on the lower-cased text: the curated terms of
  ``data/sensitive_terms.tsv`` as one character trie, tried only after a
  character that cannot be inside a word, so a term always starts a word.

Kinds: ``fi_identity_code``, ``se_personal_number``, ``phone``, ``email``,
``iban``, ``sensitive``.  Labels for people are in :mod:`kanava.privacy.labels`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kanava.participation.hetu import birth_date as fi_birth_date

FI_IDENTITY_CODE = "fi_identity_code"
SE_PERSONAL_NUMBER = "se_personal_number"
PHONE = "phone"
EMAIL = "email"
IBAN = "iban"
SENSITIVE = "sensitive"
KINDS = (FI_IDENTITY_CODE, SE_PERSONAL_NUMBER, IBAN, EMAIL, PHONE, SENSITIVE)

TERMS_FILE = Path(__file__).with_name("data") / "sensitive_terms.tsv"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something personal found at ``text[start:end]``.

    ``detail`` says more where there is more to say: the category of a
    sensitive word (``health``, ``child_protection``...).
    """

    kind: str
    start: int
    end: int
    text: str
    detail: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text}


# -- the candidate scan ------------------------------------------------------------------

# Hyphens people paste instead of "-" in identity codes (Word turns "-" into an en dash).
_DASHES = "\u2010\u2011\u2013\u2212"
_SEP = "[ \u00a0-]"  # inside a phone number: one space, no-break space or hyphen

# The pattern starts with one character class, so the engine skips ordinary letters
# without entering it; each branch is told apart by a look-behind on the character just
# read, and one of two characters refuses a start inside a word or a longer number.
CANDIDATES = re.compile(
    r"[0-9+(@A-Z]"
    r"(?:"
    # 010170-123F, 811218-9876, 19811218-9876, 811218+9876 (the first digit is already read)
    rf"(?<=[0-9])(?<!\w[0-9])(?P<id>(?:[0-9]{{2}})?[0-9]{{5}}[-+A-FU-Ya-fu-y{_DASHES}][0-9]{{3}}[0-9A-Ya-y])(?![\w])"
    # +358 40 123 4567, +358 (0)40 123 4567, 00358 40 123 4567
    rf"|(?<=\+)(?P<intl>358{_SEP}?(?:\(0\){_SEP}?)?[1-9](?:{_SEP}?[0-9]){{4,11}})"
    rf"|(?<=0)(?<!\w0)(?P<intl00>0358{_SEP}?(?:\(0\){_SEP}?)?[1-9](?:{_SEP}?[0-9]){{4,11}})"
    # (09) 123 4567
    rf"|(?<=\()(?P<area>0[1-9][0-9]{{0,2}}\){_SEP}?[0-9](?:{_SEP}?[0-9]){{4,9}})"
    # 198112189876, 8112189876 (bare Swedish personal numbers; a bare 0401234567 goes on to the phone check)
    r"|(?<=[0-9])(?<!\w[0-9])(?P<digits>[0-9]{9}(?:[0-9]{2})?)(?![0-9])"
    # 040 123 4567, 040-1234567, 0401234567, 09 1234 5678
    rf"|(?<=0)(?<!\w0)(?P<national>[1-9](?:{_SEP}?[0-9]){{5,11}})"
    # name@example.fi (the local part is read backwards from "@")
    r"|(?<=@)(?P<email>[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![A-Za-z0-9-])"
    # FI21 1234 5600 0007 85
    r"|(?<=[A-Z])(?<!\w[A-Z])(?P<iban>[A-Z][0-9]{2}(?: ?[A-Z0-9]){10,32})"
    r")"
)

_LOCAL_PART = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}\Z")
_WORD_BEFORE = re.compile(r"[\w]")
_SE_CONTEXT = re.compile(r"(?:person|samordnings|p)[- ]?(?:nummer|nr|no)\b|personbeteckning|född|henkilönumero|hetu",
                         re.IGNORECASE)


def scan(text: str) -> list[Finding]:
    """Every finding in ``text``, sorted by start; overlaps go to the stronger kind."""
    if not text:
        return []
    found = list(_structured(text))
    found.extend(_sensitive(text))
    if not found:
        return found
    return _without_overlaps(found)


def _structured(text: str):
    search = CANDIDATES.search
    position = 0
    while True:
        match = search(text, position)
        if match is None:
            return
        finding = _validate(text, match)
        if finding is None:
            position = match.start() + 1
        else:
            yield finding
            position = finding.end


def _validate(text: str, match: re.Match) -> Finding | None:
    group = match.lastgroup
    start = match.start()
    if group == "email":
        return _email(text, start, match.end())
    if start and _WORD_BEFORE.match(text, start - 1) and group != "area":
        return None  # inside a word or a longer number
    if group == "id":
        return _identity(text, start, match.end())
    if group == "iban":
        return _iban(text, start, match.end())
    if group == "digits":
        return _bare_se_number(text, start, match.end())
    if start and text[start - 1] == "+":
        return None
    return _phone(text, start, match.end())


# -- identity codes -----------------------------------------------------------------------

def _identity(text: str, start: int, end: int) -> Finding | None:
    raw = text[start:end]
    if len(raw) == 11:
        code = raw.upper()
        if code[6] in _DASHES:
            code = code[:6] + "-" + code[7:]
        if fi_birth_date(code) is not None:
            return Finding(FI_IDENTITY_CODE, start, end, raw)
    if raw[-1].isdigit() and raw[-5] in "-+" and se_personal_number_is_valid(raw):
        return Finding(SE_PERSONAL_NUMBER, start, end, raw)
    return None


def se_personal_number_is_valid(number: str) -> bool:
    """A Swedish personnummer or samordningsnummer: a real date (day + 60 allowed) and Luhn.

    Forms: YYMMDD-NNNN, YYMMDD+NNNN (a hundred or older), YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDDNNNN.
    """
    digits = number.replace("-", "").replace("+", "")
    if not digits.isdigit() or len(digits) not in (10, 12) or len(number) - len(digits) > 1:
        return False
    if len(digits) == 12:
        century, digits = int(digits[:2]), digits[2:]
        if century not in (18, 19, 20):
            return False
        centuries = (century * 100,)
    else:
        centuries = (1800, 1900) if "+" in number else (1900, 2000)
    if not _luhn(digits):
        return False
    year, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if day > 60:
        day -= 60  # samordningsnummer
    for century in centuries:
        try:
            datetime.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _bare_se_number(text: str, start: int, end: int) -> Finding | None:
    """Ten or twelve digits with no separator: a Swedish personal number only when it is one.

    Twelve digits begin with the century (19811218...) and pass on their own.
    Ten digits are as common as invoice numbers, so they count only after a
    word that announces a personal number ("personnummer", "pnr", "född").
    """
    raw = text[start:end]
    if not se_personal_number_is_valid(raw):
        return _phone_at(text, start) if raw[0] == "0" else None
    if len(raw) == 10 and not _SE_CONTEXT.search(text, max(0, start - 40), start):
        return _phone_at(text, start) if raw[0] == "0" else None
    return Finding(SE_PERSONAL_NUMBER, start, end, raw)


# -- phone numbers ------------------------------------------------------------------------

_PHONE_AT = re.compile(
    rf"0[1-9](?:{_SEP}?[0-9]){{5,11}}"
)


def _phone_at(text: str, start: int) -> Finding | None:
    match = _PHONE_AT.match(text, start)
    return _phone(text, start, match.end()) if match else None


def _phone(text: str, start: int, end: int) -> Finding | None:
    """A Finnish (or Åland) number as the number plan allows it, trailing groups dropped until it is one.

    ``040 123 4567 2024`` is the number ``040 123 4567`` followed by a year.
    """
    if text[start] == "(":
        if start and _WORD_BEFORE.match(text, start - 1):
            return None
    elif text[start] == "+":
        pass
    elif start >= 2 and text[start - 1] in "+.,/: \u00a0-" and text[start - 2].isdigit():
        return None  # 12.040..., 1/0401..., RF18 5390 0754 7034: part of another number
    span = text[start:end]
    groups = list(re.finditer(r"[^ \u00a0-]+", span))
    while groups:
        last = groups[-1]
        piece_end = start + last.end()
        if piece_end < len(text) and text[piece_end].isalnum():
            groups.pop()  # cut inside a group of digits, or glued to a word
            continue
        if _is_finnish_number(text[start:piece_end]):
            if not _followed_by_number(text, piece_end):
                return Finding(PHONE, start, piece_end, text[start:piece_end])
            return None
        groups.pop()
    return None


def _followed_by_number(text: str, end: int) -> bool:
    """``040-123 4567-8`` or ``0401 234.5``: the digits run on, so this is not a phone number."""
    tail = text[end:end + 2]
    return len(tail) == 2 and tail[0] in "-./," and tail[1].isdigit()


# National significant numbers of the Finnish number plan (Traficom), as lengths per prefix.
# Mobile 4x and 50 take 5-10 digits after the 0; geographic areas 2, 3, 5, 6, 8, 9, 13-19
# take 5-9 (the area code included); national numbers 10, 20, 29, 30, 60, 70, 71, 73, 75
# and freephone 800 take 6-10.
_MOBILE = re.compile(r"(?:4[0-9]|50)[0-9]{5,8}")
_GEOGRAPHIC = re.compile(r"(?:[235689]|1[3-9])[0-9]{4,8}")
_NATIONAL = re.compile(r"(?:10|20|29|30|60|70|71|73|75|800)[0-9]{4,8}")


def _is_finnish_number(candidate: str) -> bool:
    digits = re.sub(r"[^0-9]", "", candidate.replace("(0)", ""))
    if candidate.startswith("+358"):
        national = digits[3:]
    elif candidate.startswith("00358"):
        national = digits[5:]
    elif digits.startswith("0") and not digits.startswith("00"):
        national = digits[1:]
    else:
        return False
    if not 6 <= len(national) <= 10:
        return False
    if _MOBILE.fullmatch(national):
        return len(national) >= 7
    if _GEOGRAPHIC.fullmatch(national):
        return 6 <= len(national) <= 9
    return bool(_NATIONAL.fullmatch(national))


# -- email --------------------------------------------------------------------------------

def _email(text: str, at_end: int, end: int) -> Finding | None:
    """``at_end`` is the index of "@"; the local part is read backwards from it."""
    local = _LOCAL_PART.search(text, max(0, at_end - 64), at_end)
    if local is None:
        return None
    begin = local.start()
    while begin < at_end and text[begin] in ".'":
        begin += 1
    if begin == at_end or text[at_end - 1] == ".":
        return None
    if begin and text[begin - 1] == "@":
        return None  # @kunta@mastodon.social is an account, not an address
    return Finding(EMAIL, begin, end, text[begin:end])


# -- IBAN ---------------------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AX": 18, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18,
    "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22,
    "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23,
    "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30,
    "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23,
    "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def _iban(text: str, start: int, end: int) -> Finding | None:
    """As long as the country's IBAN, spaces only between groups of four, mod 97 == 1."""
    length = IBAN_LENGTHS.get(text[start:start + 2])
    if length is None:
        return None
    compact = []
    position = start
    while position < end and len(compact) < length:
        char = text[position]
        if char == " ":
            if len(compact) % 4 or text[position - 1] == " ":
                return None
        else:
            compact.append(char)
        position += 1
    if len(compact) < length or (position < len(text) and text[position].isalnum()):
        return None
    if not iban_is_valid("".join(compact)):
        return None
    return Finding(IBAN, start, position, text[start:position])


def iban_is_valid(iban: str) -> bool:
    iban = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit() or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


# -- sensitive words ----------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    language: str
    category: str
    term: str
    prefix: bool


def read_terms(path: Path = TERMS_FILE) -> list[Term]:
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, category, term = line.split("\t")
        prefix = term.endswith("*")
        terms.append(Term(language, category, term.rstrip("*").lower(), prefix))
    return terms


def _trie_pattern(words: dict[str, str]) -> str:
    """One regex of a character trie; each word maps to its ending: r"\\w*" or r"(?!\\w)"."""
    trie: dict = {}
    for word, ending in words.items():
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = ending

    def build(node: dict) -> str:
        branches = []
        for char in sorted(k for k in node if k):
            branches.append(re.escape(char) + build(node[char]))
        if "" in node:
            branches.append(node[""])  # after longer words: a longer stem wins
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return build(trie)


@lru_cache(maxsize=1)
def _sensitive_matcher() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    words: dict[str, str] = {}
    categories: dict[str, str] = {}
    for term in read_terms():
        # A prefix term swallows the rest of the word; a whole-word term must end there.
        if words.get(term.term) != r"\w*":
            words[term.term] = r"\w*" if term.prefix else r"(?!\w)"
        categories.setdefault(term.term, term.category)
    trie = _trie_pattern(words)
    # Lower-cased text with one space in front: every word start follows a non-word character.
    fast = re.compile(r"[^\w](" + trie + ")")
    slow = re.compile(r"(?<!\w)(" + trie + ")", re.IGNORECASE)
    return fast, slow, categories


def _category(categories: dict[str, str], word: str) -> str:
    for length in range(len(word), 0, -1):
        category = categories.get(word[:length])
        if category:
            return category
    return ""


def _sensitive(text: str):
    fast, slow, categories = _sensitive_matcher()
    lowered = " " + text.lower()
    if len(lowered) == len(text) + 1:
        for match in fast.finditer(lowered):
            start, end = match.start(1) - 1, match.end(1) - 1
            yield Finding(SENSITIVE, start, end, text[start:end], _category(categories, match.group(1)))
    else:  # a few characters change length when lower-cased (İ); offsets must stay true
        for match in slow.finditer(text):
            word = match.group(1)
            yield Finding(SENSITIVE, match.start(1), match.end(1), word, _category(categories, word.lower()))


# -- overlaps -----------------------------------------------------------------------------

_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    """Sorted by start; where two overlap the stronger kind (earlier in ``KINDS``) stays."""
    found.sort(key=lambda f: (f.start, _RANK[f.kind]))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            if _RANK[finding.kind] < _RANK[kept[-1].kind]:
                kept[-1] = finding
            continue
        kept.append(finding)
    return kept
