"""Helpers the social platform channels' tests share: publish a message, an image, make a retry due."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kanava.publishing import actions
from kanava.publishing.models import Delivery, Variant


def png_bytes(size=(60, 40), colour=(20, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_due(message) -> None:
    """Time passes: every waiting delivery of the message is due now."""
    Delivery.objects.filter(message=message, state="pending").update(next_attempt_at=timezone.now())


def publish_message(cast, actor_of, channel, versions, texts=None, thread=False, images=(), topic=None):
    """Write, approve and publish a message to ``channel``.

    ``texts`` (language -> text) replace the channel's variants, ``thread``
    lets them go out as threads, ``images`` are the alternative texts of
    images to attach.
    """
    editor = actor_of(cast.editor)
    message = actions.do_create_message(editor, cast.org, versions=versions, topic=topic, channels=[channel])
    for language, text in (texts or {}).items():
        variant = Variant.objects.get(message=message, channel=channel, language=language)
        actions.do_edit_variant(editor, variant, title=variant.title, text=text)
    if thread:
        Variant.objects.filter(message=message, channel=channel).update(thread=True)
    for alt in images:
        actions.do_add_image(editor, message, SimpleUploadedFile("kuva.png", png_bytes(), "image/png"), alt)
    actions.do_submit_for_review(editor, message)
    actions.do_approve(actor_of(cast.lead), message)
    actions.do_publish(actor_of(cast.lead), message)
    return message
