import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kanava.core.models import AuditEvent, Membership
from kanava.core.roles import Role
from kanava.testing.personas import login, make_person

PEOPLE = "/en/staff/pikkula/people/"


def _membership(person, org, role):
    return Membership.objects.get(person=person, organisation=org, role=role)


def test_the_people_page_lists_members_with_their_roles(client, cast):
    login(client, cast.lead)
    html = client.get(PEOPLE).content.decode()
    for name in ("Aino Admin", "Liisa Lead", "Eero Editor", "Ville Voice", "Maija Moderator"):
        assert name in html
    assert "Communications lead" in html and "Kunnanjohtaja" in html
    assert "Olli Outsider" not in html


def test_the_people_page_takes_the_same_number_of_queries_for_more_people(client, cast):
    login(client, cast.lead)
    client.get(PEOPLE)
    with CaptureQueriesContext(connection) as few:
        client.get(PEOPLE)
    for number in range(10):
        make_person(cast.org, Role.EDITOR, f"editor{number}@pikkula.fi")
    with CaptureQueriesContext(connection) as many:
        client.get(PEOPLE)
    assert len(many) == len(few)


def test_an_editor_may_not_manage_people(client, cast):
    login(client, cast.editor)
    assert client.get(PEOPLE).status_code == 403


def test_a_lead_removes_a_role_and_it_is_recorded(client, cast):
    login(client, cast.lead)
    membership = _membership(cast.editor, cast.org, Role.EDITOR)
    response = client.post(f"{PEOPLE}{membership.pk}/remove/")
    assert response["Location"] == PEOPLE
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="role.removed")
    assert (event.actor, event.organisation, event.data["role"]) == (cast.lead, cast.org, "editor")


def test_removing_a_role_needs_post(client, cast):
    login(client, cast.lead)
    membership = _membership(cast.editor, cast.org, Role.EDITOR)
    assert client.get(f"{PEOPLE}{membership.pk}/remove/").status_code == 405
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_administrator_cannot_remove_their_own_last_administrator_role(client, cast):
    login(client, cast.admin)
    membership = _membership(cast.admin, cast.org, Role.ADMIN)
    response = client.post(f"{PEOPLE}{membership.pk}/remove/", follow=True)
    assert "You cannot remove your own administrator role" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.filter(action="role.removed").exists()


def test_an_administrator_may_step_down_when_another_administrator_remains(client, cast):
    make_person(cast.org, Role.ADMIN, "admin2@pikkula.fi", "Toinen Admin")
    login(client, cast.admin)
    membership = _membership(cast.admin, cast.org, Role.ADMIN)
    client.post(f"{PEOPLE}{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_lead_cannot_remove_an_administrator(client, cast):
    login(client, cast.lead)
    membership = _membership(cast.admin, cast.org, Role.ADMIN)
    assert f"{membership.pk}/remove/" not in client.get(PEOPLE).content.decode()
    response = client.post(f"{PEOPLE}{membership.pk}/remove/", follow=True)
    assert "Only an administrator can give or remove the administrator role." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_voice_gets_a_public_title_in_each_language(client, cast):
    login(client, cast.lead)
    membership = _membership(cast.voice, cast.org, Role.VOICE)
    url = f"{PEOPLE}{membership.pk}/title/"
    page = client.get(url).content.decode()
    assert 'value="Kommundirektör"' in page
    response = client.post(url, {"title_fi": "Kunnanjohtaja", "title_sv": "Kommundirektör",
                                 "title_en": " Municipal manager "})
    assert response["Location"] == PEOPLE
    membership.refresh_from_db()
    assert membership.title == {"fi": "Kunnanjohtaja", "sv": "Kommundirektör", "en": "Municipal manager"}
    event = AuditEvent.objects.get(action="role.title_changed")
    assert event.data["before"]["en"] == "Municipal director"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.LEAD])
def test_only_a_voice_has_a_title_page(client, cast, role):
    login(client, cast.lead)
    person = cast.editor if role == Role.EDITOR else cast.lead
    membership = _membership(person, cast.org, role)
    assert client.get(f"{PEOPLE}{membership.pk}/title/").status_code == 404


def test_a_too_long_title_gets_an_error_and_keeps_what_was_typed(client, cast):
    login(client, cast.lead)
    membership = _membership(cast.voice, cast.org, Role.VOICE)
    response = client.post(f"{PEOPLE}{membership.pk}/title/", {"title_fi": "x" * 200, "title_sv": "Direktör"})
    assert response.status_code == 400
    assert "Ensure this value has at most 120 characters" in response.content.decode()
    assert 'value="Direktör"' in response.content.decode()
