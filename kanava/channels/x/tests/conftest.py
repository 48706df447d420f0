import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant
from kanava.testing.personas import make_channel
from kanava.testing.platforms.x import XServer

VERSIONS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "summary": "Vesi on poikki tiistaina klo 9–12.",
           "body": "Vesi on poikki **tiistaina** klo 9–12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "summary": "Vattnet är avstängt på tisdag kl. 9–12.",
           "body": "Vattnet är avstängt **på tisdag** kl. 9–12 på Kyrkvägen."},
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    return settings.MEDIA_ROOT


@pytest.fixture
def x_server():
    with XServer() as server:
        yield server


def connected(organisation, server, name="X", **extra):
    """The organisation's X account, connected: an access token for two hours and a refresh token."""
    return make_channel(organisation, "x", name, config=server.channel_config(), secrets=server.channel_secrets(),
                        token_expires_at=timezone.now() + timedelta(seconds=server.token_lifetime), **extra)


@pytest.fixture
def x_channel(cast, x_server):
    return connected(cast.org, x_server)


@pytest.fixture
def finnish_only(cast):
    """Pikkula publishes in Finnish only (so a message makes one post, not one per language)."""
    cast.org.required_languages = ["fi"]
    cast.org.save(update_fields=["required_languages"])
    return cast.org


@pytest.fixture
def publish(cast, actor_of):
    """Write, approve and publish a message; ``texts`` replace the variants, ``thread`` lets them become threads."""

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
