from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "kanava.privacy"
    label = "privacy"
    verbose_name = "Privacy guard"
