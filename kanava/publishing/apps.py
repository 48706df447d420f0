from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "kanava.publishing"
    label = "publishing"
