from django.apps import AppConfig


class HearingConfig(AppConfig):
    name = "kanava.participation.kinds.hearing"
    label = "participation_hearing"
    verbose_name = "Hearing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kanava.participation.kinds.hearing import manifest  # noqa: F401  (registers the kind)
