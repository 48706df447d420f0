from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "kanava.channels.email"
    label = "channel_email"
