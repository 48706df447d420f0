from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "kanava.participation.kinds.survey"
    label = "participation_survey"
    verbose_name = "Survey"

    def ready(self):
        from kanava.participation.kinds.survey import manifest  # noqa: F401  (registers the kind)
