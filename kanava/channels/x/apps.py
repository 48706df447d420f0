from django.apps import AppConfig


class XChannelConfig(AppConfig):
    name = "kanava.channels.x"
    label = "channel_x"
    verbose_name = "X channel"
