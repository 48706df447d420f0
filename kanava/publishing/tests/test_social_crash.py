"""Kill a real worker in the middle of a six-platform fan-out: after a restart no platform has a post twice.

The stand-ins answer slowly (as platforms do under load), so the kill lands
while posts are in flight.  Two fresh workers then recover the dead worker's
claims by asking each platform what it already has, and publish the rest;
a Bluesky thread resumes after its last part.
"""

from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kanava.channels.registry import manifests
from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant
from kanava.testing.personas import make_cast
from kanava.testing.platforms import SOCIAL_KINDS as KINDS
from kanava.testing.platforms import connect_channels as connect
from kanava.testing.platforms import start_all
from kanava.testing.workers import WorkerProcess, wait_for

pytestmark = [pytest.mark.outbox, pytest.mark.slow]

FINAL = {"delivered", "failed", "uncertain"}
VERSIONS = {
    "fi": {"title": "Uimahalli avataan", "summary": "Uimahalli avataan maanantaina remontin jälkeen.",
           "body": "Uimahalli avataan maanantaina remontin jälkeen."},
    "sv": {"title": "Simhallen öppnar", "summary": "Simhallen öppnar på måndag efter renoveringen.",
           "body": "Simhallen öppnar på måndag efter renoveringen."},
}
THREAD = ("Uimahallin aukioloajat muuttuvat. " * 14).strip()  # over 300 graphemes: a Bluesky thread


@pytest.fixture
def cast(transactional_db):
    return make_cast()


@pytest.fixture
def platforms():
    servers = start_all(latency=0.25)
    yield servers
    for server in servers.values():
        server.stop()


def image():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), "#0f5e8c").save(buffer, "JPEG")
    return SimpleUploadedFile("halli.jpg", buffer.getvalue(), content_type="image/jpeg")


def posts_of(platforms) -> list[tuple[str, str]]:
    """(platform, text) of every post the stand-ins hold."""
    found = []
    for name, server in platforms.items():
        for post in list(server.posts):
            platform = getattr(post, "platform", name)
            text = getattr(post, "text", None) or getattr(post, "record", {}).get("text", "")
            found.append((platform, text))
    return found


def test_a_worker_killed_mid_fan_out_to_six_platforms_leaves_no_duplicate_post(cast, actor_of, platforms, settings):
    assert set(KINDS) <= set(manifests())
    channels = connect(cast.org, platforms)
    message = actions.do_create_message(actor_of(cast.editor), cast.org, versions=VERSIONS, channels=channels)
    actions.do_add_image(actor_of(cast.editor), message, image(), alt={"fi": "Uimahalli.", "sv": "Simhallen."})
    bluesky = next(c for c in channels if c.kind == "bluesky")
    variant = Variant.objects.get(message=message, channel=bluesky, language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text=THREAD)
    Variant.objects.filter(pk=variant.pk).update(thread=True)
    thread_parts = len(bluesky.adapter.parts(Variant.objects.get(pk=variant.pk)))
    assert thread_parts >= 2
    actions.do_submit_for_review(actor_of(cast.editor), message)
    actions.do_approve(actor_of(cast.lead), message)

    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}  # the workers read the message's image
    first = WorkerProcess("social-first", env=env).start()
    try:
        actions.do_publish(actor_of(cast.lead), message)
        wait_for(lambda: len(posts_of(platforms)) >= 3, timeout=120, message="the first posts out")
    finally:
        first.kill()
        first.stop()
    assert len(posts_of(platforms)) < 12 + thread_parts - 1, "the kill must land in the middle of the fan-out"

    with WorkerProcess("social-second", env=env), WorkerProcess("social-third", env=env):
        wait_for(lambda: set(Delivery.objects.filter(message=message).values_list("state", flat=True)) <= FINAL
                 and Delivery.objects.filter(message=message).count() == 12,
                 timeout=240, message="every delivery final after the restart")

    deliveries = Delivery.objects.filter(message=message).select_related("channel")
    assert {d.state for d in deliveries} == {"delivered"}, [(d.channel.kind, d.language, d.state, d.last_error)
                                                           for d in deliveries]
    per_platform = Counter(platform for platform, _text in posts_of(platforms))
    expected = {kind: 2 for kind in KINDS}
    expected["bluesky"] = 1 + thread_parts
    assert dict(per_platform) == expected
    texts = Counter(posts_of(platforms))
    assert max(texts.values()) == 1, "no post twice"
    thread = [d for d in deliveries if d.channel.kind == "bluesky" and d.language == "fi"][0]
    assert len(thread.detail["parts"]) == thread_parts
