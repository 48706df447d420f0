import re

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.core.models import AuditEvent
from kanava.core.roles import Role
from kanava.core.tests.helpers import code_for, password_login
from kanava.testing.personas import make_person

PEOPLE = "/en/staff/pikkula/people/"


def _verified(client) -> bool:
    return "otp_device_id" in client.session


def test_a_lead_logs_in_with_a_password_and_a_code_from_the_app(client, cast):
    response = password_login(client, "lead@pikkula.fi", next_url=PEOPLE)
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/two-factor/?next=%2Fen%2Fstaff%2Fpikkula%2Fpeople%2F"
    assert not AuditEvent.objects.filter(action="login").exists()  # not in until the code is given

    page = client.get(response["Location"])
    assert "Enter your code" in page.content.decode()
    device = TOTPDevice.objects.get(user=cast.lead)
    verified = client.post("/en/staff/two-factor/", {"code": code_for(device), "next": PEOPLE})
    assert verified.status_code == 302
    assert verified["Location"] == PEOPLE
    assert _verified(client)
    assert client.get(PEOPLE).status_code == 200
    event = AuditEvent.objects.get(action="login")
    assert (event.actor, event.data["method"]) == (cast.lead, "totp")


def test_a_wrong_code_is_refused_with_an_error_and_recorded(client, cast):
    password_login(client, "lead@pikkula.fi")
    device = TOTPDevice.objects.get(user=cast.lead)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    response = client.post("/en/staff/two-factor/", {"code": wrong})
    assert response.status_code == 200
    assert "The code is not correct." in response.content.decode()
    assert not _verified(client)
    assert client.get(PEOPLE)["Location"].startswith("/en/staff/two-factor/")
    assert AuditEvent.objects.filter(action="two_factor.failed", actor=cast.lead).exists()


def test_after_a_wrong_code_the_next_try_at_once_is_throttled(client, cast):
    password_login(client, "lead@pikkula.fi")
    device = TOTPDevice.objects.get(user=cast.lead)
    client.post("/en/staff/two-factor/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    response = client.post("/en/staff/two-factor/", {"code": code_for(device)})
    assert "Too many wrong codes in a row." in response.content.decode()
    assert not _verified(client)


def test_letters_in_place_of_digits_are_refused_without_a_crash(client, cast):
    password_login(client, "lead@pikkula.fi")
    response = client.post("/en/staff/two-factor/", {"code": "<script>"})
    assert response.status_code == 200
    assert "The code is not correct." in response.content.decode()


def test_a_lead_without_verification_is_sent_to_two_factor_from_a_staff_page(client, cast):
    client.force_login(cast.lead)
    response = client.get(PEOPLE)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/two-factor/")


def test_an_editor_is_not_forced_into_two_factor(client, cast):
    response = password_login(client, "editor@pikkula.fi")
    assert response["Location"] == "/en/staff/"
    assert client.get("/en/staff/")["Location"] == "/en/staff/pikkula/"
    assert not TOTPDevice.objects.filter(user=cast.editor).exists()


def test_a_new_lead_sets_up_the_app_confirms_a_code_and_sees_backup_codes_once(client, cast):
    newcomer = make_person(cast.org, Role.LEAD, "uusi@pikkula.fi", "Uusi Lead", totp=False)
    response = password_login(client, "uusi@pikkula.fi", next_url=PEOPLE)
    setup = client.get(response["Location"])
    html = setup.content.decode()
    assert "Set up two-factor authentication" in html
    assert '<svg role="img"' in html and "<title>QR code for your authenticator app</title>" in html
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    secret = re.search(r'<code class="qr__secret" translate="no">([A-Z2-7 ]+)</code>', html).group(1)
    assert all(len(group) == 4 for group in secret.split(" ")[:-1])
    assert "otpauth://totp/Kanava%3Auusi%40pikkula.fi?secret=" + secret.replace(" ", "") in html

    # Reloading shows the same secret: a code already scanned stays valid.
    assert secret in client.get(response["Location"]).content.decode()

    done = client.post("/en/staff/two-factor/", {"code": code_for(device), "next": PEOPLE})
    assert done.status_code == 200
    codes = re.findall(r'<li><code translate="no">([a-z2-7]{4} [a-z2-7]{4})</code></li>', done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert f'href="{PEOPLE}"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=newcomer).count() == 10
    assert _verified(client)
    assert client.get(PEOPLE).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enabled", actor=newcomer, organisation=cast.org).exists()

    # Shown once: the page now just moves on.
    assert client.get("/en/staff/two-factor/").status_code == 302


def test_a_wrong_code_during_set_up_leaves_two_factor_off(client, cast):
    newcomer = make_person(cast.org, Role.LEAD, "uusi@pikkula.fi", "Uusi Lead", totp=False)
    password_login(client, "uusi@pikkula.fi")
    client.get("/en/staff/two-factor/")
    device = TOTPDevice.objects.get(user=newcomer)
    wrong = str((int(code_for(device)) + 500_000) % 1_000_000).zfill(6)
    response = client.post("/en/staff/two-factor/", {"code": wrong})
    assert "The code is not correct." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=newcomer).exists()


def test_a_backup_code_works_once(client, cast):
    device = StaticDevice.objects.create(user=cast.lead, name="backup", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    password_login(client, "lead@pikkula.fi")
    response = client.post("/en/staff/two-factor/", {"code": "ABCD 2345"})
    assert response.status_code == 302
    assert _verified(client)
    client.post("/en/staff/logout/")
    password_login(client, "lead@pikkula.fi")
    again = client.post("/en/staff/two-factor/", {"code": "abcd2345"})
    assert again.status_code == 200
    assert not _verified(client)


def test_two_factor_needs_a_logged_in_person(client, db):
    response = client.get("/en/staff/two-factor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/login/")
