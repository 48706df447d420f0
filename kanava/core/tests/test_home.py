from kanava.core.roles import Role
from kanava.testing.personas import login, make_person


def test_someone_in_one_organisation_goes_straight_to_its_dashboard(client, cast):
    login(client, cast.editor)
    response = client.get("/fi/staff/")
    assert response["Location"] == "/fi/staff/pikkula/"


def test_someone_in_several_organisations_sees_each_with_their_roles(client, cast):
    make_person(cast.other_org, Role.EDITOR, "editor@pikkula.fi")
    make_person(cast.org, Role.MODERATOR, "editor@pikkula.fi")
    login(client, cast.editor)
    response = client.get("/en/staff/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/en/staff/pikkula/"' in html and 'href="/en/staff/toinen/"' in html
    assert "Editor, Moderator" in html


def test_a_lead_who_has_not_given_the_code_is_sent_to_two_factor(client, cast):
    client.force_login(cast.lead)
    assert client.get("/en/staff/")["Location"].startswith("/en/staff/two-factor/")


def test_the_home_page_needs_a_login(client, db):
    assert client.get("/en/staff/")["Location"].startswith("/en/staff/login/")
