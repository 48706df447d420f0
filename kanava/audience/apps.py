from django.apps import AppConfig


class AudienceConfig(AppConfig):
    name = "kanava.audience"
    label = "audience"
