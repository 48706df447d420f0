"""Staff enter paper ballots into the same count; one ballot per person across paper and online."""

import datetime

from django.urls import reverse
from django.utils import timezone

from kanava.participation import identity
from kanava.participation import hetu
from kanava.participation.kinds.budgeting.models import Ballot, Tally
from kanava.participation.kinds.budgeting.tests.conftest import close_vote, make_resident, sign_in
from kanava.testing.personas import login


def paper_url(cast, process):
    return reverse("budgeting_staff:paper", kwargs={"org": cast.org.slug, "pk": process.pk})


def test_a_moderator_records_a_paper_ballot_and_only_the_digest_is_kept(client, cast, process, proposals):
    login(client, cast.moderator)
    code = hetu.make(datetime.date(1950, 3, 2), 222)
    response = client.post(paper_url(cast, process), {"code": code.lower(), "resident": "on",
                                                      "proposals": [proposals[0].pk, proposals[3].pk]})
    assert response.status_code == 302
    ballot = Ballot.objects.get(process=process)
    assert ballot.source == "paper" and ballot.recorded_by == cast.moderator
    assert ballot.voter_key == identity.digest("hetu", code)
    assert code not in str(Ballot.objects.values().get())
    assert Tally.objects.get(process=process).ballots_paper == 1


def test_a_paper_ballot_is_refused_when_the_person_voted_online(client, cast, process, proposals):
    resident, code = make_resident(cast.org, 5)
    resident_client = type(client)()
    sign_in(resident_client, resident)
    resident_client.post(reverse("budgeting:ballot", args=[process.slug]), {"proposal": [proposals[0].pk],
                                                                             "cast": "1"})
    login(client, cast.moderator)
    response = client.post(paper_url(cast, process), {"code": code, "resident": "on",
                                                      "proposals": [proposals[1].pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "online" in page or "verkossa" in page
    assert Ballot.objects.filter(process=process).count() == 1
    assert Ballot.objects.get(process=process).source == "online"


def test_a_second_paper_ballot_of_one_person_is_refused(client, cast, process, proposals):
    login(client, cast.moderator)
    code = hetu.make(datetime.date(1970, 1, 1), 333)
    client.post(paper_url(cast, process), {"code": code, "resident": "on", "proposals": [proposals[0].pk]})
    client.post(paper_url(cast, process), {"code": code, "resident": "on", "proposals": [proposals[1].pk]})
    assert Ballot.objects.filter(process=process).count() == 1


def test_an_invalid_identity_code_is_refused(client, cast, process, proposals):
    login(client, cast.moderator)
    code = hetu.make(datetime.date(1970, 1, 1), 333)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    response = client.post(paper_url(cast, process), {"code": wrong, "resident": "on",
                                                      "proposals": [proposals[0].pk]})
    assert response.status_code == 200 and not Ballot.objects.exists()


def test_the_age_rule_uses_the_birth_date_in_the_code(client, cast, process, proposals):
    login(client, cast.moderator)
    child = hetu.make(timezone.localdate() - datetime.timedelta(days=365 * 10), 444)
    response = client.post(paper_url(cast, process), {"code": child, "resident": "on",
                                                      "proposals": [proposals[0].pk]})
    assert response.status_code == 200 and not Ballot.objects.exists()


def test_the_residence_must_be_confirmed(client, cast, process, proposals):
    login(client, cast.moderator)
    code = hetu.make(datetime.date(1970, 1, 1), 555)
    client.post(paper_url(cast, process), {"code": code, "proposals": [proposals[0].pk]})
    assert not Ballot.objects.exists()


def test_an_online_change_after_a_paper_ballot_is_refused(client, cast, process, proposals):
    resident, code = make_resident(cast.org, 6)
    login(client, cast.moderator)
    client.post(paper_url(cast, process), {"code": code, "resident": "on", "proposals": [proposals[0].pk]})
    resident_client = type(client)()
    sign_in(resident_client, resident)
    response = resident_client.post(reverse("budgeting:ballot", args=[process.slug]),
                                    {"proposal": [proposals[1].pk], "cast": "1"})
    assert response.status_code == 200
    ballot = Ballot.objects.get(process=process)
    assert ballot.source == "paper" and set(ballot.choices.values_list("proposal_id", flat=True)) == {proposals[0].pk}


def test_an_editor_cannot_enter_paper_ballots(client, cast, process):
    login(client, cast.editor)
    assert client.get(paper_url(cast, process)).status_code == 403


def test_paper_ballots_are_not_taken_after_the_vote_closes(client, cast, process, proposals):
    close_vote(process)
    login(client, cast.moderator)
    code = hetu.make(datetime.date(1970, 1, 1), 666)
    client.post(paper_url(cast, process), {"code": code, "resident": "on", "proposals": [proposals[0].pk]})
    assert not Ballot.objects.exists()


def test_the_counts_page_shows_numbers_only(client, cast, process, proposals):
    login(client, cast.moderator)
    client.post(paper_url(cast, process), {"code": hetu.make(datetime.date(1970, 1, 1), 777), "resident": "on",
                                           "proposals": [proposals[0].pk]})
    page = client.get(reverse("budgeting_staff:counts", kwargs={"org": cast.org.slug, "pk": process.pk}))
    assert page.status_code == 200
    assert "Leikkipuisto" not in page.content.decode()
