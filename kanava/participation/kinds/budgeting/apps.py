from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "kanava.participation.kinds.budgeting"
    label = "participation_budgeting"
    verbose_name = "Participatory budgeting"

    def ready(self):
        from kanava.participation.kinds.budgeting import manifest  # noqa: F401  (registers the kind)
