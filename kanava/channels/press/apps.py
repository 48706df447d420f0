from django.apps import AppConfig


class PressChannelConfig(AppConfig):
    name = "kanava.channels.press"
    label = "channel_press"
