"""Municipal initiatives: residents sign once with strong identification, paper lists count too,
and at 2 % of the population the leads are alerted once, also when signatures arrive at the same moment."""

import threading

import pytest

from kanava.core.audit import Actor
from kanava.core.models import Alert, AuditEvent, Organisation
from kanava.participation import identity
from kanava.participation.kinds.ideas import actions
from kanava.participation.kinds.ideas.models import Initiative, InitiativeSignature, add_months
from kanava.participation.kinds.ideas.tests.support import identity_code, make_process, make_resident, sign_in
from kanava.participation.manifest import Level
from kanava.testing.personas import login
from kanava.testing.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


def open_initiative(organisation, population: int) -> Initiative:
    Organisation.objects.filter(pk=organisation.pk).update(population=population)
    organisation.refresh_from_db()
    process = make_process(organisation)
    idea = actions.do_propose(Actor.system(), process, None, title="Uimahalli auki pidempään",
                              text="Arkisin klo 6–21.", as_initiative=True).idea
    return idea.initiative


def sign_url(initiative, end="sign/"):
    return f"/fi/participate/{initiative.process.slug}/ideas/initiatives/{initiative.pk}/{end}"


@pytest.mark.django_db
def test_a_resident_signs_once_with_strong_identification(client, cast):
    initiative = open_initiative(cast.org, 9000)
    resident = make_resident(cast.org, 1, strong=True)
    sign_in(client, resident, Level.STRONG)
    assert client.post(sign_url(initiative)).status_code == 302
    assert client.post(sign_url(initiative)).status_code == 302
    initiative.refresh_from_db()
    assert initiative.signature_count == 1
    signature = InitiativeSignature.objects.get()
    assert signature.participant == resident and signature.strong_id_digest == resident.strong_id_digest
    page = client.get(sign_url(initiative, "")).content.decode()
    assert "1 of 180 signatures needed" in page and "You have signed this initiative." in page
    assert 'aria-labelledby="initiative-' in page and "<progress" in page


@pytest.mark.django_db
def test_signing_with_an_email_code_only_asks_for_strong_identification(client, cast):
    initiative = open_initiative(cast.org, 9000)
    sign_in(client, make_resident(cast.org, 1), Level.EMAIL)
    response = client.post(sign_url(initiative))
    assert response.status_code == 302 and "level=strong" in response["Location"]
    assert not InitiativeSignature.objects.exists()


@pytest.mark.django_db
def test_a_resident_of_another_municipality_is_refused(client, cast):
    initiative = open_initiative(cast.org, 9000)
    sign_in(client, make_resident(cast.org, 1, strong=True, home="091"), Level.STRONG)
    response = client.post(sign_url(initiative))
    assert response.status_code == 403
    assert "Only residents of the municipality can sign" in response.content.decode()
    assert Initiative.objects.get(pk=initiative.pk).signature_count == 0


@pytest.mark.django_db
def test_the_leads_are_alerted_once_at_two_per_cent(client, cast, smtp, django_capture_on_commit_callbacks):
    initiative = open_initiative(cast.org, 150)  # 2 % of 150 = 3
    for number in range(1, 6):
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_sign(Actor.system(), initiative, make_resident(cast.org, number, strong=True))
    initiative.refresh_from_db()
    assert initiative.signature_count == 5 and initiative.reached_at is not None
    alert = Alert.objects.get(organisation=cast.org)
    assert "(3 of 3)" in alert.text and "Uimahalli auki pidempään" in alert.text
    assert alert.link == (f"/fi/staff/{cast.org.slug}/participation/{initiative.process_id}/ideas/initiatives/"
                          f"{initiative.pk}/")
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == sorted([cast.admin.email, cast.lead.email])
    assert AuditEvent.objects.filter(action="ideas.initiative_reached").count() == 1
    login(client, cast.lead)
    page = client.get(alert.link).content.decode()
    assert "5 of 3 signatures needed" in page


@pytest.mark.django_db
def test_paper_signatures_count_once_and_meet_online_ones(client, cast):
    initiative = open_initiative(cast.org, 9000)
    resident = make_resident(cast.org, 7, strong=True)
    actions.do_sign(Actor.system(), initiative, resident)
    login(client, cast.moderator)
    url = f"/fi/staff/{cast.org.slug}/participation/{initiative.process_id}/ideas/initiatives/{initiative.pk}/paper/"
    assert client.post(url, {"identity_code": identity_code(8), "resident_checked": "on"}).status_code == 302
    client.post(url, {"identity_code": identity_code(8).lower(), "resident_checked": "on"})  # the same person again
    client.post(url, {"identity_code": identity_code(7), "resident_checked": "on"})  # signed online already
    initiative.refresh_from_db()
    assert initiative.signature_count == 2
    paper = InitiativeSignature.objects.get(source="paper")
    assert paper.recorded_by == cast.moderator and paper.strong_id_digest == identity.digest("hetu", identity_code(8))
    assert identity_code(8) not in str(list(InitiativeSignature.objects.values()))
    assert identity_code(8) not in str(list(AuditEvent.objects.values()))


@pytest.mark.django_db
def test_a_bad_identity_code_or_an_unchecked_residence_is_refused(client, cast):
    initiative = open_initiative(cast.org, 9000)
    login(client, cast.moderator)
    url = f"/fi/staff/{cast.org.slug}/participation/{initiative.process_id}/ideas/initiatives/{initiative.pk}/paper/"
    wrong_check = identity_code(3)[:-1] + ("A" if identity_code(3)[-1] != "A" else "B")
    for data, words in (({"identity_code": wrong_check, "resident_checked": "on"}, "not a valid personal identity"),
                        ({"identity_code": "010199-123", "resident_checked": "on"}, "has 11 characters"),
                        ({"identity_code": identity_code(3)}, "Check the signer&#x27;s home municipality")):
        response = client.post(url, data)
        assert response.status_code == 400 and words in response.content.decode(), words
    assert not InitiativeSignature.objects.exists()


@pytest.mark.django_db
def test_the_filing_date_shows_the_councils_six_month_deadline(client, cast):
    initiative = open_initiative(cast.org, 9000)
    login(client, cast.lead)
    url = f"/en/staff/{cast.org.slug}/participation/{initiative.process_id}/ideas/initiatives/{initiative.pk}/"
    client.post(url + "submitted/", {"submitted_on": "2026-08-31"})
    initiative.refresh_from_db()
    assert initiative.council_deadline.isoformat() == "2027-02-28"
    page = client.get(sign_url(initiative, "").replace("/fi/", "/en/")).content.decode()
    assert "The council must consider it by 02/28/2027." in page


def test_six_months_later_keeps_the_day_or_takes_the_last_of_the_month():
    import datetime

    assert add_months(datetime.date(2026, 3, 15), 6) == datetime.date(2026, 9, 15)
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2027, 11, 30), 6) == datetime.date(2028, 5, 30)


@pytest.mark.django_db(transaction=True)
def test_concurrent_signatures_at_the_threshold_alert_once(cast):
    """30 residents sign at the same moment (and each twice): every one counted once, one alert, no errors."""
    initiative = open_initiative(cast.org, 500)  # 2 % of 500 = 10
    residents = [make_resident(cast.org, number, strong=True) for number in range(1, 31)]
    start = threading.Barrier(len(residents))
    errors = []

    def sign(resident):
        from django.db import connection as own

        try:
            start.wait()
            actions.do_sign(Actor.system(), Initiative.objects.select_related("process__organisation", "idea").get(
                pk=initiative.pk), resident)
            actions.do_sign(Actor.system(), Initiative.objects.select_related("process__organisation", "idea").get(
                pk=initiative.pk), resident)  # a double click
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=sign, args=(resident,)) for resident in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    initiative.refresh_from_db()
    assert initiative.signature_count == 30 == InitiativeSignature.objects.filter(initiative=initiative).count()
    assert Alert.objects.filter(organisation=cast.org).count() == 1
    assert AuditEvent.objects.filter(action="ideas.initiative_reached").count() == 1


@pytest.mark.django_db
def test_the_lead_opens_an_idea_as_an_initiative_once_where_the_process_allows(client, cast):
    allowed, closed = make_process(cast.org), make_process(cast.org, slug="ei-aloitteita", initiatives=False)
    login(client, cast.lead)
    for process, expected in ((allowed, 1), (closed, 0)):
        idea = actions.do_propose(Actor.system(), process, None, title="Idea", text="Teksti.").idea
        url = f"/fi/staff/{cast.org.slug}/participation/{process.pk}/ideas/{idea.pk}/initiative/"
        client.post(url)
        client.post(url)
        assert Initiative.objects.filter(idea=idea).count() == expected
    assert AuditEvent.objects.filter(action="ideas.initiative_opened").count() == 1


@pytest.fixture(autouse=True)
def _english_texts(settings):
    """These tests read the English source texts: the Finnish and Swedish catalogues are set aside."""
    settings.LOCALE_PATHS = []
