"""How many SMS segments a text takes, counted as the network counts them.

No Django imports: plain functions over plain strings, usable by the
adapter, the staff editor's counter and the benchmark alike.

A text that only uses the GSM 03.38 alphabet is sent in the 7-bit default
alphabet: 160 septets in one SMS, 153 per segment once it must be split
(the user data header takes the rest).  Characters of the extension table
(``€ [ ] { } ^ ~ | \\`` and form feed) are an escape plus a septet, so they
count two.  Any other character forces UCS-2 for the whole message: 70 UTF-16
code units in one SMS, 67 per segment; characters outside the Basic
Multilingual Plane (most emoji) are surrogate pairs and count two.

A two-unit character is never split between segments (phones would show
garbage), so a long text may need a segment more than plain division says.
"""

from dataclasses import dataclass

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

# The GSM 03.38 default alphabet, in table order; position 0x1B is the
# escape to the extension table and is not a character of its own.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ"
    "ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

LIMITS = {
    # encoding: (units in a single SMS, units per segment of a long SMS)
    GSM_7: (160, 153),
    UCS_2: (70, 67),
}


@dataclass(frozen=True)
class Segments:
    """The result of :func:`count`.

    ``units`` are septets (GSM-7) or UTF-16 code units (UCS-2);
    ``per_segment`` is the room of one segment at this length (160 or 153,
    70 or 67); ``remaining`` is the units still free in the last segment.
    An empty text takes 0 segments.
    """

    encoding: str
    units: int
    segments: int
    per_segment: int
    remaining: int

    @property
    def is_unicode(self) -> bool:
        return self.encoding == UCS_2


def is_gsm(character: str) -> bool:
    return character in GSM_BASIC or character in GSM_EXTENSION


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force UCS-2, each once, in order of appearance."""
    found: dict[str, None] = {}
    for character in text:
        if not is_gsm(character):
            found.setdefault(character, None)
    return list(found)


def encoding_of(text: str) -> str:
    return GSM_7 if all(is_gsm(c) for c in text) else UCS_2


def _unit_costs(text: str, encoding: str) -> list[int]:
    if encoding == GSM_7:
        return [2 if c in GSM_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def _pack(costs: list[int], capacity: int) -> tuple[int, int]:
    """Fill segments of ``capacity`` units without splitting a character.

    Returns (segments, units used in the last segment).
    """
    segments, used = 1, 0
    for cost in costs:
        if used + cost > capacity:
            segments, used = segments + 1, 0
        used += cost
    return segments, used


def count(text: str) -> Segments:
    """Count ``text`` as an SMS: encoding, units, segments and room left."""
    encoding = encoding_of(text)
    single, multi = LIMITS[encoding]
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    if units == 0:
        return Segments(encoding, 0, 0, single, single)
    if units <= single:
        return Segments(encoding, units, 1, single, single - units)
    segments, used = _pack(costs, multi)
    return Segments(encoding, units, segments, multi, multi - used)
