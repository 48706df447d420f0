"""The press list: leads add and deactivate newsrooms; nobody else sees or changes it."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kanava.channels.press import actions
from kanava.channels.press.models import PressContact
from kanava.channels.press.tests.conftest import contact
from kanava.core.models import AuditEvent
from kanava.testing.personas import login

URL = "/en/channels/press/pikkula/contacts/"


def test_a_lead_sees_the_organisations_press_list_only(client, cast, newsrooms):
    login(client, cast.lead)

    page = client.get(URL).content.decode()

    assert "toimitus@sanomat.example" in page and "redaktion@hbl.example" in page
    assert "toimitus@toinen.example" not in page


def test_a_lead_adds_a_press_contact_and_it_is_audited(client, cast):
    login(client, cast.lead)

    response = client.post(URL, {"newsroom": "Vasabladet", "name": "Vera Reporter",
                                 "email": " Redaktion@Vasabladet.example ", "language": "sv"})

    assert response.status_code == 302 and response["Location"] == URL
    added = PressContact.objects.get(organisation=cast.org)
    assert (added.newsroom, added.email, added.language, added.active) == (
        "Vasabladet", "redaktion@vasabladet.example", "sv", True)
    event = AuditEvent.objects.get(action="press_contact.added")
    assert event.actor == cast.lead and event.organisation == cast.org
    assert "Vasabladet" in client.get(URL).content.decode()


def test_an_invalid_address_gets_a_clear_error_and_keeps_what_was_typed(client, cast):
    login(client, cast.lead)

    response = client.post(URL, {"newsroom": "Vasabladet", "name": "Vera", "email": "redaktion(at)vasa",
                                 "language": "sv"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address, such as toimitus@lehti.fi." in page
    assert 'value="redaktion(at)vasa"' in page and 'value="Vasabladet"' in page and 'value="Vera"' in page
    assert re.search(r'<input[^>]*value="sv"[^>]*checked', page)
    assert not PressContact.objects.exists()


def test_the_same_address_cannot_be_added_twice_for_one_language_but_may_for_another(client, cast, newsrooms):
    login(client, cast.lead)

    twice = client.post(URL, {"newsroom": "Sanomat", "email": "toimitus@sanomat.example", "language": "fi"})
    other_language = client.post(URL, {"newsroom": "Sanomat", "email": "toimitus@sanomat.example", "language": "sv"})

    assert twice.status_code == 200
    assert "This address already receives press releases in this language." in twice.content.decode()
    assert other_language.status_code == 302
    assert PressContact.objects.filter(email="toimitus@sanomat.example").count() == 2


def test_a_lead_deactivates_and_reactivates_a_contact(client, cast, newsrooms):
    login(client, cast.lead)
    yle = newsrooms["yle"]

    client.post(f"/en/channels/press/pikkula/contacts/{yle.pk}/deactivate/")
    yle.refresh_from_db()
    assert not yle.active and yle.deactivated_at is not None

    client.post(f"/en/channels/press/pikkula/contacts/{yle.pk}/reactivate/")
    yle.refresh_from_db()
    assert yle.active and yle.deactivated_at is None
    assert list(AuditEvent.objects.filter(object_id=str(yle.pk)).order_by("id").values_list("action", flat=True)) == [
        "press_contact.deactivated", "press_contact.reactivated"]


def test_adding_a_deactivated_address_again_brings_it_back(cast, actor_of, newsrooms):
    former = newsrooms["former"]

    again = actions.do_add_contact(actor_of(cast.lead), cast.org, newsroom="Uusi lehti", email=former.email,
                                   language="fi")

    assert again.pk == former.pk and again.active and again.newsroom == "Uusi lehti"


def test_deactivating_needs_a_post(client, cast, newsrooms):
    login(client, cast.lead)
    response = client.get(f"/en/channels/press/pikkula/contacts/{newsrooms['yle'].pk}/deactivate/")
    assert response.status_code == 405
    assert PressContact.objects.get(pk=newsrooms["yle"].pk).active


def test_someone_from_another_organisation_gets_404(client, cast, newsrooms):
    login(client, cast.outsider)
    ours = newsrooms["yle"]

    assert client.get(URL).status_code == 404
    assert client.post(URL, {"newsroom": "X", "email": "x@example.fi", "language": "fi"}).status_code == 404
    # Not even through their own organisation's address.
    assert client.post(f"/en/channels/press/toinen/contacts/{ours.pk}/deactivate/").status_code == 404
    assert client.post(f"/en/channels/press/pikkula/contacts/{ours.pk}/deactivate/").status_code == 404
    ours.refresh_from_db()
    assert ours.active and not PressContact.objects.filter(email="x@example.fi").exists()


def test_an_editor_may_not_manage_the_press_list(client, cast, actor_of, newsrooms):
    login(client, cast.editor)

    assert client.get(URL).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.do_add_contact(actor_of(cast.editor), cast.org, newsroom="X", email="x@example.fi", language="fi")
    with pytest.raises(PermissionDenied):
        actions.do_deactivate_contact(actor_of(cast.editor), newsrooms["yle"])


def test_the_action_refuses_bad_input_per_field(cast, actor_of):
    with pytest.raises(ValidationError) as refused:
        actions.do_add_contact(actor_of(cast.lead), cast.org, newsroom=" ", email="not an address", language="de")
    assert set(refused.value.message_dict) == {"newsroom", "email", "language"}


def test_the_list_is_paginated_with_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    for number in range(60):
        contact(cast.org, f"toimittaja{number}@lehti.example", "fi", f"Lehti {number}")
    login(client, cast.lead)

    with django_assert_max_num_queries(12):
        first = client.get(URL)
    second = client.get(URL + "?page=2")

    assert first.content.decode().count("@lehti.example") == 50
    assert second.content.decode().count("@lehti.example") == 10
