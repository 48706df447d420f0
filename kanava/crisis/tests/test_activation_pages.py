"""Crisis mode's staff pages without JavaScript: activate, update, all clear, two-person confirmation."""

import pytest

from kanava.crisis import activation
from kanava.crisis.models import Incident, PendingActivation
from kanava.crisis.tests.conftest import PLACES
from kanava.publishing.models import Message
from kanava.testing.personas import login

BASE = "/en/staff/pikkula/crisis"



def test_the_activate_form_shows_the_reach_and_opens_the_incident(client, cast, playbook, site):
    login(client, cast.lead)
    assert "Activate crisis mode" in client.get(f"{BASE}/{playbook.pk}/").content.decode()
    page = client.get(f"{BASE}/{playbook.pk}/activate/")
    html = page.content.decode()
    assert page.status_code == 200 and "Verkkosivut" in html and 'name="place"' in html
    assert 'name="exercise"' in html and 'name="activate"' in html
    refused = client.post(f"{BASE}/{playbook.pk}/activate/", {"activate": "1", "place": "Keskusta", "exercise": "on"})
    assert refused.status_code == 400 and 'value="Keskusta"' in refused.content.decode()  # kept what was typed
    assert not Incident.objects.exists()
    response = client.post(f"{BASE}/{playbook.pk}/activate/", {"activate": "1", "exercise": "on", **PLACES})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/incidents/{incident.pk}/")
    assert incident.is_exercise
    detail = client.get(response["Location"]).content.decode()
    assert "Post update" in detail and "All clear" in detail and "Free-text update" in detail


def test_an_editor_cannot_activate(client, cast, playbook, site):
    login(client, cast.editor)
    assert client.get(f"{BASE}/{playbook.pk}/activate/").status_code == 403
    assert "Activate crisis mode" not in client.get(f"{BASE}/{playbook.pk}/").content.decode()


def test_update_free_text_and_all_clear_buttons(client, cast, lead, playbook, site):
    incident = activation.activate(lead, playbook, PLACES)
    login(client, cast.lead)
    client.post(f"{BASE}/incidents/{incident.pk}/update/", {"update-place": ""})
    assert incident.events.filter(kind="update").count() == 1
    free = {"title_fi": "Vesipiste", "body_fi": "Torilla.", "title_sv": "Vattenpost", "body_sv": ""}
    refused = client.post(f"{BASE}/incidents/{incident.pk}/update/free/", free)
    assert refused.status_code == 400 and 'value="Vesipiste"' in refused.content.decode()
    client.post(f"{BASE}/incidents/{incident.pk}/update/free/", {**free, "body_sv": "På torget."})
    review = incident.events.get(kind="in_review")
    assert review.message.state == Message.State.IN_REVIEW
    unconfirmed = client.post(f"{BASE}/incidents/{incident.pk}/all-clear/", {}, follow=True)
    assert "Tick the box" in unconfirmed.content.decode()
    incident.refresh_from_db()
    assert incident.status == "active"
    client.post(f"{BASE}/incidents/{incident.pk}/all-clear/", {"clear-confirm": "on"})
    incident.refresh_from_db()
    assert incident.status == "closed"
    # Residents who come from a link still see the all-clear for a day, marked as ended.
    page = client.get("/fi/crisis/").content.decode()
    assert "Vesi on juomakelpoista" in page and 'class="e"' in page


def test_the_two_person_rule_on_the_pages(client, cast, playbook, site):
    playbook.two_person_rule = True
    playbook.save()
    login(client, cast.lead)
    client.post(f"{BASE}/{playbook.pk}/activate/", {"activate": "1", **PLACES})
    pending = PendingActivation.objects.get()
    assert not Incident.objects.exists()
    page = client.get(f"{BASE}/{playbook.pk}/activate/").content.decode()
    assert f"/pending/{pending.pk}/confirm/" in page
    client.post(f"{BASE}/pending/{pending.pk}/confirm/")  # the same person: refused
    assert not Incident.objects.exists()
    client.logout()
    login(client, cast.admin)
    response = client.post(f"{BASE}/pending/{pending.pk}/confirm/")
    incident = Incident.objects.get()
    assert response["Location"].endswith(f"/incidents/{incident.pk}/")
    other = client.post(f"/en/staff/toinen/crisis/pending/{pending.pk}/confirm/")
    assert other.status_code in (403, 404)


def test_the_playbook_form_sets_the_two_person_rule_and_the_drill_channels(client, cast, playbook, site):
    from kanava.core.models import Topic
    from kanava.crisis.forms import initial_of

    drill = Topic.objects.create(organisation=cast.org, slug="harjoitus", name={"fi": "Harjoitus"})
    login(client, cast.lead)
    data = {key: value for key, value in initial_of(playbook).items() if value not in (None, [])}
    data.pop("exercise_channels", None)
    data["channel_order"] = "website"
    data.update(two_person_rule="on", exercise_channels=[str(site.pk)], exercise_topic=str(drill.pk))
    data["audience_topics"] = []
    response = client.post(f"{BASE}/{playbook.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    playbook.refresh_from_db()
    assert playbook.two_person_rule and playbook.exercise_topic == drill
    assert list(playbook.exercise_channels.all()) == [site]


def test_the_activate_page_chooses_the_area_and_its_list(client, cast, playbook, site):
    from kanava.core.models import Topic
    from kanava.crisis.forms import initial_of

    village = Topic.objects.create(organisation=cast.org, slug="kirkonkyla", name={"fi": "Kirkonkylä", "en": "Village"})
    login(client, cast.lead)
    data = {key: value for key, value in initial_of(playbook).items() if value not in (None, [])}
    data.pop("exercise_channels", None)
    data["areas"] += "\nKirkonkylä | Kyrkbyn | | | ei-ole"
    refused = client.post(f"{BASE}/{playbook.pk}/edit/", {**data, "channel_order": "website"})
    assert refused.status_code == 400 and "ei-ole" in refused.content.decode()  # kept, and named in the error
    data["areas"] = data["areas"].replace("ei-ole", "kirkonkyla")
    assert client.post(f"{BASE}/{playbook.pk}/edit/", {**data, "channel_order": "website"}).status_code == 302
    village_area = playbook.areas.get(topic=village)
    page = client.get(f"{BASE}/{playbook.pk}/activate/").content.decode()
    assert "Kirkonkylä (list: Village)" in page
    response = client.post(f"{BASE}/{playbook.pk}/activate/", {"activate": "1", "area": str(village_area.pk),
                                                               **PLACES})
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.audience_topic == village and incident.area_description["fi"] == "Kirkonkylä"


def test_the_activate_page_says_who_is_alerted(client, cast, playbook, site):
    from kanava.crisis.models import PlaybookContact

    PlaybookContact.objects.create(playbook=playbook, group="internal", name="Tekninen johtaja", email="t@pikkula.fi")
    PlaybookContact.objects.create(playbook=playbook, group="partner", name="Pelastuslaitos", email="p@pelastus.fi")
    login(client, cast.lead)
    real = client.get(f"{BASE}/{playbook.pk}/activate/").content.decode()
    assert "Contacts alerted" in real and "Tekninen johtaja" in real and "Pelastuslaitos" in real
    drill = client.post(f"{BASE}/{playbook.pk}/activate/", {"preview": "1", "exercise": "on", **PLACES}).content.decode()
    assert "Tekninen johtaja" in drill and "Pelastuslaitos" not in drill
    assert "Partners are not alerted in a drill." in drill


def test_a_preview_with_empty_fields_shows_no_errors_and_keeps_the_input(client, cast, playbook, site):
    login(client, cast.lead)
    preview = client.post(f"{BASE}/{playbook.pk}/activate/", {"preview": "1", "exercise": "on", "place": "Torikatu"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "error-summary" not in page and 'value="Torikatu"' in page
    assert not Incident.objects.exists()
