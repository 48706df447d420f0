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


#: The platforms' stand-ins by server: Facebook and Instagram share Meta's Graph API.
SERVERS = {"meta": "facebook", "x": "x", "linkedin": "linkedin", "mastodon": "mastodon", "bluesky": "bluesky"}
SOCIAL_KINDS = ["facebook", "instagram", "x", "linkedin", "mastodon", "bluesky"]


def start_all(latency: float = 0.0) -> dict:
    """Every platform's stand-in, started (the crash test and the bench).

    The message's images are not served where these run, so Instagram's
    stand-in takes image addresses on trust.
    """
    servers = {name: server_class(kind)(latency=latency) for name, kind in SERVERS.items()}
    servers["meta"].fetch_loopback_images = False
    for server in servers.values():
        server.start()
    return servers


def connect_channels(organisation, servers: dict) -> list:
    """One connected channel of the organisation per platform, pointing at the stand-ins."""
    from kanava.testing.personas import make_channel

    channels = []
    for kind in SOCIAL_KINDS:
        server = servers["meta" if kind in ("facebook", "instagram") else kind]
        config = server.channel_config(kind=kind) if kind in ("facebook", "instagram") else server.channel_config()
        channels.append(make_channel(organisation, kind, kind.title(), config=config,
                                     secrets=server.channel_secrets()))
    return channels
