"""A local Mastodon (the stand-in speaking Mastodon's REST API) and a channel connected to it."""


import pytest

from kanava.publishing.models import Delivery
from kanava.testing.personas import make_channel
# make_due and png_bytes are imported from here by the tests.
from kanava.testing.social import make_due, png_bytes, publish_message  # noqa: F401
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
        return publish_message(cast, actor_of, channel, versions, texts=texts, thread=thread, images=images,
                               topic=cast.topic)

    return run


def deliveries(message) -> dict:
    return {d.language: d for d in Delivery.objects.filter(message=message)}


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
