from django.apps import AppConfig


class BlueskyChannelConfig(AppConfig):
    name = "kanava.channels.bluesky"
    label = "channel_bluesky"
    verbose_name = "Bluesky channel"
