from django.apps import AppConfig


class SmsChannelConfig(AppConfig):
    name = "kanava.channels.sms"
    label = "channel_sms"
    verbose_name = "SMS channel"
