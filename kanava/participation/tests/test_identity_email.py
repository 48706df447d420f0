"""Identification by an email code: a real SMTP server on loopback, codes used once, limits."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from kanava.core.models import AuditEvent
from kanava.participation import identify, identity
from kanava.participation.manifest import Level
from kanava.participation.models import Participant, Verification
from kanava.testing.smtp import SMTPServer

NEXT = "/en/participate/"
ADDRESS = "aino.asukas@example.fi"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
        yield server


def identify_url(level="email", next_url=NEXT, **extra):
    return f"{reverse('participation:identify')}?{urlencode({'level': level, 'next': next_url, **extra})}"


def ask_code(client, address=ADDRESS, url=None):
    return client.post(url or identify_url(), {"step": "email", "email-email": address})


def mailed_code(smtp, address=ADDRESS, index=-1) -> tuple[str, str]:
    message = smtp.handler.to(address)[index].message
    body = message.get_body(("plain",)).get_content()
    code = re.search(r"^\s+(\d{6})\s*$", body, re.MULTILINE).group(1)
    link = re.search(r"(http\S+token=\S+)", body).group(1)
    return code, link


def session_level(client, organisation) -> Level:
    entry = client.session.get(identity.SESSION_KEY, {}).get(str(organisation.pk))
    return Level(entry["level"]) if entry else Level.NONE


def test_a_resident_confirms_an_email_address_with_the_mailed_code(client, cast, smtp):
    page = client.get(identify_url())
    assert page.status_code == 200
    assert b"email-email" in page.content

    sent = ask_code(client)
    assert sent.status_code == 302
    code, _link = mailed_code(smtp)
    message = smtp.handler.to(ADDRESS)[0].message
    assert code in message["Subject"]
    assert cast.org.display_name() in message["Subject"]
    assert (cast.org.contact_email or "kanava@localhost") in message["From"]
    assert "valid for 15 minutes" in message.get_body(("plain",)).get_content()
    assert Verification.objects.get().code_digest != code  # only a digest is kept

    waiting = client.get(identify_url())
    assert b"a***@example.fi" in waiting.content

    done = client.post(identify_url(), {"step": "code", "code-code": code})
    assert done.status_code == 302 and done["Location"] == NEXT
    participant = Participant.objects.get(organisation=cast.org)
    assert participant.email == ADDRESS
    assert participant.email_digest == identity.digest("email", ADDRESS)
    assert participant.email_verified_at is not None
    assert session_level(client, cast.org) == Level.EMAIL
    assert AuditEvent.objects.filter(action="participation.identified", data__method="email").exists()
    assert not AuditEvent.objects.filter(data__icontains="aino").exists()


def test_the_same_address_finds_the_same_participant_again(client, cast, smtp):
    for _round in range(2):
        ask_code(client)
        code, _link = mailed_code(smtp)
        client.post(identify_url(), {"step": "code", "code-code": code})
        client.post(reverse("participation:my_data"), {"do": "sign_out"})
    assert Participant.objects.filter(organisation=cast.org).count() == 1


def test_the_one_click_link_confirms_and_cannot_be_used_twice(client, cast, smtp):
    ask_code(client)
    _code, link = mailed_code(smtp)
    path = link.split("://", 1)[1].split("/", 1)[1]
    other = client.__class__()
    shown = other.get("/" + path)
    assert shown.status_code == 200 and b'name="token"' in shown.content
    token = re.search(rb'name="token" value="([^"]+)"', shown.content).group(1).decode()
    done = other.post("/" + path, {"step": "link", "token": token})
    assert done.status_code == 302 and done["Location"] == NEXT
    assert session_level(other, cast.org) == Level.EMAIL

    replayed = client.__class__().post("/" + path, {"step": "link", "token": token})
    assert replayed.status_code == 400
    assert b"already been used" in replayed.content
    assert Participant.objects.count() == 1


def test_a_replayed_code_is_refused(cast, smtp, actor_of):
    actor = identity.resident_actor(type("R", (), {"client_ip": "192.0.2.7", "META": {}})(), None)
    codes = []
    verification = identify.do_send_email_code(actor, cast.org, address=ADDRESS, language="fi",
                                               link_for=lambda token: f"http://x/?token={token}")
    codes.append(mailed_code(smtp)[0])
    identify.do_check_code(actor, cast.org, verification.pk, codes[0])
    with pytest.raises(identify.CodeRejected, match="already been used"):
        identify.do_check_code(actor, cast.org, verification.pk, codes[0])


def test_a_wrong_code_is_refused_and_five_wrong_tries_end_the_code(client, cast, smtp):
    ask_code(client)
    code, _link = mailed_code(smtp)
    wrong = "000000" if code != "000000" else "111111"
    first = client.post(identify_url(), {"step": "code", "code-code": wrong})
    assert first.status_code == 400 and b"not correct" in first.content
    for _try in range(4):
        client.post(identify_url(), {"step": "code", "code-code": wrong})
    locked = client.post(identify_url(), {"step": "code", "code-code": code})
    assert locked.status_code == 400 and b"Too many wrong tries" in locked.content
    assert session_level(client, cast.org) == Level.NONE


def test_an_expired_code_is_refused(client, cast, smtp):
    ask_code(client)
    code, _link = mailed_code(smtp)
    Verification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(identify_url(), {"step": "code", "code-code": code})
    assert expired.status_code == 400 and b"expired" in expired.content
    assert not Participant.objects.exists()


def test_a_new_code_replaces_the_earlier_one(client, cast, smtp):
    ask_code(client)
    old_code, _link = mailed_code(smtp)
    client.post(identify_url(), {"step": "again"})
    ask_code(client)
    new_code, _link = mailed_code(smtp)
    if old_code != new_code:
        refused = client.post(identify_url(), {"step": "code", "code-code": old_code})
        assert refused.status_code == 400
    accepted = client.post(identify_url(), {"step": "code", "code-code": new_code})
    assert accepted.status_code == 302


def test_sending_codes_is_limited_per_address_and_per_client(client, cast, smtp, settings):
    settings.PARTICIPATION_CODES_PER_TARGET = 2
    settings.PARTICIPATION_CODES_PER_ADDRESS = 3
    assert ask_code(client).status_code == 302
    client.post(identify_url(), {"step": "again"})
    assert ask_code(client).status_code == 302
    client.post(identify_url(), {"step": "again"})
    limited = ask_code(client)
    assert limited.status_code == 400 and b"Too many codes" in limited.content
    assert len(smtp.handler.to(ADDRESS)) == 2

    assert ask_code(client, "toinen@example.fi").status_code == 302
    client.post(identify_url(), {"step": "again"})
    from_same_client = ask_code(client, "kolmas@example.fi")
    assert from_same_client.status_code == 400
    assert not smtp.handler.to("kolmas@example.fi")


def test_a_bad_address_is_explained_and_kept_in_the_form(client, cast, smtp):
    page = client.post(identify_url(), {"step": "email", "email-email": "aino@<script>"})
    assert page.status_code == 400
    assert b"Enter a valid email address" in page.content
    assert b"aino@&lt;script&gt;" in page.content
    assert not smtp.handler.messages


def test_a_filled_honeypot_sends_nothing(client, cast, smtp):
    client.post(identify_url(), {"step": "email", "email-email": ADDRESS, "email-website": "http://spam"})
    assert not smtp.handler.messages


def test_only_a_local_next_address_is_followed(client, cast, smtp):
    ask_code(client, url=identify_url(next_url="https://evil.example/steal"))
    code, _link = mailed_code(smtp)
    done = client.post(identify_url(next_url="https://evil.example/steal"), {"step": "code", "code-code": code})
    assert done["Location"] == reverse("participation:list")
    assert "evil" not in done["Location"]


def test_someone_already_identified_goes_straight_on(client, cast, smtp):
    ask_code(client)
    code, _link = mailed_code(smtp)
    client.post(identify_url(), {"step": "code", "code-code": code})
    again = client.get(identify_url())
    assert again.status_code == 302 and again["Location"] == NEXT
    higher = client.get(identify_url(level="strong"))
    assert higher.status_code == 200


def test_the_code_form_refuses_a_forged_post(cast, smtp):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(identify_url(), {"step": "email", "email-email": ADDRESS}).status_code == 403
    assert not smtp.handler.messages
