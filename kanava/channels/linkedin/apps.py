from django.apps import AppConfig


class LinkedInChannelConfig(AppConfig):
    name = "kanava.channels.linkedin"
    label = "channel_linkedin"
    verbose_name = "LinkedIn channel"
