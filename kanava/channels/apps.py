from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "kanava.channels"
    label = "channels"

    def ready(self):
        from kanava.channels import registry

        registry.load()
