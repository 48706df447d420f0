"""Local stand-ins for the social platforms, speaking their documented APIs (see ``base.py``).

``STAND_INS`` maps a channel kind to its server class; the demo starts them all
(``python -m kanava.testing.platforms``) and ``make bench`` runs them with latency.
"""

from django.utils.module_loading import import_string

STAND_INS = {
    "facebook": "kanava.testing.platforms.meta.MetaServer",
    "instagram": "kanava.testing.platforms.meta.MetaServer",
    "x": "kanava.testing.platforms.x.XServer",
    "linkedin": "kanava.testing.platforms.linkedin.LinkedInServer",
    "mastodon": "kanava.testing.platforms.mastodon.MastodonServer",
    "bluesky": "kanava.testing.platforms.bluesky.BlueskyServer",
}


def server_class(kind: str):
    return import_string(STAND_INS[kind])
