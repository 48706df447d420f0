"""Publishing to the print channel through the outbox: one bulletin per message, whatever happens."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from kanava.channels.print.models import Bulletin
from kanava.channels.print.tests.conftest import approve
from kanava.channels.print.tests.pdf import run_with, text_of
from kanava.publishing import actions, outbox
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel


def publish(cast, actor_of, message):
    approve(cast, actor_of, message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.drain()
    return Delivery.objects.get(message=message, channel__kind="print")


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_publishing_makes_one_bulletin_for_all_languages_with_a_large_print_edition(
        cast, actor_of, make_message, print_channel):
    message = make_message(channels=[print_channel])

    delivery = publish(cast, actor_of, message)

    assert delivery.language == "" and delivery.state == Delivery.State.DELIVERED
    bulletin = Bulletin.objects.get(message=message)
    assert bulletin.delivery == delivery and bulletin.organisation == cast.org
    assert delivery.external_id == str(bulletin.pk)
    assert delivery.url.endswith(f"/fi/channels/print/pikkula/bulletins/{bulletin.pk}/standard.pdf")
    assert delivery.detail["pages"] == bulletin.pages == 1
    assert default_storage.exists(bulletin.file.name) and default_storage.exists(bulletin.large_print_file.name)
    standard = read(bulletin.file)
    assert "Vesikatko Kirkkotiellä" in text_of(standard) and "Vattenavbrott" in text_of(standard)
    assert run_with(read(bulletin.large_print_file), "Vesi on poikki").size >= 16


def test_the_bulletin_prints_the_print_variant_as_the_editor_changed_it(cast, actor_of, make_message, print_channel):
    message = make_message(channels=[print_channel])
    variant = message.variants.get(channel=print_channel, language="sv")
    actions.do_edit_variant(actor_of(cast.editor), variant, title="Vattenavbrott i centrum", text="Kortare text.")

    publish(cast, actor_of, message)

    text = text_of(read(Bulletin.objects.get(message=message).file))
    assert "Vattenavbrott i centrum" in text and "Kortare text." in text


def test_running_the_delivery_again_makes_no_second_bulletin(cast, actor_of, make_message, print_channel):
    message = make_message(channels=[print_channel])
    delivery = publish(cast, actor_of, message)
    first = Bulletin.objects.get(message=message)

    # A person (or a confused worker) sends the same delivery again.
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING, next_attempt_at=timezone.now())
    assert outbox.deliver(delivery.pk) == Delivery.State.DELIVERED
    again = print_channel.adapter.publish(delivery, outbox.variants_for(delivery), delivery.idempotency_key)

    assert Bulletin.objects.filter(message=message).count() == 1
    assert again.external_id == str(first.pk)


def test_after_a_crash_the_bulletin_already_made_is_found_not_made_again(
        cast, actor_of, make_message, print_channel):
    message = make_message(channels=[print_channel])
    delivery = publish(cast, actor_of, message)
    bulletin = Bulletin.objects.get(message=message)
    # The worker died after making the bulletin, before marking the delivery done.
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENDING, claimed_by="dead-worker", claimed_at=timezone.now() - timedelta(minutes=5),
        external_id="", url="")
    delivery.refresh_from_db()  # recover() takes the claim over from the worker it names

    assert outbox.recover(delivery) == Delivery.State.DELIVERED

    delivery.refresh_from_db()
    assert delivery.external_id == str(bulletin.pk)
    assert Bulletin.objects.filter(message=message).count() == 1


def test_a_crash_before_the_bulletin_was_made_sends_it_again_once(cast, actor_of, make_message, print_channel):
    message = make_message(channels=[print_channel])
    approve(cast, actor_of, message)
    actions.do_publish(actor_of(cast.lead), message)
    outbox.fan_out(message.pk)
    delivery = Delivery.objects.get(message=message)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SENDING, claimed_by="dead-worker", claimed_at=timezone.now() - timedelta(minutes=5))
    delivery.refresh_from_db()  # recover() takes the claim over from the worker it names

    assert outbox.recover(delivery) == Delivery.State.PENDING
    outbox.drain()

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert Bulletin.objects.filter(message=message).count() == 1


def test_no_large_print_edition_when_the_channel_turns_it_off(cast, actor_of, make_message):
    channel = make_channel(cast.org, "print", "Ilmoitustaulu", config={"large_print": False})
    message = make_message(channels=[channel])

    delivery = publish(cast, actor_of, message)

    bulletin = Bulletin.objects.get(message=message)
    assert not bulletin.large_print_file and bulletin.large_print_pages is None
    assert delivery.detail["large_print_url"] == ""


@pytest.mark.parametrize("value, expected", [(True, True), ("false", False), ("yes", True), (0, False)])
def test_the_large_print_setting_is_read_as_a_boolean(cast, value, expected):
    channel = make_channel(cast.org, "print", config={"large_print": value, "max_pages": "3"})
    assert channel.adapter.config.large_print is expected
    assert channel.adapter.config.max_pages == 3


def test_bulletins_are_kept_in_whatever_storage_is_configured(cast, actor_of, make_message, print_channel, settings):
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    message = make_message(channels=[print_channel])

    publish(cast, actor_of, message)

    bulletin = Bulletin.objects.get(message=message)
    assert "Vesikatko" in text_of(read(bulletin.file))
    assert not (settings.MEDIA_ROOT / bulletin.file.name).exists()
