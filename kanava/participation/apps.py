from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "kanava.participation"
    label = "participation"
    verbose_name = "Participation"

    def ready(self):
        from kanava.participation import digest

        digest.register()  # follow digests and interrupted outcome notices run with the outbox sweep
