from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "quotery.reminders"
    label = "reminders"

    def ready(self) -> None:
        # Imported here: the email builders read models, which cannot be imported while
        # the apps are loading.
        from quotery.reminders.emails import reminder_emails_register

        reminder_emails_register()
