"""A local Mastodon (the stand-in speaking Mastodon's REST API) and a channel connected to it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant
from kanava.testing.personas import make_channel
from kanava.testing.platforms.mastodon import MastodonServer

VERSIONS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "summary": "Vesi on poikki tiistaina klo 9–12.",
           "body": "Vesi on poikki **tiistaina** klo 9–12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "summary": "Vattnet är avstängt på tisdag kl. 9–12.",
           "body": "Vattnet är avstängt **på tisdag** kl. 9–12 på Kyrkvägen."},
}
SITE = "https://uutiset.pikkula.fi"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = SITE
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def mastodon_server():
    with MastodonServer() as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server):
    """The local Mastodon, as new for each test."""
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture
def channel(cast, mastodon):
    """The organisation's Mastodon account @kanavala, connected."""
    return make_channel(cast.org, "mastodon", "Mastodon", config=mastodon.channel_config(),
                        secrets=mastodon.channel_secrets("kanavala"),
                        account_name=f"@kanavala@{mastodon.local_domain}")


@pytest.fixture
def publish(cast, actor_of):
    """Write, approve and publish a message; ``texts`` replace the variants, ``thread`` sets it, ``images`` are alts."""

    def run(channel, versions=VERSIONS, texts=None, thread=False, images=()):
        message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                            channels=[channel])
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


def png_bytes(size=(60, 40), colour=(20, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def deliveries(message) -> dict:
    return {d.language: d for d in Delivery.objects.filter(message=message)}


def make_due(message) -> None:
    """Time passes: every waiting delivery of the message is due now."""
    Delivery.objects.filter(message=message, state="pending").update(next_attempt_at=timezone.now())


def long_text(words: int, word: str = "Kirkkotie") -> str:
    """A text of sentences, ``words`` words long."""
    sentences = []
    for start in range(0, words, 8):
        sentences.append(" ".join(f"{word}{i}" for i in range(start, min(start + 8, words))) + ".")
    return " ".join(sentences)


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording (the Finnish and Swedish catalogues are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield
