from django.apps import AppConfig


class FacebookChannelConfig(AppConfig):
    name = "kanava.channels.facebook"
    label = "channel_facebook"
    verbose_name = "Facebook channel"
