"""Following a process: identified residents only, choices kept, stop by the link, one digest a day at most."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kanava.core.models import AuditEvent
from kanava.participation import digest
from kanava.participation.manifest import Level
from kanava.participation.models import Follow
from kanava.participation.tests.framework_fixtures import (  # noqa: F401
    STATE, make_follow, make_participant, make_process, sign_in, test_kind,
)
from kanava.testing.personas import make_channel
from kanava.testing.sms_gateway import SmsGateway
from kanava.testing.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
        yield server


def follow_url(process):
    return reverse("participation:follow", args=[process.slug])


def test_someone_not_identified_is_sent_to_identify_by_email_first(client, cast, test_kind):
    process = make_process(cast.org)
    answer = client.get(follow_url(process))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("participation:identify")) and "level=email" in answer["Location"]
    assert client.post(follow_url(process), {"channel": "email", "wants_digest": "on"}).status_code == 302
    assert not Follow.objects.exists()


def test_an_identified_resident_follows_a_process_and_its_topic(client, cast, test_kind):
    process = make_process(cast.org, topic=cast.topic)
    participant = make_participant(cast.org)
    sign_in(client, participant, Level.EMAIL)
    page = client.get(follow_url(process))
    assert page.status_code == 200 and "asukas@example.fi" in page.content.decode()
    answer = client.post(follow_url(process), {"channel": "email", "wants_digest": "on", "wants_outcome": "on",
                                               "follow_topic": "on"})
    assert answer.status_code == 302
    follows = Follow.objects.filter(participant=participant)
    assert {(f.process_id, f.topic_id) for f in follows} == {(process.pk, None), (None, cast.topic.pk)}
    assert all(f.language == "fi" and f.channel == "email" for f in follows)
    assert AuditEvent.objects.filter(action="participation.followed").count() == 1


def test_following_twice_changes_the_choices_and_makes_no_second_follow(client, cast, test_kind):
    process = make_process(cast.org)
    participant = make_participant(cast.org)
    sign_in(client, participant)
    client.post(follow_url(process), {"channel": "email", "wants_digest": "on", "wants_outcome": "on"})
    client.post(follow_url(process), {"channel": "email", "wants_outcome": "on"})
    follow = Follow.objects.get(participant=participant)
    assert follow.wants_digest is False and follow.wants_outcome is True


def test_choosing_nothing_is_a_clear_error_and_follows_nothing(client, cast, test_kind):
    process = make_process(cast.org)
    sign_in(client, make_participant(cast.org))
    page = client.post(follow_url(process), {"channel": "email"})
    assert page.status_code == 400
    assert "Valitse" in page.content.decode() or "Choose" in page.content.decode()
    assert not Follow.objects.exists()


def test_a_forged_channel_is_refused(client, cast, test_kind):
    process = make_process(cast.org)
    sign_in(client, make_participant(cast.org))  # no verified phone
    assert client.post(follow_url(process), {"channel": "sms", "wants_digest": "on"}).status_code == 400
    assert not Follow.objects.exists()


def test_stop_following_works_from_the_link_without_signing_in(client, cast, test_kind):
    process = make_process(cast.org)
    follow = make_follow(make_participant(cast.org), process)
    url = reverse("participation:stop_following", args=[follow.token])
    assert client.get(url).status_code == 200 and Follow.objects.exists()  # a GET (a mail scanner) changes nothing
    assert client.post(url).status_code == 200
    assert not Follow.objects.exists()
    assert client.post(url).status_code == 404


def test_another_organisations_token_is_not_found(client, cast, test_kind):
    process = make_process(cast.other_org, slug="toinen")
    follow = make_follow(make_participant(cast.other_org), process)
    assert client.post(reverse("participation:stop_following", args=[follow.token])).status_code == 404
    assert Follow.objects.exists()


def test_the_daily_digest_is_sent_once_a_day_in_the_followers_language(cast, test_kind, smtp):
    process = make_process(cast.org)
    now = timezone.now()
    make_follow(make_participant(cast.org, "anna@example.fi"), process, language="sv")
    make_follow(make_participant(cast.org, "no-digest@example.fi"), process, wants_digest=False)
    STATE["lines"] = [(now - timedelta(hours=3), "3 nya kommentarer")]

    assert digest.send_digests(now) == 1
    assert digest.send_digests(now + timedelta(hours=2)) == 0  # the same day: nothing again
    assert len(smtp.messages) == 1
    message = smtp.messages[0].message
    assert message["To"] == "anna@example.fi"
    body = message.get_content()
    assert "3 nya kommentarer" in body and "Process puistosuunnitelma" in body
    assert "/sv/participate/follow/" in body  # the stop link, in Swedish

    STATE["lines"].append((now + timedelta(hours=5), "1 ny kommentar"))
    assert digest.send_digests(now + timedelta(hours=23)) == 0
    assert digest.send_digests(now + timedelta(hours=25)) == 1
    assert "1 ny kommentar" in smtp.messages[1].message.get_content()
    assert "3 nya kommentarer" not in smtp.messages[1].message.get_content()


def test_nothing_new_sends_no_digest_and_keeps_the_day_free(cast, test_kind, smtp):
    process = make_process(cast.org)
    follow = make_follow(make_participant(cast.org), process)
    assert digest.send_digests() == 0
    follow.refresh_from_db()
    assert follow.last_digest_at is None and not smtp.messages


def test_one_digest_covers_every_process_a_resident_follows(cast, test_kind, smtp):
    participant = make_participant(cast.org)
    make_follow(participant, make_process(cast.org, slug="eka"))
    make_follow(participant, make_process(cast.org, slug="toka"))
    STATE["lines"] = [(timezone.now() - timedelta(hours=1), "Uusi kommentti")]
    assert digest.send_digests() == 1
    body = smtp.messages[0].message.get_content()
    assert "Prosessi eka" in body and "Prosessi toka" in body


def test_a_digest_by_sms_goes_through_the_organisations_sms_channel(cast, test_kind):
    process = make_process(cast.org)
    participant = make_participant(cast.org, email="", phone="+358401234567")
    make_follow(participant, process, channel="sms")
    STATE["lines"] = [(timezone.now() - timedelta(hours=1), "2 uutta kommenttia")]
    with SmsGateway() as gateway:
        make_channel(cast.org, "sms", "Tekstiviesti", config=gateway.channel_config(sender="Pikkula"),
                     secrets=gateway.channel_secrets())
        assert digest.send_digests() == 1
        texts = gateway.messages_to("+358401234567")
    assert len(texts) == 1 and "2 uutta kommenttia" in texts[0].text


def test_the_sweep_step_is_registered_and_runs(cast, test_kind, smtp):
    from kanava.publishing import outbox

    digest.register()
    assert any(name == "participation_digests" for name, _step in outbox.SWEEP_STEPS)
    process = make_process(cast.org)
    make_follow(make_participant(cast.org), process)
    STATE["lines"] = [(timezone.now() - timedelta(hours=1), "Uusi")]
    assert digest.sweep() == 1
