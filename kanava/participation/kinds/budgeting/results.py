"""Exact results of a budgeting vote: votes per proposal (online and paper) and the funded proposals.

Counted from the ballots themselves (GROUP BY), cached by the tally's change counter, so the
figures are exact and a page view does not count again until a ballot changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count

from kanava.participation.kinds.budgeting import rules
from kanava.participation.kinds.budgeting.conf import BudgetSettings
from kanava.participation.kinds.budgeting.models import BallotChoice, Proposal, Tally
from kanava.participation.models import Contribution


@dataclass
class AreaResult:
    slug: str
    name: str
    budget: int
    rows: list[rules.Row]
    ballots_online: int
    ballots_paper: int

    @property
    def funded(self) -> list[rules.Row]:
        return [row for row in self.rows if row.funded]

    @property
    def funded_total(self) -> int:
        return sum(row.cost for row in self.funded)

    @property
    def left_over(self) -> int:
        return self.budget - self.funded_total

    @property
    def most_votes(self) -> int:
        return max([row.votes for row in self.rows] or [0])

    @property
    def ballots(self) -> int:
        return self.ballots_online + self.ballots_paper


def vote_counts(process) -> dict[int, dict[str, int]]:
    """{proposal id: {"online": n, "paper": n}} counted from the stored choices."""
    counts: dict[int, dict[str, int]] = {}
    rows = (BallotChoice.objects.filter(ballot__process=process)
            .values("proposal_id", "ballot__source").annotate(n=Count("id")))
    for row in rows:
        bucket = "online" if row["ballot__source"] == Contribution.Source.ONLINE else "paper"
        counts.setdefault(row["proposal_id"], {"online": 0, "paper": 0})[bucket] += row["n"]
    return counts


def ballot_counts(process) -> dict[str, dict[str, int]]:
    from kanava.participation.kinds.budgeting.models import Ballot

    found: dict[str, dict[str, int]] = {}
    for row in Ballot.objects.filter(process=process).values("area", "source").annotate(n=Count("id")):
        bucket = "online" if row["source"] == Contribution.Source.ONLINE else "paper"
        found.setdefault(row["area"], {"online": 0, "paper": 0})[bucket] += row["n"]
    return found


def compute(process) -> list[AreaResult]:
    conf = BudgetSettings.of(process)
    counts = vote_counts(process)
    ballots = ballot_counts(process)
    proposals = list(Proposal.objects.filter(process=process, state=Proposal.State.ACCEPTED,
                                             cost_estimate__isnull=False).order_by("pk"))
    areas = [(area.slug, area.display_name(organisation=process.organisation)) for area in conf.areas] or [("", "")]
    results = []
    for slug, name in areas:
        rows = [rules.Row(proposal_id=p.pk, title=p.title, cost=p.cost_estimate,
                          online=counts.get(p.pk, {}).get("online", 0), paper=counts.get(p.pk, {}).get("paper", 0),
                          lot=0) for p in proposals if p.area == slug]
        budget = conf.budget_for(slug)
        area_ballots = ballots.get(slug, {"online": 0, "paper": 0})
        results.append(AreaResult(slug=slug, name=name, budget=budget, rows=rules.fund(process.pk, budget, rows),
                                  ballots_online=area_ballots["online"], ballots_paper=area_ballots["paper"]))
    return results


def cached(process) -> list[AreaResult]:
    tally = Tally.objects.filter(process=process).first()
    from django.utils.translation import get_language

    key = f"budgeting:results:{process.pk}:{process.version}:{tally.changes if tally else 0}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = compute(process)
        cache.set(key, found, 3600)
    return found
