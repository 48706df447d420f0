"""Mounted at /hooks/facebook/ (namespace ``channel_facebook_hooks``): Meta's webhooks.

``GET`` answers Meta's verification request, ``POST`` takes signed
notifications about comments and Page messages (and Instagram comments):
see :mod:`kanava.channels.facebook.webhooks`.
"""

from django.urls import path

from kanava.channels.facebook import webhooks

urlpatterns = [
    path("", webhooks.webhook, name="webhook"),
]
