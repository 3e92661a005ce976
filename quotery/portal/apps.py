from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "quotery.portal"
    label = "portal"

    def ready(self) -> None:
        # Imported here, where Django's documentation imports signal handlers: the email
        # builders read models, which cannot be imported while the apps are loading.
        from quotery.portal.emails.kinds import portal_emails_register

        portal_emails_register()
