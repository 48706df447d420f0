from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "kanava.crisis"
    label = "crisis"
    verbose_name = _("Crisis communication")

    def ready(self):
        from kanava.crisis.tasks import register

        register()
