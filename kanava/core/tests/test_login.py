import re

import pytest

from kanava.core import login_throttle
from kanava.core.models import AuditEvent
from kanava.core.tests.helpers import password_login
from kanava.testing.personas import PASSWORD


def test_an_editor_logs_in_with_email_and_password_and_is_not_asked_for_a_code(client, cast):
    response = password_login(client, "Editor@Pikkula.fi")
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/"
    home = client.get("/en/staff/")
    assert home.status_code == 302
    assert home["Location"] == "/en/staff/pikkula/"
    event = AuditEvent.objects.get(action="login")
    assert (event.actor, event.organisation, event.ip_address) == (cast.editor, cast.org, "127.0.0.1")


def test_a_wrong_password_gives_a_clear_error_and_keeps_the_email_typed(client, cast):
    response = password_login(client, "editor@pikkula.fi", "wrong password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The email address or the password is not correct." in html
    assert 'value="editor@pikkula.fi"' in html
    assert "wrong password" not in html
    assert "_auth_user_id" not in client.session


def test_a_failed_login_is_recorded_with_the_address_typed_and_the_client_address(client, cast):
    password_login(client, "editor@pikkula.fi", "wrong password")
    password_login(client, "nobody@example.org", "whatever")
    known = AuditEvent.objects.get(action="login.failed", organisation=cast.org)
    assert known.actor is None
    assert known.data["email"] == "editor@pikkula.fi"
    assert known.ip_address == "127.0.0.1"
    unknown = AuditEvent.objects.get(action="login.failed", organisation=None)
    assert unknown.data["email"] == "nobody@example.org"


def test_after_five_failures_even_the_right_password_is_refused(client, cast):
    for _attempt in range(login_throttle.MAX_FAILURES):
        password_login(client, "editor@pikkula.fi", "wrong password")
    response = password_login(client, "editor@pikkula.fi", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts. Wait 15 minutes and try again." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.failed").count() == login_throttle.MAX_FAILURES
    assert AuditEvent.objects.filter(action="login.failed", data__locked=True).count() == 1


def test_the_throttle_is_per_address_so_another_machine_can_still_log_in(client, cast):
    for _attempt in range(login_throttle.MAX_FAILURES):
        password_login(client, "editor@pikkula.fi", "wrong password")
    response = client.post("/en/staff/login/", {"email": "editor@pikkula.fi", "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_a_successful_login_clears_earlier_failures(client, cast):
    for _attempt in range(login_throttle.MAX_FAILURES - 1):
        password_login(client, "editor@pikkula.fi", "wrong password")
    assert password_login(client, "editor@pikkula.fi").status_code == 302
    client.post("/en/staff/logout/")
    password_login(client, "editor@pikkula.fi", "wrong password")
    assert password_login(client, "editor@pikkula.fi").status_code == 302


@pytest.mark.parametrize("unsafe", [
    "https://evil.example/phish", "//evil.example/", "javascript:alert(1)", "http://testserver.evil.example/",
])
def test_an_unsafe_next_address_is_ignored(client, cast, unsafe):
    response = password_login(client, "editor@pikkula.fi", next_url=unsafe)
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/"


def test_a_local_next_address_is_honoured(client, cast):
    response = password_login(client, "editor@pikkula.fi", next_url="/en/staff/pikkula/")
    assert response["Location"] == "/en/staff/pikkula/"


def _next_field(html: str) -> str:
    return re.search(r'<input type="hidden" name="next"(?: value="([^"]*)")?', html).group(1) or ""


def test_the_login_page_carries_a_safe_next_into_the_form_only(client, db):
    safe = client.get("/en/staff/login/", {"next": "/en/staff/pikkula/people/"}).content.decode()
    assert _next_field(safe) == "/en/staff/pikkula/people/"
    unsafe = client.get("/en/staff/login/", {"next": "https://evil.example/"}).content.decode()
    assert _next_field(unsafe) == ""


def test_a_malformed_email_gets_a_field_error_not_a_crash(client, db):
    response = password_login(client, "not an address", "x")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_logout_works_only_with_post_and_is_recorded(client, cast):
    password_login(client, "editor@pikkula.fi")
    assert client.get("/en/staff/logout/").status_code == 405
    response = client.post("/en/staff/logout/")
    assert response["Location"] == "/en/staff/login/"
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="logout")
    assert (event.actor, event.organisation) == (cast.editor, cast.org)


def test_guesses_for_one_account_spread_over_many_addresses_are_stopped(db):
    from kanava.core import login_throttle

    for number in range(login_throttle.MAX_PER_ACCOUNT):
        login_throttle.add_failure("lead@pikkula.fi", f"198.51.100.{number}")
    assert login_throttle.is_locked("lead@pikkula.fi", "203.0.113.9")
    assert not login_throttle.is_locked("editor@pikkula.fi", "203.0.113.9")
