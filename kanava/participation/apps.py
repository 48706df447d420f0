from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "kanava.participation"
    label = "participation"
    verbose_name = "Participation"
