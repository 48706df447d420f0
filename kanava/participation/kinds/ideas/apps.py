from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "kanava.participation.kinds.ideas"
    label = "participation_ideas"
    verbose_name = "Ideas and initiatives"

    def ready(self):
        from kanava.participation.kinds.ideas import manifest  # noqa: F401  (registers the kind)
