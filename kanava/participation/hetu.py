"""The Finnish personal identity code (henkilötunnus): checksum and birth date.

DDMMYYCZZZQ: birth date, century sign (+ 1800s; - Y X W V U 1900s; A B C D E F 2000s),
individual number ZZZ (002-899; 900-999 temporary) and a check character.  Only its keyed
digest is ever stored (`identity.digest("hetu", code)`).
"""

from __future__ import annotations

import datetime
import re

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURIES = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
             "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}
PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def birth_date(code: str) -> datetime.date | None:
    """The birth date of a valid code, else None (wrong format, date or check character)."""
    match = PATTERN.match(normalise(code))
    if not match:
        return None
    day, month, year, sign, individual, check = match.groups()
    if int(individual) < 2:
        return None
    if CHECK_CHARACTERS[int(day + month + year + individual) % 31] != check:
        return None
    try:
        return datetime.date(CENTURIES[sign] + int(year), int(month), int(day))
    except ValueError:
        return None


def is_valid(code: str) -> bool:
    return birth_date(code) is not None


def make(date: datetime.date, individual: int = 123, sign: str | None = None) -> str:
    """A valid code for ``date`` (tests and demo data)."""
    if sign is None:
        sign = {1800: "+", 1900: "-", 2000: "A"}[date.year // 100 * 100]
    head = date.strftime("%d%m%y")
    number = f"{individual:03d}"
    return f"{head}{sign}{number}{CHECK_CHARACTERS[int(head + number) % 31]}"
