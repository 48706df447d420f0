from django.apps import AppConfig


class PrintChannelConfig(AppConfig):
    name = "kanava.channels.print"
    label = "channel_print"
