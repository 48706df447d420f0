"""Who may vote, what a ballot may hold, and how results are counted: plain functions, published rules."""

from __future__ import annotations

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.participation.kinds.budgeting.conf import BUDGET, BudgetSettings

TIE_RULE = gettext_lazy(
    "Proposals are taken in order of votes, most votes first. When proposals have the same number of votes, "
    "the cheaper one comes first; when they also cost the same, their order is decided by a lot drawn by "
    "computer from the seed shown below, so anyone can repeat the draw. A proposal that no longer fits within "
    "the money left is skipped, and the next one is tried. Proposals without votes are not funded."
)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def ineligibility(conf: BudgetSettings, birth_date, home_municipality: str, today: datetime.date,
                  need_known: bool = True) -> str | None:
    """Why this person may not vote, as a sentence for them, or None when they may.

    ``need_known``: the process asks for strong identification, so a missing birth date or
    home municipality is itself a reason (with a lower level these rules cannot be checked).
    """
    if conf.minimum_age:
        if birth_date is None:
            if need_known:
                return _("We could not check your age: your identification did not tell us your date of birth.")
        elif age_on(birth_date, today) < conf.minimum_age:
            return _("You cannot vote yet: voting is open to residents aged %(age)s or over.") % {
                "age": conf.minimum_age}
    if conf.municipality_code:
        if not home_municipality:
            if need_known:
                return _("We could not check where you live: your identification did not tell us your home "
                         "municipality.")
        elif home_municipality.strip() != conf.municipality_code:
            return _("You cannot vote in this process: it is open to residents of the municipality only, and "
                     "the population register gives another home municipality for you.")
    return None


@dataclass
class BallotCheck:
    total: int
    cap: int | None
    count: int
    error: str = ""

    @property
    def remaining(self) -> int | None:
        return None if self.cap is None else self.cap - self.total

    @property
    def over_by(self) -> int:
        return 0 if self.cap is None else max(0, self.total - self.cap)


def check_ballot(conf: BudgetSettings, area: str, proposals) -> BallotCheck:
    """Whether the chosen proposals fit the ballot's rules; ``error`` says how they do not."""
    total = sum(p.cost_estimate or 0 for p in proposals)
    cap = conf.cap_for(area)
    result = BallotCheck(total=total, cap=cap, count=len(proposals))
    if not proposals:
        result.error = _("Choose at least one proposal.")
    elif conf.method == BUDGET and cap is not None and total > cap:
        result.error = _("Your choices cost %(total)s €, which is over the limit of %(cap)s € by %(over)s €. "
                         "Remove a proposal and try again.") % {
            "total": euros(total), "cap": euros(cap), "over": euros(total - cap)}
    elif conf.method != BUDGET and conf.max_choices and len(proposals) > conf.max_choices:
        result.error = _("You chose %(count)s proposals; you may choose at most %(max)s.") % {
            "count": len(proposals), "max": conf.max_choices}
    return result


def euros(amount: int | None) -> str:
    """12 500 (a thin space between thousands, as Finnish and Swedish write it)."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", "\u202f")


def lot_seed(process_id: int) -> int:
    """The published seed of the tie-breaking lot: derived from the process id, so anyone can repeat it."""
    return int(hashlib.sha256(f"kanava-budgeting-{process_id}".encode()).hexdigest()[:12], 16)


def lot_order(process_id: int, proposal_ids) -> dict[int, int]:
    """Each proposal's place in the lot: proposals sorted by id, shuffled with ``random.Random(seed)``."""
    ordered = sorted(proposal_ids)
    random.Random(lot_seed(process_id)).shuffle(ordered)
    return {pid: place for place, pid in enumerate(ordered, start=1)}


@dataclass
class Row:
    proposal_id: int
    title: str
    cost: int
    online: int
    paper: int
    lot: int
    funded: bool = False
    skipped: bool = False  # had votes but did not fit in the money left
    rank: int = 0

    @property
    def votes(self) -> int:
        return self.online + self.paper


def fund(process_id: int, budget: int, rows: list[Row]) -> list[Row]:
    """Order the rows by the published rule and mark which are funded (greedy within ``budget``)."""
    lots = lot_order(process_id, [row.proposal_id for row in rows])
    for row in rows:
        row.lot = lots[row.proposal_id]
    ordered = sorted(rows, key=lambda row: (-row.votes, row.cost, row.lot))
    left = budget
    for rank, row in enumerate(ordered, start=1):
        row.rank = rank
        if row.votes == 0:
            continue
        if row.cost <= left:
            row.funded = True
            left -= row.cost
        else:
            row.skipped = True
    return ordered
