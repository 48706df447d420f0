"""Bounces that someone other than our mail server or our bounce provider could have written."""

import io
import json
import sys
import time

import pytest
from django.core.management import call_command

from kanava.audience.models import Subscriber
from kanava.channels.email.hooks import MAX_AGE, sign
from kanava.channels.email.tests.conftest import subscribe
from kanava.channels.email.tests.test_bounces import SECRET, dsn, post_hook
from kanava.testing.personas import make_channel


@pytest.fixture
def hooked(cast):
    return make_channel(cast.org, "email", "Uutiskirje", secrets={"webhook_secret": SECRET})


@pytest.fixture
def theirs(cast):
    return make_channel(cast.other_org, "email", "Nyhetsbrev", secrets={"webhook_secret": "their-secret"})


def bounce_json(address: str, permanent: bool = True) -> bytes:
    return json.dumps({"address": address, "permanent": permanent, "reason": "550 5.1.1 no such user"}).encode()


def states(*subscribers):
    return [Subscriber.objects.get(pk=s.pk).state for s in subscribers]


def test_the_hook_checks_only_the_secret_of_the_channel_in_its_address(client, cast, hooked, theirs):
    ours = subscribe(cast.org, "gone@example.fi")
    other = subscribe(cast.other_org, "gone@example.fi")

    refused = post_hook(client, hooked, bounce_json("gone@example.fi"), "application/json", secret="their-secret")
    accepted = post_hook(client, theirs, bounce_json("gone@example.fi"), "application/json", secret="their-secret")

    assert refused.status_code == 403
    assert accepted.status_code == 200 and accepted.json() == {"recorded": 1}
    assert states(ours, other) == [Subscriber.State.CONFIRMED, Subscriber.State.BOUNCED]


def test_an_unknown_channel_is_a_404(client, cast, hooked):
    sms = make_channel(cast.org, "sms", "Tekstiviestit", secrets={"webhook_secret": SECRET})
    body = bounce_json("gone@example.fi")

    assert post_hook(client, sms, body, "application/json").status_code == 404
    hooked.pk += 1000
    assert post_hook(client, hooked, body, "application/json").status_code == 404


def test_a_signed_bounce_older_than_five_minutes_is_refused(client, cast, hooked):
    subscriber = subscribe(cast.org, "gone@example.fi")

    response = post_hook(client, hooked, bounce_json("gone@example.fi"), "application/json",
                         timestamp=int(time.time()) - MAX_AGE - 5)

    assert MAX_AGE == 300
    assert response.status_code == 403
    assert states(subscriber) == [Subscriber.State.CONFIRMED]


def test_the_timestamp_is_part_of_what_is_signed(client, cast, hooked):
    subscriber = subscribe(cast.org, "gone@example.fi")
    body = bounce_json("gone@example.fi")
    old = int(time.time()) - 3600

    response = client.post(f"/hooks/email/{hooked.pk}/bounce", body, content_type="application/json",
                           HTTP_X_KANAVA_TIMESTAMP=str(int(time.time())),
                           HTTP_X_KANAVA_SIGNATURE=sign(SECRET, body, old))
    unsigned_time = client.post(f"/hooks/email/{hooked.pk}/bounce", body, content_type="application/json",
                                HTTP_X_KANAVA_SIGNATURE=sign(SECRET, body, old))

    assert response.status_code == 403 and unsigned_time.status_code == 403
    assert states(subscriber) == [Subscriber.State.CONFIRMED]


def test_a_signature_with_odd_characters_is_a_403_not_a_500(client, cast, hooked):
    response = client.post(f"/hooks/email/{hooked.pk}/bounce", b"{}", content_type="application/json",
                           HTTP_X_KANAVA_TIMESTAMP=str(int(time.time())), HTTP_X_KANAVA_SIGNATURE="sha256=ä")
    assert response.status_code == 403


def test_a_replayed_bounce_is_recorded_once(client, cast, hooked):
    subscriber = subscribe(cast.org, "full@example.fi")
    body = bounce_json("full@example.fi", permanent=False)
    now = int(time.time())

    first = post_hook(client, hooked, body, "application/json", timestamp=now)
    again = post_hook(client, hooked, body, "application/json", timestamp=now)

    assert first.json() == {"recorded": 1} and again.status_code == 200 and again.json()["recorded"] == 0
    subscriber.refresh_from_db()
    assert subscriber.bounce_count == 1


def test_the_old_hook_address_is_gone(client, cast, hooked):
    body = bounce_json("gone@example.fi")
    response = client.post("/hooks/email/bounce", body, content_type="application/json",
                           HTTP_X_KANAVA_SIGNATURE=sign(SECRET, body, int(time.time())))
    assert response.status_code == 410 and "/hooks/email/<channel id>/bounce" in response.json()["error"]


def run_command(monkeypatch, data: bytes, *args) -> tuple[str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out, err = io.StringIO(), io.StringIO()
    call_command("email_bounce", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_refuses_an_address_only_bounce_without_an_organisation(monkeypatch, cast):
    ours = subscribe(cast.org, "matti@example.fi")
    other = subscribe(cast.other_org, "matti@example.fi")

    out, err = run_command(monkeypatch, dsn("matti@example.fi"))  # a DSN anyone could have sent

    assert "refused" in err and "--organisation" in err and "nothing was changed" in err.lower()
    assert states(ours, other) == [Subscriber.State.CONFIRMED, Subscriber.State.CONFIRMED]


def test_the_command_with_an_organisation_bounces_the_address_there_only(monkeypatch, cast):
    ours = subscribe(cast.org, "matti@example.fi")
    other = subscribe(cast.other_org, "matti@example.fi")

    out, err = run_command(monkeypatch, dsn("matti@example.fi"), "--organisation", cast.org.slug)

    assert "bounce: 1" in out
    assert states(ours, other) == [Subscriber.State.BOUNCED, Subscriber.State.CONFIRMED]


def test_a_bounce_address_with_a_broken_token_is_not_read_by_its_address(monkeypatch, cast):
    subscriber = subscribe(cast.org, "matti@example.fi")

    run_command(monkeypatch, dsn("matti@example.fi"), "--organisation", cast.org.slug,
                "--recipient", "bounces+xyz@bounce.pikkula.fi")

    assert states(subscriber) == [Subscriber.State.CONFIRMED]
