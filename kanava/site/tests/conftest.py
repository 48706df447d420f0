"""Fixtures for the resident site: published news made the way staff make it."""

import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from kanava.publishing import actions, outbox
from kanava.publishing.models import MessageImage
from kanava.testing.personas import make_channel

ROADWORK = {
    "fi": {
        "title": "Kirkkotien tietyöt alkavat maanantaina",
        "summary": "Kirkkotie on suljettu kahden viikon ajan.",
        "body": "Kirkkotiellä uusitaan vesijohtoja **3.–14. maaliskuuta**.\n\n"
                "## Kiertotie\n\nKäytä Koulutietä. Lisätietoja [kunnan sivuilta](https://example.org/tiet).",
        "plain_title": "Kirkkotie on kiinni",
        "plain_body": "Kirkkotie on kiinni kaksi viikkoa. Aja Koulutietä.",
    },
    "sv": {
        "title": "Vägarbetena på Kyrkvägen börjar på måndag",
        "summary": "Kyrkvägen är stängd i två veckor.",
        "body": "Vattenledningarna på Kyrkvägen förnyas **3–14 mars**.\n\n"
                "## Omväg\n\nAnvänd Skolvägen. Mer information [på kommunens webbplats](https://example.org/vagar).",
        "plain_title": "Kyrkvägen är stängd",
        "plain_body": "Kyrkvägen är stängd i två veckor. Kör Skolvägen.",
    },
}


def png(width=640, height=360, colour=(0, 114, 198)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fresh_site_cache(settings, tmp_path):
    """Cached pages of an earlier test (same ids, other data) must not leak into this one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def website(cast):
    return make_channel(cast.org, "website", "Verkkosivut")


@pytest.fixture
def other_website(cast):
    return make_channel(cast.other_org, "website", "Toisen sivut")


@pytest.fixture
def publish(cast, actor_of, website):
    """``publish(versions, topic=..., voice=..., image_alt=..., organisation=...)`` -> the published Message.

    Goes the staff way: draft, (image), review, approval (by the voice too),
    publish, and the outbox delivers to the website channel.
    """

    def run(versions=ROADWORK, *, topic=None, voice=None, image_alt=None, organisation=None):
        organisation = organisation or cast.org
        staff = cast.editor if organisation == cast.org else cast.outsider
        approver = cast.lead if organisation == cast.org else cast.outsider
        message = actions.do_create_message(actor_of(staff), organisation, versions=versions, topic=topic,
                                            voice=voice)
        if image_alt:
            MessageImage.objects.create(message=message, file=ContentFile(png(), name="kuva.png"), alt=image_alt)
        actions.do_submit_for_review(actor_of(staff), message)
        actions.do_approve(actor_of(approver), message)
        if voice:
            actions.do_approve(actor_of(voice), message)
        actions.do_publish(actor_of(approver), message)
        outbox.drain()
        message.refresh_from_db()
        assert message.state == "published", message.state
        return message

    return run


def posts_of(message) -> dict:
    """The website posts of a message, by language."""
    return {post.language: post for post in message.site_posts.all()}
