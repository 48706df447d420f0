"""Press releases by email: who gets what, with which attachments, and what happens when mail fails."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kanava.channels.press.models import PressReceipt
from kanava.channels.press.tests.conftest import PressSMTPServer, add_image
from kanava.channels.print.tests.pdf import text_of
from kanava.core.models import Alert, Organisation
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery
from kanava.testing.smtp import free_port

D = Delivery.State


def publish(cast, actor_of, message):
    actions.do_publish(actor_of(cast.lead), message)
    with translation.override("en"):  # the errors asserted below are read in English
        outbox.drain()
    return {d.language: d for d in Delivery.objects.filter(message=message, channel__kind="press")}


def parts(mail):
    return [(part.get_content_type(), part.get_filename(), part) for part in mail.walk() if not part.is_multipart()]


def test_each_newsroom_gets_the_release_in_its_own_language(cast, actor_of, smtp, newsrooms, release):
    deliveries = publish(cast, actor_of, release)

    assert {lang: d.state for lang, d in deliveries.items()} == {"fi": D.DELIVERED, "sv": D.DELIVERED}
    assert sorted(r for m in smtp.messages for r in m.rcpt_tos) == sorted(
        ["toimitus@sanomat.example", "uutiset@yle.example", "redaktion@hbl.example"])
    finnish = smtp.handler.to("toimitus@sanomat.example")[0].message
    swedish = smtp.handler.to("redaktion@hbl.example")[0].message
    assert "Vesikatko Kirkkotiellä" in finnish["Subject"] and finnish["Content-Language"] == "fi"
    assert "Vattenavbrott på Kyrkvägen" in swedish["Subject"] and swedish["Content-Language"] == "sv"
    assert finnish["To"] == "toimitus@sanomat.example"
    assert "viestinta@pikkula.fi" in finnish["From"] and "Pikkulan kunta" in finnish["From"]
    assert finnish["Reply-To"] == "viestinta@pikkula.fi"
    assert deliveries["fi"].detail["sent"] == 2 and deliveries["sv"].detail["sent"] == 1


def test_the_release_is_inline_with_the_pdf_and_images_attached(cast, actor_of, smtp, newsrooms, release):
    add_image(release)

    publish(cast, actor_of, release)

    mail = smtp.handler.to("redaktion@hbl.example")[0].message
    found = parts(mail)
    types = [(content_type, name) for content_type, name, _part in found]
    assert types[0] == ("text/plain", None) and types[1] == ("text/html", None)
    assert ("application/pdf", "vattenavbrott-pa-kyrkvagen.pdf") in types
    assert any(t == "image/png" and n.startswith("kartta") and n.endswith(".png") for t, n in types)
    text = found[0][2].get_content()
    html = found[1][2].get_content()
    assert "Vattnet är avstängt på tisdag kl. 9–12." in text
    assert f"https://uutiset.pikkula.fi/sv/m/{release.pk}/" in text
    assert "<strong>på tisdag</strong>" in html
    pdf = next(part for t, _n, part in found if t == "application/pdf").get_content()
    assert "Vattenavbrott på Kyrkvägen" in text_of(pdf) and "Vesikatko" not in text_of(pdf)


def test_every_copy_goes_over_one_connection(cast, actor_of, smtp, newsrooms, release):
    deliveries = publish(cast, actor_of, release)
    finnish_mails = [m for m in smtp.messages if m.message["Content-Language"] == "fi"]
    assert len(finnish_mails) == 2 and deliveries["fi"].state == D.DELIVERED
    # Two deliveries (fi and sv), one connection each.
    assert len(smtp.handler.peers) == 2


def test_the_message_id_is_the_same_whenever_the_same_copy_is_sent(cast, actor_of, smtp, newsrooms, release):
    deliveries = publish(cast, actor_of, release)
    delivery = deliveries["fi"]
    expected = f"<{delivery.idempotency_key}.{newsrooms['yle'].pk}@pikkula.fi>"
    assert smtp.handler.to("uutiset@yle.example")[0].message["Message-ID"] == expected

    # The same copy sent again (after a lost connection, say) keeps its Message-ID.
    PressReceipt.objects.filter(delivery=delivery, email="uutiset@yle.example").update(state="queued")
    delivery.channel.adapter.publish(delivery, outbox.variants_for(delivery), delivery.idempotency_key)

    copies = smtp.handler.to("uutiset@yle.example")
    assert len(copies) == 2 and copies[1].message["Message-ID"] == expected
    assert len(smtp.handler.to("toimitus@sanomat.example")) == 1


def test_a_refused_contact_is_recorded_and_the_others_still_get_the_release(
        cast, actor_of, smtp, newsrooms, release):
    smtp.handler.refuse = {"uutiset@yle.example"}

    delivery = publish(cast, actor_of, release)["fi"]

    assert delivery.state == D.DELIVERED
    assert delivery.detail["sent"] == 1 and delivery.detail["refused"] == 1
    refused = next(c for c in delivery.detail["contacts"] if c["email"] == "uutiset@yle.example")
    assert refused["state"] == "refused" and refused["error"].startswith("550")
    assert len(smtp.handler.to("toimitus@sanomat.example")) == 1


def test_when_every_newsroom_refuses_the_delivery_fails_and_the_lead_is_told(
        cast, actor_of, smtp, newsrooms, release):
    smtp.handler.refuse = {"redaktion@hbl.example"}

    delivery = publish(cast, actor_of, release)["sv"]

    assert delivery.state == D.FAILED and "refused" in delivery.last_error
    assert Alert.objects.filter(organisation=cast.org).exists()


def test_a_newsroom_that_says_try_later_gets_it_later_and_nobody_gets_it_twice(
        cast, actor_of, smtp, newsrooms, release):
    smtp.handler.postpone = {"uutiset@yle.example"}

    delivery = publish(cast, actor_of, release)["fi"]
    assert delivery.state == D.PENDING and "could not take" in delivery.last_error

    smtp.handler.postpone = set()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    outbox.drain()  # only the postponed newsroom is left to send to

    delivery.refresh_from_db()
    assert delivery.state == D.DELIVERED and delivery.detail["sent"] == 2
    assert len(smtp.handler.to("uutiset@yle.example")) == 1
    assert len(smtp.handler.to("toimitus@sanomat.example")) == 1


def test_an_unreachable_mail_server_is_retried_not_given_up(cast, actor_of, smtp, newsrooms, release):
    channel = release.channels.get()
    channel.config = {**channel.config, "port": free_port()}  # nothing listens there
    channel.save()

    delivery = publish(cast, actor_of, release)["fi"]

    assert delivery.state == D.PENDING and delivery.attempts == 1
    assert "Could not connect" in delivery.last_error
    assert not smtp.messages

    channel.config = {**channel.config, "port": smtp.port}
    channel.save()
    Delivery.objects.filter(message=release).update(next_attempt_at=timezone.now())
    outbox.drain()
    assert len(smtp.handler.to("uutiset@yle.example")) == 1


def test_a_language_without_contacts_succeeds_saying_nobody_was_sent_to(cast, actor_of, smtp, newsrooms, release):
    newsrooms["hbl"].delete()

    delivery = publish(cast, actor_of, release)["sv"]

    assert delivery.state == D.DELIVERED
    assert delivery.detail["sent"] == 0 and delivery.detail["contacts"] == [] and delivery.detail["note"]
    assert not [m for m in smtp.messages if m.message["Content-Language"] == "sv"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_password_comes_from_the_channels_secrets(cast, actor_of, newsrooms, release):
    with PressSMTPServer(user="kanava", password="s3cret-pass") as server:
        channel = release.channels.get()
        channel.config = {**channel.config, "port": server.port, "user": "kanava"}
        channel.secrets = {"password": "s3cret-pass"}
        channel.save()

        delivery = publish(cast, actor_of, release)["fi"]

        assert delivery.state == D.DELIVERED and len(server.handler.to("uutiset@yle.example")) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_wrong_password_fails_for_good(cast, actor_of, newsrooms, release):
    with PressSMTPServer(user="kanava", password="s3cret-pass") as server:
        channel = release.channels.get()
        channel.config = {**channel.config, "port": server.port, "user": "kanava"}
        channel.secrets = {"password": "wrong"}
        channel.save()

        delivery = publish(cast, actor_of, release)["fi"]

        assert delivery.state == D.FAILED and "user name or password" in delivery.last_error
        assert not server.messages


def crash(delivery, receipt_states: dict[str, str]):
    """The worker died while sending: the receipts as it left them."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=D.SENDING, claimed_by="dead-worker", claimed_at=timezone.now() - timedelta(minutes=5))
    for email, state in receipt_states.items():
        PressReceipt.objects.filter(delivery=delivery, email=email).update(state=state)
    delivery.refresh_from_db()  # recover() takes the claim over from the worker it names


def test_after_a_crash_mid_handover_the_delivery_is_left_for_a_person(cast, actor_of, smtp, newsrooms, release):
    delivery = publish(cast, actor_of, release)["fi"]
    crash(delivery, {"uutiset@yle.example": "sending"})

    assert outbox.recover(delivery) == D.UNCERTAIN


def test_after_a_crash_with_some_contacts_unsent_only_they_get_it(cast, actor_of, smtp, newsrooms, release):
    delivery = publish(cast, actor_of, release)["fi"]
    crash(delivery, {"uutiset@yle.example": "queued"})

    assert outbox.recover(delivery) == D.PENDING
    outbox.drain()

    delivery.refresh_from_db()
    assert delivery.state == D.DELIVERED
    assert len(smtp.handler.to("uutiset@yle.example")) == 2  # the first copy plus the resend we forced
    assert len(smtp.handler.to("toimitus@sanomat.example")) == 1


def test_after_a_crash_once_everyone_got_it_the_delivery_is_found_done(cast, actor_of, smtp, newsrooms, release):
    delivery = publish(cast, actor_of, release)["fi"]
    crash(delivery, {})

    assert outbox.recover(delivery) == D.DELIVERED
    assert len(smtp.messages) == 3


def test_the_release_links_to_the_organisations_own_resident_site(cast, actor_of, smtp, newsrooms, release,
                                                                     settings):
    settings.SITE_URL = "https://kanava.example.fi"
    Organisation.objects.filter(pk=cast.org.pk).update(site_domain="tiedotteet.pikkula.fi")

    publish(cast, actor_of, release)

    mail = smtp.handler.to("redaktion@hbl.example")[0].message
    text = parts(mail)[0][2].get_content()
    assert f"https://tiedotteet.pikkula.fi/sv/m/{release.pk}/" in text
    assert "kanava.example.fi" not in text
