from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kanava.core"
    label = "core"
