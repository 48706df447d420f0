from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "kanava.inbox"
    label = "inbox"

    def ready(self):
        from kanava.inbox import intake, reminders, replies
        from kanava.publishing.outbox import add_sweep_step

        add_sweep_step("polled", intake.schedule_polls)
        add_sweep_step("answers", replies.sweep_replies)
        add_sweep_step("reminded", reminders.remind_due)
