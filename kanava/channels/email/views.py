"""The web version of a newsletter, linked from the top of every email."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from kanava.channels.email import compose
from kanava.core.sites import organisation_for_request
from kanava.publishing.models import Message, Variant
from kanava.publishing.render import markdown_to_html


def web_version(request, message_id: int):
    """A published newsletter of this site's organisation in the page's language; 404 otherwise."""
    organisation = organisation_for_request(request)
    language = (get_language() or organisation.majority_language)[:2]
    variant = (Variant.objects.filter(message_id=message_id, message__organisation=organisation,
                                      message__state=Message.State.PUBLISHED, channel__kind="email",
                                      language=language)
               .select_related("message", "message__topic").order_by("channel_id").first())
    if variant is None:
        raise Http404
    message = variant.message
    base_url = request.build_absolute_uri("/").rstrip("/")
    return render(request, "channel_email/web_version.html", {
        "subject": variant.title,
        "body_html": markdown_to_html(variant.text),
        "images": compose.images_of(message, language, base_url),
        "topic_name": message.topic.display_name(language) if message.topic_id else "",
        "published_at": message.published_at,
        "subscribe_url": f"/{language}/subscribe/",
    })
