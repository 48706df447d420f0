"""What the manifest gives the framework: counts, export, "my data", forgetting, digests, the demo."""

import datetime

from django.utils import timezone

from kanava.core.audit import Actor
from kanava.participation.kinds.budgeting import actions
from kanava.participation.kinds.budgeting.demo import seed
from kanava.participation.kinds.budgeting.models import Ballot, Proposal
from kanava.participation.kinds.budgeting.tests.conftest import close_vote, make_resident
from kanava.participation.manifest import Level, get
from kanava.participation.models import Process


def cast_one(process, participant, proposals):
    return actions.do_cast_ballot(Actor.system(), process, participant, Level.STRONG, area="",
                                  proposal_ids=[p.pk for p in proposals])[0]


def test_the_kind_is_registered_with_its_actions():
    kind = get("budgeting")
    assert kind.action("propose").default_level == Level.EMAIL
    assert kind.action("vote").default_level == Level.STRONG
    assert kind.staff_url_name == "budgeting_staff:overview"


def test_counts_come_from_the_stored_tally(process, proposals, resident):
    cast_one(process, resident, proposals[:1])
    assert get("budgeting").counts(process) == {"proposals": 0, "ballots": 1}


def test_the_export_lists_proposals_and_ballots_without_voters(process, proposals, resident):
    cast_one(process, resident, proposals[:2])
    fields, rows = get("budgeting").export(process)
    rows = list(rows)
    assert {row["type"] for row in rows} == {"proposal", "ballot"}
    ballot = next(row for row in rows if row["type"] == "ballot")
    assert ballot["proposal_ids"] == f"{proposals[0].pk} {proposals[1].pk}"
    assert resident.strong_id_digest not in str(rows) and set(fields) == set(ballot)


def test_my_data_and_forgetting_withdraw_a_ballot_while_voting(cast, process, proposals, resident):
    Proposal.objects.create(process=process, participant=resident, title="Oma", text={"fi": "Oma ehdotus."},
                            author_name="Sanna")
    cast_one(process, resident, proposals[:1])
    data = get("budgeting").personal_data(resident)
    assert data["proposals"][0]["title"] == "Oma" and data["ballots"][0]["proposals"] == ["Leikkipuisto"]
    assert get("budgeting").forget(resident) == 2
    assert not Ballot.objects.exists()
    assert Proposal.objects.get(title="Oma").author_name == ""


def test_forgetting_after_the_vote_keeps_the_ballot_counted_but_anonymous(cast, process, proposals, resident):
    cast_one(process, resident, proposals[:1])
    close_vote(process)
    get("budgeting").forget(resident)
    ballot = Ballot.objects.get()
    assert ballot.participant is None and ballot.voter_key.startswith("forgotten:")


def test_digest_lines_name_new_proposals(process):
    since = timezone.now() - datetime.timedelta(minutes=1)
    Proposal.objects.create(process=process, title="Uusi puisto", text={"fi": "."})
    assert any("Uusi puisto" in line for line in get("budgeting").digest_lines(process, since))


def test_the_demo_is_a_bilingual_vote_with_vetted_proposals(cast, actor_of):
    seed(cast.org, actor_of(cast.lead))
    seed(cast.org, actor_of(cast.lead))  # a second run adds nothing
    process = Process.objects.get(organisation=cast.org, kind="budgeting")
    assert process.is_open_for("vote") and set(process.title) >= {"fi", "sv"}
    assert Proposal.objects.filter(process=process, state="accepted").count() == 8
    voter = make_resident(cast.org, 90)[0]
    cast_one(process, voter, Proposal.objects.filter(process=process, state="accepted")[:3])


def test_the_process_page_part_links_to_the_ballot_while_voting(rf, process):
    from django.template.loader import render_to_string

    request = rf.get("/")
    template, context = get("budgeting").main(request, process)
    html = render_to_string(template, {**context, "process": process}, request=request)
    assert f"/participate/{process.slug}/budgeting/ballot/" in html
