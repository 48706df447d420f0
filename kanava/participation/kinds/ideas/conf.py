"""Typed settings of an ideas process (``Process.settings``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Local Government Act (410/2015) s. 23: an initiative backed by 2 % of the residents goes to the council.
THRESHOLD_PERCENT = 2


@dataclass(frozen=True)
class IdeasConf:
    # Residents may start a municipal initiative, and staff may open an idea as one.
    initiatives: bool = False
    # Statistics Finland code of the municipality (e.g. "091"): signers' Suomi.fi home municipality must match.
    municipality_code: str = ""

    @classmethod
    def of(cls, process) -> IdeasConf:
        values = process.settings or {}
        code = str(values.get("municipality_code") or getattr(process.organisation, "municipality_code", "") or "")
        return cls(initiatives=bool(values.get("initiatives", False)), municipality_code=code.strip())


def threshold(population: int | None) -> int | None:
    """Supporters an initiative needs: 2 % of the residents, rounded up; None when the population is not known."""
    if not population:
        return None
    return max(1, math.ceil(population * THRESHOLD_PERCENT / 100))
