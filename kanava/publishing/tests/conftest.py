"""Fixtures of the staff page tests: a website channel, logged-in clients, URLs."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from kanava.publishing import actions
from kanava.testing.personas import login, make_channel

BILINGUAL = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "body": "Vesi on poikki **tiistaina** klo 9–12."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "body": "Vattnet är avstängt **på tisdag** kl. 9–12."},
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads of these tests go to a throwaway folder, not the project's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def website(cast):
    return make_channel(cast.org, "website", "Verkkosivut")


@pytest.fixture
def as_person(client):
    """Log the test client in as someone; returns the client."""

    def log_in(person):
        client.logout()
        login(client, person)
        return client

    return log_in


@pytest.fixture
def url(cast):
    """reverse() for the publishing pages of our organisation, in English."""

    def build(name, org=None, **kwargs):
        from django.utils import translation

        with translation.override("en"):
            return reverse(f"publishing:{name}", kwargs={"org": (org or cast.org).slug, **kwargs})

    return build


@pytest.fixture
def draft(cast, actor_of, website):
    def make(versions=BILINGUAL, author=None, **extra):
        return actions.do_create_message(actor_of(author or cast.editor), cast.org, versions=versions,
                                         topic=cast.topic, **extra)

    return make


@pytest.fixture
def approved(cast, actor_of, draft):
    def make(**extra):
        message = draft(**extra)
        actions.do_submit_for_review(actor_of(cast.editor), message)
        actions.do_approve(actor_of(cast.lead), message)
        return message

    return make


def png_bytes(size=(40, 30), noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    if noise:
        image = Image.effect_noise(size, 80).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def editor_post(cast, versions=BILINGUAL, channels=(), **extra) -> dict:
    """The editor form's fields as a browser would post them."""
    data = {"topic": str(cast.topic.pk), "voice": "", "new_attachment_title": ""}
    for language in ("fi", "sv", "en"):
        fields = versions.get(language, {})
        for name in ("title", "summary", "body", "plain_title", "plain_body"):
            data[f"{name}_{language}"] = fields.get(name, "")
        data[f"new_image_alt_{language}"] = ""
    data["channels"] = [str(channel.pk) for channel in channels]
    data.update(extra)
    return data
