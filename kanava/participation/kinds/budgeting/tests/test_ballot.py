"""Casting, checking and changing an online ballot."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.participation.kinds.budgeting.models import Ballot, BallotChoice, Tally
from kanava.participation.kinds.budgeting.tests.conftest import (close_vote, make_process, make_resident,
                                                                 sign_in)
from kanava.participation.manifest import Level


def ballot_url(process, area=""):
    url = reverse("budgeting:ballot", args=[process.slug])
    return f"{url}?area={area}" if area else url


def choices_of(ballot):
    return set(ballot.choices.values_list("proposal_id", flat=True))


def test_it_counts_a_ballot_within_the_cap(client, process, proposals, resident):
    sign_in(client, resident)
    response = client.post(ballot_url(process), {"proposal": [proposals[0].pk, proposals[1].pk], "cast": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("budgeting:ballot_done", args=[process.slug]))
    ballot = Ballot.objects.get(process=process)
    assert choices_of(ballot) == {proposals[0].pk, proposals[1].pk}
    assert ballot.source == "online" and ballot.voter_key == resident.strong_id_digest
    assert Tally.objects.get(process=process).ballots_online == 1
    assert AuditEvent.objects.filter(action="budgeting.ballot_cast", object_id=str(ballot.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Leikkipuisto" in page and "Frisbeegolfrata" in page


def test_it_refuses_a_ballot_over_the_cap_and_keeps_the_choices(client, process, proposals, resident):
    sign_in(client, resident)
    chosen = [p.pk for p in proposals]  # 115 000 € of 100 000 €
    response = client.post(ballot_url(process), {"proposal": chosen, "cast": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "15\u202f000" in page  # over the limit by 15 000 €
    for proposal in proposals:
        assert f'id="proposal-{proposal.pk}" data-cost="{proposal.cost_estimate}" checked' in page
    assert not Ballot.objects.exists()


def test_it_checks_the_ballot_without_casting_it(client, process, proposals, resident):
    sign_in(client, resident)
    response = client.post(ballot_url(process), {"proposal": [proposals[0].pk], "check": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "40\u202f000" in page and "60\u202f000" in page  # chosen and left
    assert not Ballot.objects.exists()


def test_it_keeps_one_ballot_per_person_in_the_database(process, resident):
    Ballot.objects.create(process=process, voter_key=resident.strong_id_digest, participant=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(process=process, voter_key=resident.strong_id_digest)


def test_changing_a_ballot_replaces_its_choices(client, process, proposals, resident):
    sign_in(client, resident)
    client.post(ballot_url(process), {"proposal": [proposals[0].pk, proposals[1].pk], "cast": "1"})
    page = client.get(ballot_url(process)).content.decode()
    assert "You have voted" in page or "Olet äänestänyt" in page
    client.post(ballot_url(process), {"proposal": [proposals[2].pk], "cast": "1"})
    ballot = Ballot.objects.get(process=process)
    assert choices_of(ballot) == {proposals[2].pk}
    assert ballot.changes == 1
    assert BallotChoice.objects.count() == 1
    tally = Tally.objects.get(process=process)
    assert tally.ballots_online == 1 and tally.changes == 2


def test_a_closed_vote_refuses_ballots_and_changes(client, process, proposals, resident):
    sign_in(client, resident)
    client.post(ballot_url(process), {"proposal": [proposals[0].pk], "cast": "1"})
    close_vote(process)
    response = client.post(ballot_url(process), {"proposal": [proposals[1].pk], "cast": "1"})
    assert response.status_code == 409
    assert choices_of(Ballot.objects.get(process=process)) == {proposals[0].pk}


def test_a_too_young_resident_is_told_why(client, cast, process, proposals):
    import datetime

    from django.utils import timezone

    young, _code = make_resident(cast.org, 2, birth_date=timezone.localdate() - datetime.timedelta(days=365 * 11))
    sign_in(client, young)
    page = client.get(ballot_url(process)).content.decode()
    assert 'role="alert"' in page and "12" in page
    response = client.post(ballot_url(process), {"proposal": [proposals[0].pk], "cast": "1"})
    assert response.status_code == 200 and not Ballot.objects.exists()


def test_someone_from_another_municipality_is_told_why(client, cast, process, proposals):
    elsewhere, _code = make_resident(cast.org, 3, municipality="049")
    sign_in(client, elsewhere)
    client.post(ballot_url(process), {"proposal": [proposals[0].pk], "cast": "1"})
    assert not Ballot.objects.exists()
    page = client.get(ballot_url(process)).content.decode()
    assert 'role="alert"' in page


def test_a_vote_without_strong_identification_goes_to_identify_and_keeps_the_choices(client, process, proposals,
                                                                                    resident):
    sign_in(client, resident, Level.EMAIL)
    response = client.post(ballot_url(process), {"proposal": [proposals[1].pk], "cast": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("participation:identify"))
    assert "level=strong" in response["Location"]
    assert not Ballot.objects.exists()
    sign_in_again = client.session  # the same session comes back from identification, now strong
    state = sign_in_again["participation"]
    state[str(process.organisation_id)]["level"] = int(Level.STRONG)
    sign_in_again["participation"] = state
    sign_in_again.save()
    page = client.get(ballot_url(process)).content.decode()
    assert f'id="proposal-{proposals[1].pk}" data-cost="{proposals[1].cost_estimate}" checked' in page


def test_approval_voting_takes_any_number_up_to_the_maximum(client, cast, resident):
    process = make_process(cast.org, slug="hyvaksynta", method="approval", max_choices=2)
    proposals = list(process_proposals(process))
    sign_in(client, resident)
    response = client.post(ballot_url(process), {"proposal": [p.pk for p in proposals[:3]], "cast": "1"})
    assert response.status_code == 200 and not Ballot.objects.exists()
    assert "2" in response.content.decode()
    response = client.post(ballot_url(process), {"proposal": [p.pk for p in proposals[:2]], "cast": "1"})
    assert response.status_code == 302
    assert choices_of(Ballot.objects.get(process=process)) == {proposals[0].pk, proposals[1].pk}


def process_proposals(process):
    from kanava.participation.kinds.budgeting.models import Proposal

    return Proposal.objects.filter(process=process).order_by("pk")


def test_a_forged_choice_is_refused_and_nothing_is_counted(client, cast, process, proposals, resident):
    other = make_process(cast.org, slug="toinen")
    foreign = process_proposals(other).first()
    sign_in(client, resident)
    response = client.post(ballot_url(process), {"proposal": [proposals[0].pk, foreign.pk, "x<script>"],
                                                  "cast": "1"})
    assert response.status_code == 200
    response = client.post(ballot_url(process), {"proposal": [proposals[0].pk, "9" * 30], "cast": "1"})
    assert response.status_code == 200
    assert not Ballot.objects.exists()
    assert "<script>" not in response.content.decode().split("</header>", 1)[-1]


def test_a_post_without_the_csrf_token_is_refused(process, proposals, resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, resident)
    response = client.post(ballot_url(process), {"proposal": [proposals[0].pk], "cast": "1"})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_areas_have_a_ballot_each(client, cast, resident):
    process = make_process(cast.org, slug="alueet", costs=(), areas=[
        {"slug": "pohjoinen", "name": {"fi": "Pohjoinen"}, "budget": 50000},
        {"slug": "etela", "name": {"fi": "Etelä"}, "budget": 50000}])
    from kanava.participation.kinds.budgeting.models import Proposal

    north = Proposal.objects.create(process=process, title="Pohjoisen penkki", text={"fi": "."}, area="pohjoinen",
                                    state="accepted", cost_estimate=40000)
    south = Proposal.objects.create(process=process, title="Etelän valot", text={"fi": "."}, area="etela",
                                    state="accepted", cost_estimate=45000)
    sign_in(client, resident)
    assert "Pohjoinen" in client.get(ballot_url(process)).content.decode()  # the area picker
    url = ballot_url(process)
    assert client.post(url, {"area": "pohjoinen", "proposal": [south.pk], "cast": "1"}).status_code == 200
    assert client.post(url, {"area": "pohjoinen", "proposal": [north.pk], "cast": "1"}).status_code == 302
    assert client.post(ballot_url(process), {"area": "etela", "proposal": [south.pk], "cast": "1"}).status_code == 302
    assert Ballot.objects.filter(process=process).count() == 2
