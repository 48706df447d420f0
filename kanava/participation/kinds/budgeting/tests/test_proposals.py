"""Proposing, the proposal list and page, and vetting by staff."""

from django.urls import reverse

from kanava.core.models import AuditEvent
from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.kinds.budgeting.tests.conftest import make_process, sign_in
from kanava.participation.manifest import Level
from kanava.testing.personas import login


def test_a_resident_proposes_and_sees_the_proposal(client, cast, resident):
    process = make_process(cast.org, slug="ehdotukset", phase="input", costs=())
    sign_in(client, resident, Level.EMAIL)
    response = client.post(reverse("budgeting:propose", args=[process.slug]),
                           {"title": "Uusi penkki", "text": "Penkki <script>alert(1)</script> rannalle.",
                            "author_name": "Sanna"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(process=process)
    assert proposal.state == "submitted" and proposal.text == {"fi": "Penkki <script>alert(1)</script> rannalle."}
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    listing = client.get(reverse("budgeting:proposals", args=[process.slug]) + "?state=submitted").content.decode()
    assert "Uusi penkki" in listing
    assert "Uusi penkki" not in client.get(reverse("budgeting:proposals", args=[process.slug]) +
                                           "?state=accepted").content.decode()


def test_a_proposal_sent_twice_is_stored_once(client, cast, resident):
    process = make_process(cast.org, slug="ehdotukset", phase="input", costs=())
    sign_in(client, resident, Level.EMAIL)
    for _ in range(2):
        client.post(reverse("budgeting:propose", args=[process.slug]), {"title": "Penkki", "text": "Rannalle."})
    assert Proposal.objects.filter(process=process).count() == 1


def test_a_proposal_without_identification_goes_to_identify_and_comes_back_filled(client, cast):
    process = make_process(cast.org, slug="ehdotukset", phase="input", costs=())
    url = reverse("budgeting:propose", args=[process.slug])
    response = client.post(url, {"title": "Koirapuisto", "text": "Aidattu koirapuisto."})
    assert response.status_code == 302 and "level=email" in response["Location"]
    assert "Koirapuisto" in client.get(url).content.decode()
    assert not Proposal.objects.exists()


def test_an_oversized_proposal_is_refused_with_what_was_typed_kept(client, cast, resident):
    process = make_process(cast.org, slug="ehdotukset", phase="input", costs=())
    sign_in(client, resident, Level.EMAIL)
    response = client.post(reverse("budgeting:propose", args=[process.slug]),
                           {"title": "Pitkä", "text": "x" * 6000})
    assert response.status_code == 200 and not Proposal.objects.exists()
    assert 'value="Pitkä"' in response.content.decode()


def test_proposals_are_not_taken_outside_the_input_phase(client, process, resident):
    sign_in(client, resident, Level.EMAIL)
    response = client.post(reverse("budgeting:propose", args=[process.slug]), {"title": "Myöhässä", "text": "."})
    assert response.status_code == 409
    assert not Proposal.objects.filter(title="Myöhässä").exists()


def test_the_lead_vets_a_proposal_with_a_cost_estimate_and_an_audit_event(client, cast, process):
    proposal = Proposal.objects.create(process=process, title="Kuntosali", text={"fi": "Ulkokuntosali."})
    login(client, cast.lead)
    url = reverse("budgeting_staff:vet", kwargs={"org": cast.org.slug, "pk": process.pk, "proposal": proposal.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"state": "accepted", "cost_estimate": "", "note_fi": "", "note_sv": ""})
    assert response.status_code == 200  # on the ballot without a cost: refused
    response = client.post(url, {"state": "not_feasible", "cost_estimate": "", "note_fi": "", "note_sv": ""})
    assert response.status_code == 200  # not feasible without reasons: refused
    response = client.post(url, {"state": "accepted", "cost_estimate": "15000", "note_fi": "Kuusi laitetta.",
                                 "note_sv": "Sex redskap."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.cost_estimate == 15000 and proposal.vetted_by == cast.lead
    assert proposal.feasibility_note == {"fi": "Kuusi laitetta.", "sv": "Sex redskap."}
    assert AuditEvent.objects.filter(action="budgeting.proposal_vetted", object_id=str(proposal.pk)).exists()
    page = client.get(reverse("budgeting:proposal", args=[process.slug, proposal.pk])).content.decode()
    assert "Kuusi laitetta." in page


def test_a_moderator_cannot_vet(client, cast, process, proposals):
    login(client, cast.moderator)
    url = reverse("budgeting_staff:vet", kwargs={"org": cast.org.slug, "pk": process.pk, "proposal": proposals[0].pk})
    assert client.get(url).status_code == 403


def test_another_organisations_lead_sees_nothing(client, cast, process, proposals):
    login(client, cast.outsider)
    for slug in (cast.org.slug, cast.other_org.slug):
        url = reverse("budgeting_staff:vet", kwargs={"org": slug, "pk": process.pk, "proposal": proposals[0].pk})
        assert client.get(url).status_code == 404


def test_a_proposal_that_does_not_exist_is_a_404(client, cast, process):
    for pk in (0, 10**30):
        assert client.get(f"/fi/participate/{process.slug}/budgeting/proposals/{pk}/").status_code == 404
    login(client, cast.lead)
    assert client.get(f"/fi/staff/{cast.org.slug}/participation/{process.pk}/budgeting/proposals/{10**30}/"
                      ).status_code == 404
