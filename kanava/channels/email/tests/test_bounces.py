import io
import json
import sys
import time

import pytest
from django.core.management import call_command

from kanava.audience.models import Subscriber
from kanava.audience.tokens import address_token
from kanava.channels.email.hooks import sign
from kanava.channels.email.tests.conftest import subscribe
from kanava.core.models import AuditEvent
from kanava.testing.personas import make_channel

SECRET = "s3cret-for-tests"


def dsn(recipient: str, to: str = "bounces@bounce.pikkula.fi", action: str = "failed", status: str = "5.1.1") -> bytes:
    return f"""From: MAILER-DAEMON@mx.example.org
To: {to}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XX"

--XX
Content-Type: text/plain

Your message could not be delivered.

--XX
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected

--XX--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def hooked(cast):
    return make_channel(cast.org, "email", "Uutiskirje", secrets={"webhook_secret": SECRET})


def post_hook(client, channel, body: bytes, content_type: str, secret: str = SECRET, timestamp: int | None = None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return client.post(f"/hooks/email/{channel.pk}/bounce", body, content_type=content_type,
                       HTTP_X_KANAVA_TIMESTAMP=str(timestamp), HTTP_X_KANAVA_SIGNATURE=sign(secret, body, timestamp))


def test_a_signed_json_bounce_stops_mail_to_the_address_in_that_organisation_only(client, cast, hooked):
    ours = subscribe(cast.org, "gone@example.fi")
    theirs = subscribe(cast.other_org, "gone@example.fi")
    body = json.dumps({"address": "Gone@Example.fi", "permanent": True, "reason": "550 no such user"}).encode()

    response = post_hook(client, hooked, body, "application/json")

    assert response.status_code == 200 and response.json() == {"recorded": 1}
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.state == Subscriber.State.BOUNCED and ours.last_error == "550 no such user"
    assert theirs.state == Subscriber.State.CONFIRMED
    assert AuditEvent.objects.filter(organisation=cast.org, action="subscriber.bounced").count() == 1


def test_a_bounce_with_a_wrong_signature_is_refused(client, cast, hooked):
    subscriber = subscribe(cast.org, "gone@example.fi")
    body = json.dumps({"address": "gone@example.fi"}).encode()

    response = post_hook(client, hooked, body, "application/json", secret="guessed")

    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED


def test_a_signed_dsn_is_read_by_the_hook(client, cast, hooked):
    subscriber = subscribe(cast.org, "gone@example.fi")

    response = post_hook(client, hooked, dsn("gone@example.fi"), "multipart/report")

    assert response.status_code == 200 and response.json() == {"recorded": 1}
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.BOUNCED


def test_a_malformed_json_bounce_is_a_400_not_a_500(client, cast, hooked):
    response = post_hook(client, hooked, b"{not json", "application/json")
    assert response.status_code == 400


def run_bounce_command(monkeypatch, data: bytes, *args) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = io.StringIO()
    call_command("email_bounce", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_command_finds_the_subscriber_by_the_verp_address(monkeypatch, cast):
    subscriber = subscribe(cast.org, "old.name@example.fi")
    # The DSN names a forwarded address; the VERP token still names our subscriber.
    data = dsn("forwarded@elsewhere.example", to=f"bounces+{address_token(subscriber.pk)}@bounce.pikkula.fi")

    output = run_bounce_command(monkeypatch, data)

    assert "bounce: 1" in output
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.BOUNCED and "550" in subscriber.last_error


def test_a_delayed_delivery_is_counted_but_does_not_stop_mail(monkeypatch, cast):
    subscriber = subscribe(cast.org, "full@example.fi")
    data = dsn("full@example.fi", action="delayed", status="4.2.2")

    run_bounce_command(monkeypatch, data, "--recipient", f"bounces+{address_token(subscriber.pk)}@bounce.pikkula.fi")

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED and subscriber.bounce_count == 1


def test_a_holiday_auto_reply_to_the_bounce_address_is_ignored(monkeypatch, cast):
    subscriber = subscribe(cast.org, "lomalla@example.fi")
    data = (f"From: lomalla@example.fi\r\nTo: bounces+{address_token(subscriber.pk)}@bounce.pikkula.fi\r\n"
            "Subject: Lomalla\r\nAuto-Submitted: auto-replied\r\n\r\nOlen lomalla elokuuhun asti.\r\n").encode()

    output = run_bounce_command(monkeypatch, data)

    assert "ignored" in output
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED and subscriber.bounce_count == 0


def test_a_forged_verp_token_changes_nothing(monkeypatch, cast):
    subscriber = subscribe(cast.org, "matti@example.fi")
    forged = f"bounces+{subscriber.pk:x}-0123456789abcdef0123@bounce.pikkula.fi"

    run_bounce_command(monkeypatch, dsn("matti@example.fi"), "--recipient", forged)

    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.CONFIRMED


def test_mail_to_the_list_unsubscribe_mailto_address_unsubscribes(monkeypatch, cast):
    subscriber = subscribe(cast.org, "matti@example.fi")
    to = f"unsubscribe+{address_token(subscriber.pk, 'unsubscribe')}@bounce.pikkula.fi"
    data = f"From: matti@example.fi\r\nTo: {to}\r\nSubject: unsubscribe\r\n\r\n".encode()

    output = run_bounce_command(monkeypatch, data)

    assert "unsubscribe: 1" in output
    subscriber.refresh_from_db()
    assert subscriber.state == Subscriber.State.UNSUBSCRIBED
