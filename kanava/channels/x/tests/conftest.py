from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.testing.personas import make_channel
# make_due and png_bytes are imported from here by the tests.
from kanava.testing.social import make_due, png_bytes, publish_message  # noqa: F401
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
    """Write, approve and publish a message; ``texts`` replace the variants, ``thread`` sets it, ``images`` are alts."""

    def run(channel, versions=VERSIONS, texts=None, thread=False, images=()):
        return publish_message(cast, actor_of, channel, versions, texts=texts, thread=thread, images=images,
                               topic=None)

    return run



@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the English wording (the Finnish and Swedish catalogues are tested elsewhere)."""
    from django.utils import translation

    with translation.override("en"):
        yield
