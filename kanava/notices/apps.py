from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "kanava.notices"
    label = "notices"
    verbose_name = "Official notices"

    def ready(self):
        from kanava.notices import tasks

        tasks.register()  # expiry and personal-data removal run with the outbox sweep
