from django.apps import AppConfig


class WebsiteChannelConfig(AppConfig):
    name = "kanava.channels.website"
    label = "channel_website"
