from datetime import timedelta

import pytest
from django.utils import timezone

from kanava.testing.personas import make_channel
# make_due and png_bytes are imported from here by the tests.
from kanava.testing.social import make_due, png_bytes, publish_message  # noqa: F401
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
