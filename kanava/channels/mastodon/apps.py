from django.apps import AppConfig


class MastodonChannelConfig(AppConfig):
    name = "kanava.channels.mastodon"
    label = "channel_mastodon"
    verbose_name = "Mastodon channel"
