from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kanava.api"
    label = "api"
