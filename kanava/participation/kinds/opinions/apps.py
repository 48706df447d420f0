from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "kanava.participation.kinds.opinions"
    label = "participation_opinions"
    verbose_name = "Opinion map"

    def ready(self):
        from kanava.participation.kinds.opinions import manifest  # noqa: F401  (registers the kind)
