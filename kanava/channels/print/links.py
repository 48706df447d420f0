"""Addresses of the print channel's staff pages (used by the adapter for delivery URLs)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def download_url(bulletin, large: bool = False) -> str:
    """Absolute staff URL of a bulletin's PDF, in the organisation's majority language."""
    name = "channel_print_urls:large" if large else "channel_print_urls:standard"
    with translation.override(bulletin.organisation.majority_language):
        path = reverse(name, kwargs={"org": bulletin.organisation.slug, "pk": bulletin.pk})
    return settings.SITE_URL + path
