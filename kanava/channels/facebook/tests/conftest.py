"""A local Graph API (Facebook Pages and Instagram) and channels connected to it.

The Instagram tests import these fixtures: both channels speak to the same
stand-in, :class:`kanava.testing.platforms.meta.MetaServer`.
"""

import functools
import io
import threading
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel
from kanava.testing.platforms.meta import MetaServer

VERSIONS = {
    "fi": {"title": "Vesikatko Kirkkotiellä", "summary": "Vesi on poikki tiistaina klo 9–12.",
           "body": "Vesi on poikki **tiistaina** klo 9–12 Kirkkotiellä."},
    "sv": {"title": "Vattenavbrott på Kyrkvägen", "summary": "Vattnet är avstängt på tisdag kl. 9–12.",
           "body": "Vattnet är avstängt **på tisdag** kl. 9–12 på Kyrkvägen."},
}


def jpeg(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        return


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared in English, so the tests hold once the Finnish and Swedish translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def public_site(settings, tmp_path):
    """The resident site's files (``/media/...``) served on a loopback address, as the public site would."""
    root = tmp_path / "site"
    (root / "media").mkdir(parents=True)
    settings.MEDIA_ROOT = root / "media"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietFiles, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.SITE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield settings.SITE_URL
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def meta_server():
    with MetaServer() as server:
        yield server


@pytest.fixture
def meta(meta_server):
    """The local Graph API, as new for each test."""
    meta_server.reset()
    return meta_server


def connected(cast, meta, kind: str, name: str):
    """The organisation's channel of ``kind``, connected ten days ago (the user token has 50 days left)."""
    now = timezone.now()
    return make_channel(cast.org, kind, name, config=meta.channel_config(kind), secrets=meta.channel_secrets(),
                        account_name="Kanavalan kunta", token_expires_at=now + timedelta(days=50),
                        connected_at=now - timedelta(days=10))


@pytest.fixture
def page(cast, meta):
    """The organisation's Facebook Page."""
    return connected(cast, meta, "facebook", "Facebook")


@pytest.fixture
def publish(cast, actor_of):
    """Write, approve and publish a message to the given channels; returns the message."""

    def run(*channels, versions=VERSIONS, edit=None, images=()):
        message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, topic=cast.topic,
                                            channels=list(channels))
        for variant in message.variants.all():
            if edit and variant.language in edit:
                actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title,
                                        text=edit[variant.language])
        for name, data, alt in images:
            actions.do_add_image(actor_of(cast.editor), message, SimpleUploadedFile(name, data, "image/jpeg"), alt)
        actions.do_submit_for_review(actor_of(cast.editor), message)
        actions.do_approve(actor_of(cast.lead), message)
        actions.do_publish(actor_of(cast.lead), message)
        return message

    return run


def deliveries(message) -> dict:
    return {d.language: d for d in Delivery.objects.filter(message=message)}


def make_due(message, channel=None) -> None:
    """Time passes: every waiting delivery of the message is due now, and the channel's pause is over."""
    Delivery.objects.filter(message=message, state="pending").update(next_attempt_at=timezone.now())
    if channel is not None:
        type(channel).objects.filter(pk=channel.pk).update(paused_until=None)
