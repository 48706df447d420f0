import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant
from kanava.testing.personas import make_channel
from kanava.testing.platforms.bluesky import BlueskyServer

VERSIONS = {
    "fi": {"title": "Kirjasto avautuu", "body": "Pääkirjasto on taas auki maanantaina."},
    "sv": {"title": "Biblioteket öppnar", "body": "Huvudbiblioteket är öppet igen på måndag."},
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def bluesky_server():
    with BlueskyServer() as server:
        yield server


@pytest.fixture
def bluesky(bluesky_server):
    """The local Bluesky, empty for every test (one server: stopping one takes half a second)."""
    bluesky_server.reset()
    yield bluesky_server
    bluesky_server.reset()


@pytest.fixture
def channel(cast, bluesky):
    """The organisation's Bluesky account, connected: a fresh session that lasts two hours."""
    return make_channel(cast.org, "bluesky", "Bluesky", config=bluesky.channel_config(),
                        secrets=bluesky.channel_secrets("kanavala"),
                        token_expires_at=timezone.now() + timedelta(seconds=bluesky.token_lifetime))


@pytest.fixture
def publish(cast, actor_of):
    """Write, approve and publish a message to the channel; ``texts`` replace the variants, ``thread`` sets it."""

    def run(channel, versions=VERSIONS, texts=None, thread=False, images=()):
        message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, channels=[channel])
        for language, text in (texts or {}).items():
            variant = Variant.objects.get(message=message, channel=channel, language=language)
            actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=text)
        if thread:
            Variant.objects.filter(message=message, channel=channel).update(thread=True)
        for alt in images:
            upload = SimpleUploadedFile("kuva.png", png_bytes(), "image/png")
            actions.do_add_image(actor_of(cast.editor), message, upload, alt)
        actions.do_submit_for_review(actor_of(cast.editor), message)
        actions.do_approve(actor_of(cast.lead), message)
        actions.do_publish(actor_of(cast.lead), message)
        return message

    return run


def png_bytes(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_due(message) -> None:
    Delivery.objects.filter(message=message, state="pending").update(next_attempt_at=timezone.now())


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording (the Finnish and Swedish catalogues are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield
