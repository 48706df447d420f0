"""Results: exact counts (online and paper apart), greedy funding within the budget, the published tie rule."""

import datetime

from django.urls import reverse

from kanava.core.audit import Actor
from kanava.participation.kinds.budgeting import actions, results, rules
from kanava.participation import hetu
from kanava.participation.kinds.budgeting.tests.conftest import close_vote, make_process, make_resident
from kanava.participation.manifest import Level


def vote(process, participant, proposals):
    actions.do_cast_ballot(Actor.system(), process, participant, Level.STRONG, area="",
                           proposal_ids=[p.pk for p in proposals])


def test_results_count_online_and_paper_votes_exactly(client, cast, process, proposals):
    for number in range(3):
        vote(process, make_resident(cast.org, 10 + number)[0], [proposals[0], proposals[2]])
    vote(process, make_resident(cast.org, 20)[0], [proposals[1]])
    actions.do_record_paper_ballot(Actor(person=cast.moderator), process,
                                   code=hetu.make(datetime.date(1960, 1, 1), 300), area="",
                                   proposal_ids=[proposals[1].pk], resident_confirmed=True)
    page = client.get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "Leikkipuisto" not in page.split("<table", 1)[-1] or "<table" not in page  # hidden while voting
    close_vote(process)
    area = results.compute(process)[0]
    by_title = {row.title: row for row in area.rows}
    assert (by_title["Leikkipuisto"].online, by_title["Leikkipuisto"].paper) == (3, 0)
    assert (by_title["Frisbeegolfrata"].online, by_title["Frisbeegolfrata"].paper) == (1, 1)
    assert by_title["Skeittiramppi"].votes == 3
    assert area.ballots_online == 4 and area.ballots_paper == 1
    page = client.get(reverse("budgeting:results", args=[process.slug])).content.decode()
    assert "<table" in page and "<caption>" in page
    assert str(rules.lot_seed(process.pk)) in page


def test_funding_skips_a_proposal_that_does_not_fit_and_goes_on():
    rows = [rules.Row(1, "A", 60000, 10, 0, 0), rules.Row(2, "B", 50000, 8, 0, 0), rules.Row(3, "C", 30000, 5, 0, 0),
            rules.Row(4, "D", 20000, 0, 0, 0)]
    ordered = rules.fund(1, 100000, rows)
    assert [row.proposal_id for row in ordered if row.funded] == [1, 3]
    assert [row.proposal_id for row in ordered if row.skipped] == [2]
    assert not ordered[-1].funded  # no votes, not funded although it would fit


def test_ties_go_to_the_cheaper_proposal_then_to_the_published_lot():
    rows = [rules.Row(1, "A", 50000, 5, 0, 0), rules.Row(2, "B", 40000, 5, 0, 0)]
    assert [row.proposal_id for row in rules.fund(7, 50000, rows)] == [2, 1]
    rows = [rules.Row(pid, str(pid), 50000, 5, 0, 0) for pid in (11, 12, 13)]
    first = [row.proposal_id for row in rules.fund(7, 50000, rows)]
    again = [row.proposal_id for row in rules.fund(7, 50000, [rules.Row(pid, str(pid), 50000, 5, 0, 0)
                                                               for pid in (13, 12, 11)])]
    assert first == again  # the lot is repeatable from the seed alone
    assert first == sorted([11, 12, 13], key=rules.lot_order(7, [11, 12, 13]).get)
    assert sum(row.funded for row in rules.fund(7, 50000, rows)) == 1


def test_the_results_hook_and_outcome_items_follow_the_rule(cast):
    process = make_process(cast.org, slug="tulos", costs=(60000, 50000, 30000))
    from kanava.participation.kinds.budgeting.models import Proposal

    a, b, c = Proposal.objects.filter(process=process).order_by("pk")
    vote(process, make_resident(cast.org, 40)[0], [a, c])
    vote(process, make_resident(cast.org, 41)[0], [a])
    vote(process, make_resident(cast.org, 42)[0], [b])
    close_vote(process)
    from django.utils import translation

    with translation.override("en"):
        items = process.manifest.outcome_items(process)
    # A tie at one vote: the cheaper ramp comes first; then the course no longer fits.
    assert [(item.said, item.count, item.did) for item in items] == [
        ("Leikkipuisto", 2, "Funded"), ("Skeittiramppi", 1, "Funded"), ("Frisbeegolfrata", 1, "Not funded")]
    template, context = process.manifest.results(process)
    assert template == "budgeting/_results.html" and context["closed"]
    assert {row.title for row in context["areas"][0].funded} == {"Leikkipuisto", "Skeittiramppi"}
