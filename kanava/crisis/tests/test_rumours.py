"""Rumours during an incident: the claims register linked from crisis mode, on the staff and crisis pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kanava.core.models import AuditEvent
from kanava.crisis import activation, rumours
from kanava.crisis.tests.conftest import PLACES
from kanava.inbox import claims as register
from kanava.inbox.models import Claim
from kanava.testing.personas import login

BASE = "/en/staff/pikkula/crisis"
RUMOUR = {"statement": {"fi": "Vesijohtovesi on myrkyllistä myös keitettynä",
                        "sv": "Kranvattnet är giftigt även kokat"},
          "answer": {"fi": "Ei pidä paikkaansa: keittäminen tappaa bakteerit.",
                     "sv": "Stämmer inte: kokning dödar bakterierna."},
          "verdict": "false"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



def prepared(cast, lead, published=True, **extra):
    claim = register.do_save_claim(lead, cast.org, checked_on=datetime.date(2026, 11, 1), **{**RUMOUR, **extra})
    if published:
        register.do_publish_claim(lead, claim)
    return claim


def test_prepared_rumours_are_linked_when_crisis_mode_opens_and_shown_on_the_crisis_page(
        client, cast, lead, playbook, site):
    claim = prepared(cast, lead)
    draft = prepared(cast, lead, published=False, statement={"fi": "Koulut suljetaan", "sv": "Skolorna stängs"})
    playbook.prepared_claims.set([claim, draft])
    incident = activation.activate(lead, playbook, PLACES, exercise=True)
    assert set(incident.claims.all()) == {claim, draft}
    assert incident.events.filter(kind="note", data__claims__isnull=False).exists()
    fi = client.get("/fi/crisis/").content.decode()
    assert "Vesijohtovesi on myrkyllistä" in fi and "Kranvattnet är giftigt" in fi  # both languages
    assert "Koulut suljetaan" not in fi  # not published: not public
    assert 'href="/fi/facts/"' in fi
    sv = client.get("/sv/crisis/").content.decode()
    assert sv.index("Kranvattnet är giftigt") < sv.index("Vesijohtovesi on myrkyllistä")  # the page's language first


def test_recording_a_rumour_puts_it_in_the_register_linked_and_published(client, cast, lead, playbook, site):
    incident = activation.activate(lead, playbook, PLACES, exercise=True)
    claim = rumours.record_rumour(lead, incident, **RUMOUR, publish=True)
    assert claim.published and claim.checked_on is not None and list(incident.claims.all()) == [claim]
    assert incident.events.filter(kind="note", data__claim=claim.pk, data__published=True).exists()
    assert AuditEvent.objects.filter(action="crisis.rumour_recorded").exists()
    assert AuditEvent.objects.filter(action="claim.published").exists()  # the register's own audit
    assert "Kranvattnet är giftigt" in client.get("/sv/crisis/").content.decode()
    assert "Vesijohtovesi on myrkyllistä" in client.get("/fi/facts/").content.decode()


def test_only_leads_change_rumours_and_only_of_their_own_organisation(cast, lead, actor_of, playbook, site):
    incident = activation.activate(lead, playbook, PLACES, exercise=True)
    with pytest.raises(PermissionDenied):
        rumours.record_rumour(actor_of(cast.editor), incident, **RUMOUR)
    foreign = register.do_save_claim(actor_of(cast.outsider), cast.other_org, **RUMOUR)
    with pytest.raises(PermissionDenied):
        rumours.link(lead, incident, foreign)
    assert not incident.claims.exists()


def test_publishing_an_incomplete_answer_says_what_is_missing(cast, lead, playbook, site):
    incident = activation.activate(lead, playbook, PLACES, exercise=True)
    claim = rumours.record_rumour(lead, incident, **{**RUMOUR, "answer": {"fi": "Ei pidä paikkaansa."}})
    with pytest.raises(ValidationError) as refused:
        rumours.publish(lead, incident, claim)
    assert "Swedish" in " ".join(refused.value.messages)
    claim.refresh_from_db()
    assert not claim.published


def test_the_rumour_steps_on_the_incident_page(client, cast, lead, playbook, site):
    incident = activation.activate(lead, playbook, PLACES, exercise=True)
    login(client, cast.lead)
    page = client.get(f"{BASE}/incidents/{incident.pk}/").content.decode()
    assert "Rumours and answers" in page and "No rumours linked yet." in page
    # A missing Swedish statement is fine, a missing Finnish one is not: the form keeps what was typed.
    refused = client.post(f"{BASE}/incidents/{incident.pk}/rumours/new/",
                          {"statement_sv": "Skolorna stängs", "answer_fi": "Koulut ovat auki.", "verdict": "false"})
    assert refused.status_code == 400
    assert "Skolorna stängs" in refused.content.decode() and "Koulut ovat auki." in refused.content.decode()
    done = client.post(f"{BASE}/incidents/{incident.pk}/rumours/new/", {
        "statement_fi": RUMOUR["statement"]["fi"], "statement_sv": RUMOUR["statement"]["sv"],
        "answer_fi": RUMOUR["answer"]["fi"], "answer_sv": RUMOUR["answer"]["sv"], "verdict": "false"})
    assert done.status_code == 302 and done["Location"].endswith("#rumours")
    claim = Claim.objects.get(organisation=cast.org)
    assert not claim.published
    page = client.get(f"{BASE}/incidents/{incident.pk}/").content.decode()
    assert "Publish the answer" in page
    client.post(f"{BASE}/incidents/{incident.pk}/rumours/{claim.pk}/publish/")
    claim.refresh_from_db()
    assert claim.published
    other = prepared(cast, lead, statement={"fi": "Sähköt katkaistaan", "sv": "Elen stängs av"})
    client.post(f"{BASE}/incidents/{incident.pk}/rumours/link/", {"claim": str(other.pk)})
    assert set(incident.claims.all()) == {claim, other}
    client.post(f"{BASE}/incidents/{incident.pk}/rumours/{other.pk}/unlink/")
    assert list(incident.claims.all()) == [claim]


def test_an_editor_sees_the_rumours_but_cannot_change_them(client, cast, lead, playbook, site):
    incident = activation.activate(lead, playbook, PLACES, exercise=True)
    login(client, cast.editor)
    page = client.get(f"{BASE}/incidents/{incident.pk}/").content.decode()
    assert "Rumours and answers" in page and "Record a rumour and its answer" not in page
    assert client.post(f"{BASE}/incidents/{incident.pk}/rumours/new/", {"statement_fi": "x"}).status_code == 403
