import io
import re

import pytest
from django.core.management import CommandError, call_command

from kanava.core.models import AuditEvent, Membership, Organisation, Person
from kanava.core.tests.helpers import password_login

NEW_PASSWORD = "Revontulet-talvella-42"


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_organisation_sets_names_languages_and_majority(db):
    output = _run("create_organisation", "vaasa", "--name", "fi=Vaasan kaupunki", "--name", "sv=Vasa stad",
                  "--languages", "fi,sv", "--majority", "fi")
    organisation = Organisation.objects.get(slug="vaasa")
    assert organisation.name == {"fi": "Vaasan kaupunki", "sv": "Vasa stad"}
    assert (organisation.required_languages, organisation.majority_language) == (["fi", "sv"], "fi")
    assert "Created organisation vaasa" in output
    assert AuditEvent.objects.filter(action="organisation.created", organisation=organisation).exists()


@pytest.mark.parametrize("args, message", [
    (["pikkula2", "--name", "fi=X", "--languages", "fi", "--majority", "sv"], "majority language"),
    (["pikkula2", "--name", "fi=X", "--languages", "fi,de"], "Unknown language"),
    (["pikkula2", "--name", "xx=X"], "--name takes"),
    (["login", "--name", "fi=X"], "reserved"),
    (["pikkula2", "--name", "fi=X", "--time-zone", "Mars/Base"], "Unknown time zone"),
])
def test_create_organisation_refuses_bad_input_with_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run("create_organisation", *args)
    assert not Organisation.objects.exists()


def test_create_staff_prints_a_one_time_link_that_sets_the_password(client, cast):
    output = _run("create_staff", "Uusi@Pikkula.fi", "pikkula", "editor", "--name", "Uusi Ihminen")
    person = Person.objects.get(email="uusi@pikkula.fi")
    assert not person.has_usable_password()
    assert Membership.objects.filter(person=person, organisation=cast.org, role="editor").exists()
    link = re.search(r"http://127\.0\.0\.1:8000(/fi/staff/set-password/\S+/)", output).group(1)

    weak = client.post(link.replace("/fi/", "/en/", 1), {"password1": "uusi", "password2": "uusi"})
    assert "This password is too short." in weak.content.decode()
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/fi/staff/login/"
    assert password_login(client, "uusi@pikkula.fi", NEW_PASSWORD).status_code == 302
    client.post("/en/staff/logout/")
    # Used once, the link is dead.
    assert client.get(link).status_code == 404
    assert client.post(link, {"password1": "Toinen-salasana-99", "password2": "Toinen-salasana-99"}).status_code == 404


def test_create_staff_with_a_password_needs_no_link(client, cast):
    output = _run("create_staff", "admin2@pikkula.fi", "pikkula", "admin", "--password", NEW_PASSWORD)
    assert "set-password" not in output
    assert Person.objects.get(email="admin2@pikkula.fi").check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="membership.created", organisation=cast.org).exists()


def test_create_staff_refuses_a_weak_password_and_an_unknown_organisation(db, cast):
    with pytest.raises(CommandError, match="too short"):
        _run("create_staff", "x@pikkula.fi", "pikkula", "editor", "--password", "short")
    with pytest.raises(CommandError, match="No organisation"):
        _run("create_staff", "x@pikkula.fi", "nowhere", "editor")
    assert not Person.objects.filter(email="x@pikkula.fi").exists()


def test_a_tampered_password_link_is_refused(client, db):
    assert client.get("/en/staff/set-password/MQ/not-a-token/").status_code == 404
    assert client.get("/en/staff/set-password/%%%/x/").status_code == 404
