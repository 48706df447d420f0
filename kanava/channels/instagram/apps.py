from django.apps import AppConfig


class InstagramChannelConfig(AppConfig):
    name = "kanava.channels.instagram"
    label = "channel_instagram"
    verbose_name = "Instagram channel"
