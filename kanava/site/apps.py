from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "kanava.site"
    label = "site"
