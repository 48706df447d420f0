"""The crisis page (light, cached, bilingual, no JavaScript) and the staff pages."""

from kanava.crisis import actions, public
from kanava.crisis.models import Playbook
from kanava.crisis.tests.conftest import PLACES, WATER
from kanava.testing.personas import login


def test_without_an_incident_the_page_says_so_and_links_to_preparedness(client, cast):
    response = client.get("/fi/crisis/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is no active incident" in html or "ei ole käynnissä kriisitilannetta" in html
    assert "There is no active incident" in client.get("/en/crisis/").content.decode()
    assert "https://72tuntia.fi/" in html


def test_the_page_is_light_has_no_script_and_shows_both_languages(client, cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES)
    for _number in range(public.UPDATES_SHOWN - 1):  # the most the page shows
        actions.add_update(lead, incident, PLACES)
    for language in ("fi", "sv"):
        response = client.get(f"/{language}/crisis/")
        html = response.content.decode()
        assert response.status_code == 200
        assert len(response.content) < 30 * 1024, len(response.content)
        assert "<script" not in html.lower()
        assert 'lang="fi"' in html and 'lang="sv"' in html
        assert "Keitä vesi: Keskusta" in html and "Koka vattnet: Keskusta" in html
        assert f'<html lang="{language}">' in html


def test_the_page_is_served_from_cache_until_an_update_invalidates_it(client, cast, lead, playbook,
                                                                      django_assert_max_num_queries):
    incident = actions.open_incident(lead, playbook, PLACES)
    client.get("/fi/crisis/")
    with django_assert_max_num_queries(1):  # the organisation's site_version only
        response = client.get("/fi/crisis/")
    assert "Keittokehotus jatkuu" not in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=60"
    actions.add_update(lead, incident)
    assert "Keittokehotus jatkuu" in client.get("/fi/crisis/").content.decode()
    actions.close_incident(lead, incident)
    ended = client.get("/fi/crisis/").content.decode()  # shown for a day more, with the all-clear, as ended
    assert "Vesi on juomakelpoista" in ended and '<span class="e">' in ended


def test_the_list_nags_about_stale_playbooks(client, cast, playbook):
    login(client, cast.editor)
    response = client.get("/en/staff/pikkula/crisis/")
    assert response.status_code == 200
    assert "stale-nag" in response.content.decode() and "Review overdue" in response.content.decode()
    client.post(f"/en/staff/pikkula/crisis/{playbook.pk}/review/")
    assert "stale-nag" not in client.get("/en/staff/pikkula/crisis/").content.decode()


def test_the_playbook_form_keeps_what_was_typed_when_refused(client, cast):
    login(client, cast.lead)
    response = client.post("/en/staff/pikkula/crisis/new/", {
        "name_fi": "Myrsky", "scenario": "storm", "update_cadence_minutes": "60", "review_interval_days": "180",
        "channel_order": "website, pigeon", "checklist": "Soita pelastuslaitokselle", "cap_category": "Met",
        "urgency": "Immediate", "severity": "Severe", "certainty": "Observed",
        "partners": "Pelastuslaitos | Tilannekeskus | tk@example.fi | +358401234567"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Unknown channels: pigeon." in html and "Soita pelastuslaitokselle" in html and "tk@example.fi" in html
    assert not Playbook.objects.exists()


def test_a_template_is_written_then_approved_on_the_staff_pages(client, cast, lead):
    playbook = actions.save_playbook(lead, cast.org, actions.PlaybookData(scenario="heat", name={"fi": "Helle"}))
    login(client, cast.editor)
    url = f"/en/staff/pikkula/crisis/{playbook.pk}/templates/first/"
    assert "{place}" in client.get(url).content.decode()
    fields = {f"{part}_{code}": text for part in ("title", "body", "instruction")
              for code, text in WATER["first"].get(part, {}).items()}
    assert client.post(url, fields).status_code == 302
    assert client.post(url + "approve/").status_code == 403  # an editor may not approve
    login(client, cast.lead)
    client.post(url + "approve/")
    assert playbook.templates.get(kind="first").pre_approved


def test_the_incident_timeline_and_its_cap_xml(client, cast, lead, playbook):
    incident = actions.open_incident(lead, playbook, PLACES, exercise=True)
    login(client, cast.moderator)
    html = client.get(f"/en/staff/pikkula/crisis/incidents/{incident.pk}/").content.decode()
    assert "Crisis mode opened" in html and "HARJOITUS: Keitä vesi: Keskusta" in html
    xml = client.get(f"/en/staff/pikkula/crisis/incidents/{incident.pk}/cap.xml")
    assert b"<status>Exercise</status>" in xml.content
    assert client.get("/en/staff/pikkula/crisis/incidents/").status_code == 200


def test_another_organisations_lead_sees_none_of_it(client, cast, lead, playbook):
    from kanava.crisis.isolation import ID_ARGUMENTS

    incident = actions.open_incident(lead, playbook, PLACES)
    login(client, cast.outsider)
    urls = [f"/en/staff/toinen/crisis/{playbook.pk}/", f"/en/staff/toinen/crisis/{playbook.pk}/edit/",
            f"/en/staff/toinen/crisis/{playbook.pk}/templates/first/",
            f"/en/staff/toinen/crisis/incidents/{incident.pk}/",
            f"/en/staff/toinen/crisis/incidents/{incident.pk}/cap.xml",
            "/en/staff/pikkula/crisis/", f"/en/staff/pikkula/crisis/{playbook.pk}/"]
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    assert client.post(f"/en/staff/toinen/crisis/{playbook.pk}/review/").status_code == 404
    assert client.get("/en/staff/toinen/crisis/").status_code == 200
    assert ID_ARGUMENTS["crisis:template_approve"] == {"pk": "crisis_playbook", "template_kind": "crisis_template_kind"}


def test_the_playbook_list_costs_the_same_queries_for_nine_playbooks_as_for_one(client, cast, lead, playbook,
                                                                                django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kanava.crisis import demo

    login(client, cast.lead)
    with CaptureQueriesContext(connection) as one:
        client.get("/en/staff/pikkula/crisis/")
    demo.seed(cast.org)
    with django_assert_max_num_queries(len(one)):
        response = client.get("/en/staff/pikkula/crisis/")
    assert response.content.decode().count('scope="row"') == 9  # the water playbook existed: the demo keeps it
