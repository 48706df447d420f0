import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kanava.core.models import AuditEvent, Invitation, Membership, Person
from kanava.core.roles import Role
from kanava.testing.personas import PASSWORD, login

PEOPLE = "/en/staff/pikkula/people/"
NEW_PASSWORD = "Lumikko-ja-kettu-77"


def _invite(client, email, role=Role.EDITOR):
    return client.post(PEOPLE, {"email": email, "role": role})


def _link_path() -> str:
    url = re.search(r"(http\S+/staff/invitation/\S+/)", mail.outbox[-1].body).group(1)
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def lead_client(client, cast):
    login(client, cast.lead)
    return client


def test_a_lead_invites_a_new_person_who_sets_a_name_and_password(lead_client, cast, client):
    response = _invite(lead_client, "Uusi.Toimittaja@Pikkula.fi")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["uusi.toimittaja@pikkula.fi"]
    # The link is in the organisation's majority language (Finnish) and absolute.
    assert re.search(r"http://127\.0\.0\.1:8000/fi/staff/invitation/[\w-]{40,}/", sent.body)
    invitation = Invitation.objects.get()
    token = _link_path().rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert AuditEvent.objects.filter(action="person.invited", organisation=cast.org, actor=cast.lead).exists()

    lead_client.post("/en/staff/logout/")
    page = client.get(_link_path())
    assert page.status_code == 200
    assert "Luo käyttäjätili" in page.content.decode()  # the link is in the organisation's language
    accepted = client.post(_link_path(), {"name": "Uusi Toimittaja", "password1": NEW_PASSWORD,
                                          "password2": NEW_PASSWORD})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/fi/staff/pikkula/"
    person = Person.objects.get(email="uusi.toimittaja@pikkula.fi")
    assert person.display_name == "Uusi Toimittaja" and person.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(person=person, organisation=cast.org, role=Role.EDITOR).exists()
    assert int(client.session["_auth_user_id"]) == person.pk
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=person, organisation=cast.org).exists()


def test_a_weak_password_gets_translated_errors_and_keeps_the_name(lead_client, cast, client):
    _invite(lead_client, "uusi@pikkula.fi")
    lead_client.post("/en/staff/logout/")
    path = _link_path().replace("/fi/", "/en/", 1)
    response = client.post(path, {"name": "Uusi Ihminen", "password1": "12345", "password2": "12345"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This password is too short." in html
    assert "This password is entirely numeric." in html
    assert 'value="Uusi Ihminen"' in html
    assert not Person.objects.filter(email="uusi@pikkula.fi").exists()
    mismatch = client.post(path, {"name": "Uusi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The two passwords are different." in mismatch.content.decode()


def test_an_invited_lead_is_sent_to_set_up_two_factor_after_accepting(lead_client, cast, client):
    _invite(lead_client, "toinen.lead@pikkula.fi", Role.LEAD)
    lead_client.post("/en/staff/logout/")
    response = client.post(_link_path(), {"name": "Toinen Lead", "password1": NEW_PASSWORD,
                                          "password2": NEW_PASSWORD})
    assert response["Location"] == "/fi/staff/two-factor/?next=%2Ffi%2Fstaff%2Fpikkula%2F"


def test_someone_with_an_account_logs_in_on_the_invitation_page_and_accepts(lead_client, cast, client):
    _invite(lead_client, "lead@toinen.fi", Role.EDITOR)
    lead_client.post("/en/staff/logout/")
    page = client.get(_link_path().replace("/fi/", "/en/", 1))
    assert "You already have a Kanava account." in page.content.decode()
    wrong = client.post(_link_path().replace("/fi/", "/en/", 1), {"password": "not it"})
    assert wrong.status_code == 400
    assert "The password is not correct." in wrong.content.decode()
    assert AuditEvent.objects.filter(action="login.failed", organisation=cast.other_org).exists()
    response = client.post(_link_path(), {"password": PASSWORD})
    assert response.status_code == 302
    # The outsider leads another organisation, so two-factor comes first.
    assert response["Location"].startswith("/fi/staff/two-factor/")
    assert Membership.objects.filter(person=cast.outsider, organisation=cast.org, role=Role.EDITOR).exists()


def test_a_signed_in_person_confirms_an_invitation_to_their_own_address(lead_client, cast, client):
    _invite(lead_client, "editor@pikkula.fi", Role.MODERATOR)
    path = _link_path()
    lead_client.post("/en/staff/logout/")
    login(client, cast.editor)
    assert client.get(path).status_code == 200
    response = client.post(path)
    # A moderator answers and moderates in public: two-factor first, then the organisation's pages.
    assert response["Location"] == "/fi/staff/two-factor/?next=%2Ffi%2Fstaff%2Fpikkula%2F"
    assert Membership.objects.filter(person=cast.editor, organisation=cast.org, role=Role.MODERATOR).exists()


def test_an_invitation_for_another_address_is_not_accepted_by_whoever_is_signed_in(lead_client, cast):
    _invite(lead_client, "someone.else@pikkula.fi")
    response = lead_client.post(_link_path().replace("/fi/", "/en/", 1))
    assert "You are logged in with another account." in response.content.decode()
    assert not Invitation.objects.get().accepted_at
    assert not Person.objects.filter(email="someone.else@pikkula.fi").exists()


def test_a_used_invitation_is_refused(lead_client, cast, client):
    _invite(lead_client, "uusi@pikkula.fi")
    path = _link_path()
    lead_client.post("/en/staff/logout/")
    client.post(path, {"name": "Uusi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post("/en/staff/logout/")
    again = client.get(path)
    assert again.status_code == 410
    again_post = client.post(path, {"name": "Toinen", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert again_post.status_code == 410
    assert Person.objects.filter(email="uusi@pikkula.fi").count() == 1


def test_an_expired_invitation_is_refused(lead_client, cast, client):
    _invite(lead_client, "uusi@pikkula.fi")
    path = _link_path()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    lead_client.post("/en/staff/logout/")
    assert client.get(path).status_code == 410
    response = client.post(path, {"name": "Uusi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert "This invitation has expired or has already been used." in client.get(
        path.replace("/fi/", "/en/", 1)).content.decode()
    assert not Person.objects.filter(email="uusi@pikkula.fi").exists()


def test_an_unknown_token_is_not_found(client, db):
    assert client.get("/en/staff/invitation/not-a-real-token/").status_code == 404


def test_inviting_someone_to_a_role_they_have_is_refused(lead_client, cast):
    response = _invite(lead_client, "editor@pikkula.fi", Role.EDITOR)
    assert response.status_code == 400
    assert "This person already has this role." in response.content.decode()
    assert mail.outbox == []


def test_a_lead_cannot_invite_an_administrator_but_an_administrator_can(client, cast):
    login(client, cast.lead)
    refused = _invite(client, "uusi.admin@pikkula.fi", Role.ADMIN)
    assert "Only an administrator can give or remove the administrator role." in refused.content.decode()
    assert 'value="uusi.admin@pikkula.fi"' in refused.content.decode()
    client.post("/en/staff/logout/")
    login(client, cast.admin)
    assert _invite(client, "uusi.admin@pikkula.fi", Role.ADMIN).status_code == 302


def test_a_bad_email_address_gets_an_error_and_nothing_is_sent(lead_client, cast):
    response = _invite(lead_client, "not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_when_the_mail_cannot_be_sent_no_invitation_is_kept(lead_client, cast, settings):
    from kanava.testing.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    response = _invite(lead_client, "uusi@pikkula.fi")
    assert response.status_code == 400
    assert "The invitation email could not be sent." in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="person.invited").exists()
