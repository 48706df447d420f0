"""Mounted at /hooks/instagram/ (namespace ``channel_instagram_hooks``): the same endpoint as /hooks/facebook/.

Meta's dashboard takes a callback address per product; either address takes
notifications for both objects (``page`` and ``instagram``): see
:mod:`kanava.channels.facebook.webhooks`.
"""

from django.urls import path

from kanava.channels.facebook import webhooks

urlpatterns = [
    path("", webhooks.webhook, name="webhook"),
]
