import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.models import MessageAttachment, MessageImage
from kanava.testing.personas import make_channel

BILINGUAL = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "summary": "Vesi on poikki tiistaina.",
           "body": "Vesi on poikki **tiistaina** klo 9–12.\n\nLisätietoja [vesilaitokselta](https://vesi.example.fi/katkot)."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "summary": "Vattnet är avstängt på tisdag.",
           "body": "Vattnet är avstängt **på tisdag** kl. 9–12.\n\nMer information av vattenverket."},
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://uutiset.pikkula.fi"
    return settings.MEDIA_ROOT


@pytest.fixture
def print_channel(cast):
    return make_channel(cast.org, "print", "Ilmoitustaulu")


def png_bytes(colour=(0, 90, 160), size=(320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def add_image(message, alt=None):
    return MessageImage.objects.create(
        message=message, file=ContentFile(png_bytes(), name="kartta.png"),
        alt=alt or {"fi": "Kartta katkoalueesta", "sv": "Karta över avbrottsområdet"},
    )


def add_attachment(message, title="Katkoaikataulu"):
    data = b"%PDF-1.4\n% test attachment\n"
    return MessageAttachment.objects.create(message=message, file=ContentFile(data, name="aikataulu.pdf"),
                                            title=title, content_type="application/pdf", size=len(data))


@pytest.fixture
def make_message(cast, actor_of):
    def build(versions=BILINGUAL, organisation=None, author=None, **extra):
        return actions.do_create_message(actor_of(author or cast.editor), organisation or cast.org,
                                         versions=versions, **extra)

    return build


def approve(cast, actor_of, message):
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)
    return message
